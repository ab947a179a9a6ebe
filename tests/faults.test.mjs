// S3 misbehaving: `invoices serve --store s3://...` talks to s3rver through
// a fault-injecting proxy (tests/lib/faulty-proxy.mjs) that answers some
// requests with 500 InternalError or 503 SlowDown, delays some, and resets
// the connection of others. The S3 client retries those (src/store/
// s3_store.cpp: 4 attempts, exponential backoff with full jitter); what
// gets through all of them is the API's 5xx. What must hold:
//   - every upload is answered, with 201 or a clear JSON 5xx error (never a
//     hang, never a dropped connection, and the server keeps running);
//   - afterwards (faults off), every invoice that got 201 is listed, reads
//     back, and its original downloads whole; nothing that got no 201 is
//     listed (the faults happen before s3rver sees a request, so a failed
//     request has not taken effect and the server's rollback is complete);
//   - with lost answers (the proxy forwards, then resets the connection or
//     answers 500 instead of s3rver's answer: the request took effect), the
//     same holds for every 201, and whatever else is listed is whole.
// s3rver ignores If-None-Match / If-Match (tests/lib/s3rver.mjs), so each
// user uploads one at a time (concurrent uploads of one user need the
// conditional index writes); three users upload at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, devImages } from './lib/invoices.mjs';
import { newUser, cognito } from './lib/auth.mjs';
import { startS3rver } from './lib/s3rver.mjs';
import { startFaultyProxy, randomFaults, passThrough } from './lib/faulty-proxy.mjs';
import { waitReady, uploadForm, postInvoice, listAll, pictureBytes, sha256 } from './lib/traffic.mjs';

const receipt = readFileSync(path.join(devImages, 'X00016469612.jpg'));
const USERS = 3;
const PER_USER = 12;

let s3; let proxy; let server; let users;

before(async () => {
  s3 = await startS3rver({ prefix: 'faults' });
  proxy = await startFaultyProxy({ target: s3.endpoint });
  // Throttling off: the checks read every invoice back, more than a user's
  // burst (tests/throttle.test.mjs covers throttling).
  server = await startServer(['--store', s3.env.INVOICES_TEST_S3_URL,
    '--throttle-rate', '0', '--user-throttle-rate', '0'], {
    ...s3.env, AWS_ENDPOINT_URL_S3: proxy.url,
    AWS_ENDPOINT_URL: '', AWS_SESSION_TOKEN: '', AWS_DEFAULT_REGION: '',
  });
  await waitReady(server.url);
  users = [];
  for (let i = 0; i < USERS; ++i) users.push(await newUser(server.url, `faults-${i}`));
});
after(async () => {
  await server?.stop();
  await proxy?.close();
  await s3?.close();
});

// Uploads PER_USER invoices for every user (one at a time per user, the
// users at once) while the proxy follows `schedule`; resolves
// [{ user, bytes, status, json }].
async function uploadAll(phase, schedule) {
  proxy.resetStats();
  proxy.schedule = schedule;
  const results = [];
  try {
    await Promise.all(users.map(async (user, u) => {
      for (let i = 0; i < PER_USER; ++i) {
        const key = `${phase}-${u}-${i}`;
        const bytes = Buffer.concat([receipt, Buffer.from(`#${key}`)]);
        // A client-side bound far above the server's worst case (4 attempts
        // of at most 30 s each would be the S3 client's limit; the proxy's
        // delays are 150 ms): an answer must come.
        const r = await postInvoice(server.url, user, uploadForm(bytes, {
          fields: { vendor_name: `Faulty ${key}`, total: `${i + 1}.00` }, name: `${key}.jpg`,
        }), {}, AbortSignal.timeout(120000));
        results.push({ user, bytes, key, ...r });
      }
    }));
  } finally {
    proxy.schedule = passThrough;
  }
  return results;
}

function checkAnswers(results, phase) {
  const counts = {};
  for (const r of results) {
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    assert.notEqual(r.status, 0, `${r.key}: no answer (${r.error?.cause?.code ?? r.error})`);
    if (r.status === 201) continue;
    assert.ok(r.status >= 500 && r.status <= 504, `${r.key}: ${r.status} ${JSON.stringify(r.json)}`);
    assert.equal(typeof r.json.error?.code, 'string', `${r.key}: not the JSON error shape`);
    assert.equal(typeof r.json.error.message, 'string');
    assert.ok(['unavailable', 'deadline_exceeded', 'internal'].includes(r.json.error.code), r.json.error.code);
    if (r.status === 503) assert.ok(Number(r.headers.get('retry-after')) >= 1, `${r.key}: no Retry-After`);
  }
  console.log(`faults ${phase}: ${results.length} uploads: ${JSON.stringify(counts)}; proxy: `
    + `${proxy.stats.requests} S3 requests, ${JSON.stringify(proxy.stats.byAction)}`);
  return counts;
}

async function checkStored(results, { strict }) {
  const acknowledged = results.filter((r) => r.status === 201);
  for (const r of acknowledged) {
    const got = await fetch(`${server.url}/invoices/${r.json.id}`, { headers: r.user.headers });
    assert.equal(got.status, 200, `${r.key}: acknowledged but not readable`);
    const picture = await pictureBytes(server.url, r.user, r.json.id);
    assert.equal(picture.status, 200);
    assert.ok(picture.bytes.equals(r.bytes), `${r.key}: the original differs`);
  }
  let extra = 0;
  for (const user of users) {
    const listed = await listAll(server.url, user);
    const ids = new Set(listed.map((i) => i.id));
    for (const r of acknowledged.filter((x) => x.user === user)) {
      assert.ok(ids.has(r.json.id), `${r.key}: acknowledged but not listed`);
    }
    const known = new Set(acknowledged.map((r) => r.json.id));
    for (const item of listed) {
      if (known.has(item.id) || item.id in (user.earlier ?? {})) continue;
      // Listed without a 201: only a whole invoice of a failed upload whose
      // writes took effect (lost answers).
      assert.ok(!strict, `listed without a 201: ${item.id}`);
      const got = await fetch(`${server.url}/invoices/${item.id}`, { headers: user.headers });
      assert.equal(got.status, 200);
      const sha = (await got.json()).picture.sha256;
      const r = results.find((x) => x.user === user && x.status !== 201 && sha256(x.bytes) === sha);
      assert.ok(r, `listed, not acknowledged and not one of the failed uploads: ${item.id}`);
      const picture = await pictureBytes(server.url, user, item.id);
      assert.ok(picture.bytes.equals(r.bytes));
      ++extra;
    }
    user.earlier = Object.fromEntries([...ids].map((id) => [id, true]));
  }
  return { acknowledged: acknowledged.length, extra };
}

test('S3 errors, delays and resets before S3 sees the request: 201 or a JSON 5xx, and exactly the 201s are kept', async () => {
  const results = await uploadAll('clean', randomFaults({ seed: 11, rate: 0.45 }));
  const counts = checkAnswers(results, 'before forwarding');
  assert.ok(counts[201] > 0, 'some uploads got through');
  assert.ok(proxy.stats.byAction.error > 0 && proxy.stats.byAction.drop > 0, 'faults were injected');
  const { acknowledged } = await checkStored(results, { strict: true });
  console.log(`faults before forwarding: ${acknowledged} acknowledged, all listed and whole; nothing else listed`);
  // Still serving, and the client's retry of a failed upload works.
  const failed = results.find((r) => r.status !== 201);
  if (failed) {
    const again = await postInvoice(server.url, failed.user, uploadForm(failed.bytes, { fields: { total: '1.00' } }));
    assert.equal(again.status, 201, JSON.stringify(again.json));
    failed.user.earlier[again.json.id] = true;
  }
});

test('lost answers (S3 applied the request, the answer never came): every 201 kept whole, nothing half-written listed', async () => {
  const results = await uploadAll('lost', randomFaults({
    seed: 12, rate: 0.35, kinds: ['drop-after', 'error-after', 'error500', 'drop'],
  }));
  checkAnswers(results, 'with lost answers');
  assert.ok(proxy.stats.byAction['drop-after'] > 0, 'lost answers were injected');
  const { acknowledged, extra } = await checkStored(results, { strict: false });
  console.log(`faults with lost answers: ${acknowledged} acknowledged, all listed and whole; `
    + `${extra} failed uploads whose writes took effect are listed, whole`);
});

test('sign-in while S3 fails: signed in, or a 5xx; never taken for a wrong password', async () => {
  const config = await (await fetch(`${server.url}/config.json`)).json();
  proxy.resetStats();
  proxy.schedule = randomFaults({ seed: 13, rate: 0.6 });
  const counts = {};
  try {
    for (let i = 0; i < 12; ++i) {
      const r = await cognito(config.auth.endpoint, 'InitiateAuth', {
        ClientId: config.auth.clientId, AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: users[i % USERS].name, PASSWORD: users[i % USERS].password },
      });
      counts[r.status] = (counts[r.status] ?? 0) + 1;
      assert.ok(r.status === 200 || r.status >= 500, `${r.status} ${JSON.stringify(r.json)}`);
    }
  } finally {
    proxy.schedule = passThrough;
  }
  console.log(`faults sign-in: 12 sign-ins: ${JSON.stringify(counts)}; proxy: ${JSON.stringify(proxy.stats.byAction)}`);
});

test('the server is still up and its users can still sign in', async () => {
  assert.equal(server.child.exitCode, null);
  const config = await (await fetch(`${server.url}/config.json`)).json();
  const signIn = await cognito(config.auth.endpoint, 'InitiateAuth', {
    ClientId: config.auth.clientId, AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: users[0].name, PASSWORD: users[0].password },
  });
  assert.equal(signIn.status, 200, JSON.stringify(signIn.json));
  const token = signIn.json.AuthenticationResult.IdToken;
  const res = await fetch(`${server.url}/invoices?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
});
