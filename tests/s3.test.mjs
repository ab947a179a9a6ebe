// Keeping invoices in S3: `invoices serve --store s3://bucket/prefix` against
// s3rver (npm), a real S3-compatible server that these tests start and stop
// (tests/lib/s3rver.mjs). The bucket is inspected directly over the S3 REST
// API to see that the objects really are where ARCHITECTURE.md puts them.
//
// s3rver 3.7.1 is not all of S3 (see tests/lib/s3rver.mjs): what it lacks is
// probed first, and a test that needs it is skipped with the reason printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { startServer, devImages, invoiceApi } from './lib/invoices.mjs';
import { newUser, cognito } from './lib/auth.mjs';
import { startS3rver } from './lib/s3rver.mjs';

const receipt = readFileSync(path.join(devImages, 'X00016469676.jpg'));
const other = readFileSync(path.join(devImages, 'X00016469612.jpg'));
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

let s3; let server; let alice; let bucketUrl; let prefix;
// What this s3rver does of S3 (probed in `before`); a reason when it does not.
const lacks = {};

// The S3 REST API of the server, path-style. s3rver takes unsigned requests.
const s3fetch = (p, init) => fetch(`${s3.endpoint}/${s3.bucket}/${p}`, init);

// Every key in the bucket under `under` (below the store's prefix), in as
// many pages as it takes.
async function bucketKeys(under) {
  const keys = [];
  let token = '';
  for (let page = 0; page < 100; ++page) {
    const query = new URLSearchParams({ 'list-type': '2', prefix: `${prefix}/${under}` });
    if (token) query.set('continuation-token', token);
    const res = await fetch(`${bucketUrl}?${query}`);
    const xml = await res.text();
    assert.equal(res.status, 200, xml);
    for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1].slice(prefix.length + 1));
    const next = xml.match(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/);
    if (!/<IsTruncated>true<\/IsTruncated>/.test(xml) || !next) return keys;
    token = next[1];
  }
  throw new Error('too many pages');
}

async function probe() {
  const key = `${prefix}/probe/conditional`;
  await s3fetch(key, { method: 'PUT', body: 'one' });
  const again = await s3fetch(key, { method: 'PUT', body: 'two', headers: { 'if-none-match': '*' } });
  if (again.status !== 412) {
    lacks.conditionalPut = `s3rver answered ${again.status} to a PUT with If-None-Match: * on an `
      + 'existing key (S3: 412): it does not honour conditional puts';
  }
  await s3fetch(key, { method: 'DELETE' });
  // A SigV4 Authorization header with a signature of zeros: S3 answers 403.
  const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, '');
  const forged = await fetch(bucketUrl + '?list-type=2&max-keys=1', {
    headers: {
      'x-amz-date': stamp,
      'x-amz-content-sha256': sha256(''),
      authorization: `AWS4-HMAC-SHA256 Credential=S3RVER/${stamp.slice(0, 8)}/us-east-1/s3/aws4_request, `
        + `SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'0'.repeat(64)}`,
    },
  });
  if (forged.status !== 403) {
    lacks.signatures = `s3rver answered ${forged.status} to a request with a forged SigV4 signature `
      + '(S3: 403): it does not verify signatures';
  }
}

async function waitReady(url) {
  for (let i = 0; i < 300; ++i) {
    const res = await fetch(`${url}/config.json`);
    if (res.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('invoices serve did not become ready');
}

// `port`: the same as before, for the same issuer (the server's URL).
async function serve(port, extra = []) {
  const args = ['--store', s3.env.INVOICES_TEST_S3_URL, ...extra];
  if (port) args.push('--port', String(port));
  const srv = await startServer(args, {
    ...s3.env,
    AWS_ENDPOINT_URL: '', AWS_SESSION_TOKEN: '', AWS_DEFAULT_REGION: '',
  });
  await waitReady(srv.url);
  return srv;
}

before(async () => {
  s3 = await startS3rver({ prefix: 'e2e' });
  prefix = 'e2e';
  bucketUrl = `${s3.endpoint}/${s3.bucket}`;
  await probe();
  for (const reason of Object.values(lacks)) console.log(`s3rver: ${reason}`);
  server = await serve();
  alice = await newUser(server.url, 'alice');
});
after(async () => {
  await server?.stop();
  await s3?.close();
});

const { api, upload } = invoiceApi(() => server.url, receipt);

let first;
test('the built-in user pool lives in the bucket, under auth/', async () => {
  const keys = await bucketKeys('auth/');
  assert.ok(keys.includes('auth/pool.json'), keys.join(' '));
  assert.ok(keys.includes('auth/signing-key.pem'), keys.join(' '));
  assert.ok(keys.some((k) => k.startsWith('auth/users/')), keys.join(' '));
});

test('an upload is stored in S3: the original byte for byte and invoice.json', async () => {
  const { res, json } = await upload(alice);
  assert.equal(res.status, 201, JSON.stringify(json));
  assert.equal(res.headers.get('location'), `/invoices/${json.id}`);
  assert.match(json.id, /^[0-9A-Z]{26}$/);
  assert.equal(json.fields.total, '20.00');
  assert.equal(json.picture.content_type, 'image/jpeg');
  assert.equal(json.picture.bytes, receipt.length);
  assert.equal(json.picture.sha256, sha256(receipt));
  first = json;

  const folder = `users/${alice.sub}/invoices/${json.id}/`;
  const keys = await bucketKeys(folder);
  assert.deepEqual(keys.sort(), [`${folder}invoice.json`, `${folder}original.jpg`]);
  const original = await s3fetch(`${prefix}/${folder}original.jpg`);
  assert.equal(original.status, 200);
  assert.equal(original.headers.get('content-type'), 'image/jpeg');
  assert.deepEqual(Buffer.from(await original.arrayBuffer()), receipt);
  const record = await (await s3fetch(`${prefix}/${folder}invoice.json`)).json();
  assert.equal(record.id, json.id);
  // The index is in the bucket too.
  assert.ok((await bucketKeys(`users/${alice.sub}/index/`)).includes(`users/${alice.sub}/index/head.json`));
});

test('list and search read it back from S3', async () => {
  const list = await (await api(alice, '/invoices')).json();
  assert.deepEqual(list.items.map((i) => i.id), [first.id]);
  assert.equal(list.items[0].fields.total, '20.00');
  const found = await (await api(alice, '/invoices?q=rengit')).json();
  assert.deepEqual(found.items.map((i) => i.id), [first.id]);
  assert.equal((await (await api(alice, '/invoices?min_total=100')).json()).items.length, 0);
});

test('get and patch, with If-Match against lost updates', async () => {
  const got = await api(alice, `/invoices/${first.id}`);
  assert.equal(got.status, 200);
  const etag = got.headers.get('etag');
  assert.ok(etag);
  assert.equal((await got.json()).picture.sha256, first.picture.sha256);
  const patch = (body, ifMatch) => api(alice, `/invoices/${first.id}`, {
    method: 'PATCH', body: JSON.stringify(body),
    headers: { 'content-type': 'application/merge-patch+json', ...(ifMatch ? { 'if-match': ifMatch } : {}) },
  });
  const ok = await patch({ fields: { vendor_name: 'S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.' } }, etag);
  const patched = await ok.json();
  assert.equal(ok.status, 200, JSON.stringify(patched));
  assert.equal(patched.corrections.vendor_name, 'S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.');
  // A stale ETag is refused (the server compares it before its own
  // conditional put, so this holds on s3rver too).
  assert.equal((await patch({ fields: { total: '21.00' } }, etag)).status, 412);
  // The correction is in invoice.json in the bucket.
  const record = await (await s3fetch(`${prefix}/users/${alice.sub}/invoices/${first.id}/invoice.json`)).json();
  assert.equal(JSON.stringify(record).includes('S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.'), true);
  const byVendor = await (await api(alice, '/invoices?vendor=motor')).json();
  assert.deepEqual(byVendor.items.map((i) => i.id), [first.id]);
});

test('the picture: a redirect to a presigned S3 URL that serves the bytes as uploaded', async () => {
  const res = await api(alice, `/invoices/${first.id}/picture`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  const location = new URL(res.headers.get('location'));
  assert.equal(location.origin, s3.endpoint);
  assert.equal(location.pathname, `/${s3.bucket}/${prefix}/users/${alice.sub}/invoices/${first.id}/original.jpg`);
  assert.equal(location.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
  assert.match(location.searchParams.get('X-Amz-Credential'), /^S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request$/);
  assert.match(location.searchParams.get('X-Amz-Signature'), /^[0-9a-f]{64}$/);
  assert.ok(Number(location.searchParams.get('X-Amz-Expires')) > 0);
  // Followed without the user's token, as a browser would.
  const picture = await fetch(location);
  assert.equal(picture.status, 200);
  assert.equal(picture.headers.get('content-type'), 'image/jpeg');
  const bytes = Buffer.from(await picture.arrayBuffer());
  assert.equal(bytes.length, receipt.length);
  assert.ok(bytes.equals(receipt), 'the picture differs from the upload');
});

test('a tampered presigned URL is refused', async (t) => {
  if (lacks.signatures) { t.skip(lacks.signatures); return; }
  const res = await api(alice, `/invoices/${first.id}/picture`, { redirect: 'manual' });
  const url = new URL(res.headers.get('location'));
  const sig = url.searchParams.get('X-Amz-Signature');
  url.searchParams.set('X-Amz-Signature', (sig[0] === '0' ? '1' : '0') + sig.slice(1));
  assert.equal((await fetch(url)).status, 403);
});

test('CSV export of the filtered list', async () => {
  const res = await api(alice, '/invoices/export.csv?q=motor');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  const lines = (await res.text()).trim().split(/\r?\n/);
  assert.match(lines[0], /^id,created_at,status,/);
  assert.equal(lines.length, 2);
  assert.ok(lines[1].startsWith(first.id));
  assert.match(lines[1], /20\.00/);
});

test('the same bytes again are a probable duplicate', async () => {
  const { res, json } = await upload(alice);
  assert.equal(res.status, 201);
  assert.equal(json.duplicate_of, first.id);
  assert.equal((await api(alice, `/invoices/${json.id}`, { method: 'DELETE' })).status, 204);
});

test('Idempotency-Key makes a retried upload return the same invoice', async () => {
  // A retry after the first answer finds the marker by reading it; two
  // attempts at once would also need the If-None-Match: * that reserves it.
  const key = `retry-${Date.now()}`;
  const a = await upload(alice, receipt, { 'idempotency-key': key });
  const b = await upload(alice, receipt, { 'idempotency-key': key });
  assert.equal(a.res.status, 201);
  assert.equal(b.json.id, a.json.id);
  assert.ok([200, 201].includes(b.res.status));
  await api(alice, `/invoices/${a.json.id}`, { method: 'DELETE' });
});

test('two invoices serve on one bucket lose no index update under concurrent uploads', async (t) => {
  // Every create rewrites the user's index head with If-Match; a store that
  // ignores it lets concurrent creates overwrite each other's entries. (Run
  // against s3rver 3.7.1 anyway, this lost about half of the 12 entries, and
  // some uploads failed with 500 "index head is not a JSON object": it writes
  // objects in place, so a reader can get half of one.)
  if (lacks.conditionalPut) { t.skip(lacks.conditionalPut); return; }
  // As behind a load balancer: one public URL, hence one token issuer.
  const replica = await serve(0, ['--public-url', server.url]);
  try {
    const carol = await newUser(server.url, 'carol');
    const uploads = Array.from({ length: 12 }, (_, i) => {
      const form = new FormData();
      // Distinct bytes (after the JPEG's end), the user's values: no OCR.
      form.append('file', new Blob([receipt, Buffer.from(`#${i}`)], { type: 'image/jpeg' }), `r${i}.jpg`);
      form.append('fields', JSON.stringify({ vendor_name: `Shop ${i}`, total: `${i}.00` }));
      return fetch(`${(i % 2 ? replica : server).url}/invoices`, { method: 'POST', body: form, headers: carol.headers });
    });
    const created = await Promise.all(uploads.map(async (p) => {
      const res = await p;
      const json = await res.json();
      assert.equal(res.status, 201, JSON.stringify(json));
      return json.id;
    }));
    for (const srv of [server, replica]) {
      const list = await (await fetch(`${srv.url}/invoices?limit=100`, { headers: carol.headers })).json();
      assert.deepEqual(list.items.map((i) => i.id).sort(), [...created].sort());
    }
    for (const id of created) {
      assert.equal((await api(carol, `/invoices/${id}`, { method: 'DELETE' })).status, 204);
    }
  } finally {
    await replica.stop();
  }
});

test('S3 down: an upload answers 503 with Retry-After and leaves nothing behind', async () => {
  const before = await (await api(alice, '/invoices')).json();
  await s3.stop();
  try {
    const { res, json } = await upload(alice, other);
    assert.equal(res.status, 503, JSON.stringify(json));
    assert.ok(Number(res.headers.get('retry-after')) > 0, 'Retry-After');
    assert.equal(json.error.code, 'unavailable');
    const list = await api(alice, '/invoices');
    assert.equal(list.status, 503);
    assert.ok(list.headers.get('retry-after'));
  } finally {
    await s3.start();
  }
  // Up again: the same invoices as before, and uploads work.
  const after = await (await api(alice, '/invoices')).json();
  assert.deepEqual(after.items.map((i) => i.id), before.items.map((i) => i.id));
  const keys = await bucketKeys(`users/${alice.sub}/invoices/`);
  assert.deepEqual([...new Set(keys.map((k) => k.split('/')[3]))], [first.id]);
  const { res, json } = await upload(alice, other);
  assert.equal(res.status, 201, JSON.stringify(json));
  assert.equal((await api(alice, `/invoices/${json.id}`, { method: 'DELETE' })).status, 204);
});

test('delete removes the invoice from the list and its objects from the bucket', async () => {
  assert.equal((await api(alice, `/invoices/${first.id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await api(alice, `/invoices/${first.id}`)).status, 404);
  assert.equal((await api(alice, `/invoices/${first.id}/picture`, { redirect: 'manual' })).status, 404);
  assert.equal((await (await api(alice, '/invoices')).json()).items.length, 0);
  assert.deepEqual(await bucketKeys(`users/${alice.sub}/invoices/`), []);
});

test('after a restart of invoices serve on the same bucket, the users and the signing key are still there', async () => {
  const signingKey = await (await s3fetch(`${prefix}/auth/signing-key.pem`)).text();
  const port = new URL(server.url).port;
  await server.stop();
  server = await serve(port);
  // A token issued before the restart is still good: the pool's key came
  // back from the bucket (its issuer is the server's URL, hence the port).
  assert.equal((await api(alice, '/invoices')).status, 200);
  const config = await (await fetch(`${server.url}/config.json`)).json();
  const signIn = await cognito(config.auth.endpoint, 'InitiateAuth', {
    ClientId: config.auth.clientId, AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: alice.name, PASSWORD: alice.password },
  });
  assert.equal(signIn.status, 200, JSON.stringify(signIn.json));
  const token = signIn.json.AuthenticationResult.IdToken;
  const res = await fetch(`${server.url}/invoices`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.equal(await (await s3fetch(`${prefix}/auth/signing-key.pem`)).text(), signingKey);
});
