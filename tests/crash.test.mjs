// Nothing acknowledged is lost, nothing half-written is visible: `invoices
// serve` on a folder store is killed with SIGKILL in the middle of 40
// uploads, 16 at a time, of two users (most with their values, stored unread; a
// few real receipts, read by OCR), restarted on the same folder, and
// checked, three times with different kill moments:
//   - every upload answered 201 is there: GET 200, its original identical
//     byte for byte, listed;
//   - every listed invoice is whole, and is one of the uploads;
//   - no invoice.json without its original in the folder, and an original
//     without invoice.json (a create cut before its record) is invisible;
//   - retrying each unanswered upload with its Idempotency-Key, as a client
//     does, answers 200 with the invoice when the killed request had
//     written its record (listed already, or not yet when the kill fell
//     between the record and the index entry: the retry lists it), 201 when
//     it had not got that far, or 409 while its key is still reserved by the
//     dead request; after that, the listing is exactly the invoices some
//     answer acknowledged.
// Note: "listed == answered 201" cannot hold at the moment of the kill: a
// request can finish every write and die before its 201 is sent. Those are
// whole, listed, and the retry returns them (counted as "completed, answer
// lost").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, devImages, tempDir } from './lib/invoices.mjs';
import { newUser } from './lib/auth.mjs';
import { waitReady, uploadForm, postInvoice, listAll, pictureBytes, sha256, sleep } from './lib/traffic.mjs';

const UPLOADS = 40;
// In flight at once: the server takes 16 waiting uploads and one per OCR
// worker (2 here); more would be refused with 503 (a clean answer, which the
// test accepts, but then fewer writes would be cut by the kill).
const CONCURRENCY = 16;
const SCANS = 3; // real receipts per round, read by OCR
// Kill after this many 201s of the round: early, middle, late.
const KILL_AFTER = [3, 14, 30];

const receipt = readFileSync(path.join(devImages, 'X00016469612.jpg'));
// The smallest receipts read fastest.
const scanImages = readdirSync(devImages).filter((f) => f.endsWith('.jpg'))
  .map((f) => ({ f, size: readFileSync(path.join(devImages, f)).length }))
  .sort((a, b) => a.size - b.size).slice(0, SCANS * KILL_AFTER.length)
  .map(({ f }) => readFileSync(path.join(devImages, f)));

let dir; let server; let port; let users;
// Throttling off: the checks read every invoice back, more than a user's
// burst (tests/throttle.test.mjs covers throttling).
const NO_THROTTLE = ['--throttle-rate', '0', '--user-throttle-rate', '0'];
const args = () => ['--store', `file://${dir}`, '--port', String(port), ...NO_THROTTLE];

before(async () => {
  dir = tempDir('invoices-crash-');
  server = await startServer(['--store', `file://${dir}`, ...NO_THROTTLE]);
  port = new URL(server.url).port;
  await waitReady(server.url);
  users = [await newUser(server.url, 'crash-ann'), await newUser(server.url, 'crash-ben')];
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Every upload ever made: key -> { user, bytes, id (once acknowledged) }.
const uploads = new Map();
const acknowledged = new Map(); // id -> upload

async function checkFolder() {
  // In the folder: no record without its original.
  for (const user of users) {
    const base = path.join(dir, 'users', user.sub, 'invoices');
    if (!existsSync(base)) continue;
    for (const id of readdirSync(base)) {
      const files = readdirSync(path.join(base, id));
      if (files.includes('invoice.json')) {
        assert.ok(files.some((f) => f.startsWith('original.')), `${id}: invoice.json without its original`);
      } else {
        // A create cut before its record: invisible.
        assert.equal((await fetch(`${server.url}/invoices/${id}`, { headers: user.headers })).status, 404, id);
      }
    }
  }
}

async function checkListed(expected) {
  for (const user of users) {
    const listed = await listAll(server.url, user);
    const ids = listed.map((i) => i.id);
    assert.equal(new Set(ids).size, ids.length, 'an invoice listed twice');
    for (const id of ids) {
      const upload = acknowledged.get(id) ?? expected.get(id);
      assert.ok(upload, `listed but never uploaded: ${id}`);
      assert.equal(upload.user, user, `${id} is listed for the wrong user`);
    }
    const mine = [...expected].filter(([, u]) => u.user === user).map(([id]) => id);
    assert.deepEqual([...ids].sort(), mine.sort(), `${user.name}: the listing is exactly what was acknowledged`);
  }
}

async function checkWhole(id, upload) {
  const got = await fetch(`${server.url}/invoices/${id}`, { headers: upload.user.headers });
  assert.equal(got.status, 200, `GET ${id}`);
  const json = await got.json();
  assert.equal(json.picture.sha256, sha256(upload.bytes), `${id}: the record names other bytes`);
  const picture = await pictureBytes(server.url, upload.user, id);
  assert.equal(picture.status, 200, `picture of ${id}`);
  assert.ok(picture.bytes.equals(upload.bytes), `${id}: the original differs from the upload`);
}

for (const [round, killAfter] of KILL_AFTER.entries()) {
  test(`round ${round + 1}: SIGKILL after ${killAfter} acknowledged uploads, restart, nothing lost or half-written`, async () => {
    const batch = [];
    for (let i = 0; i < UPLOADS; ++i) {
      const user = users[i % 2];
      const key = `crash-${round}-${i}`;
      const scan = i < SCANS;
      // Distinct bytes per upload (a JPEG reads the same with bytes after
      // its end), so that each original can be told apart.
      const bytes = scan ? scanImages[round * SCANS + i] : Buffer.concat([receipt, Buffer.from(`#${key}`)]);
      const upload = { user, bytes, key, scan };
      uploads.set(key, upload);
      batch.push(upload);
    }
    const send = (u) => postInvoice(server.url, u.user, uploadForm(u.bytes, {
      fields: u.scan ? undefined : { vendor_name: `Crash shop ${u.key}`, total: `${u.key.length}.00` },
      name: `${u.key}.jpg`,
    }), { 'idempotency-key': u.key });

    // CONCURRENCY at a time, the next one sent as soon as one is answered,
    // until the kill; those after it find no server (unanswered too).
    let ok = 0; let killed = null; let next = 0;
    const victim = server;
    const answers = new Array(batch.length);
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < batch.length) {
        const i = next++;
        const r = await send(batch[i]);
        answers[i] = r;
        if (r.status === 201 && ++ok === killAfter && !killed) {
          killed = victim.stop('SIGKILL');
        }
      }
    }));
    await (killed ?? victim.stop('SIGKILL'));
    let answered = 0; let busy = 0;
    for (const [i, r] of answers.entries()) {
      const u = batch[i];
      if (r.status === 0) continue; // cut by the kill
      // Whatever came back before the kill is a proper answer: 201, or
      // 503 with Retry-After from a full OCR queue (nothing stored).
      if (r.status === 503) {
        assert.equal(r.json.error.code, 'unavailable', JSON.stringify(r.json));
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
        ++busy;
        continue;
      }
      assert.equal(r.status, 201, `${u.key}: ${r.status} ${JSON.stringify(r.json)}`);
      ++answered;
      u.id = r.json.id;
      acknowledged.set(u.id, u);
    }
    const inFlight = batch.filter((u) => !u.id);

    // Restart on the same folder (and port: the tokens name it as issuer).
    server = await startServer(args());
    await waitReady(server.url);

    // Every acknowledged upload, of this round and the earlier ones.
    let recovered = 0;
    for (const [id, u] of acknowledged) {
      await checkWhole(id, u);
      if (batch.includes(u)) ++recovered;
    }
    assert.equal(recovered, answered);
    await checkFolder();
    // Listed now: the acknowledged ones and, of the unanswered, only whole
    // invoices (a request that finished before the kill took its 201).
    let completedUnanswered = 0;
    for (const user of users) {
      for (const item of await listAll(server.url, user)) {
        if (acknowledged.has(item.id)) continue;
        const got = await fetch(`${server.url}/invoices/${item.id}`, { headers: user.headers });
        assert.equal(got.status, 200, `listed but not readable: ${item.id}`);
        const { picture } = await got.json();
        const u = inFlight.find((x) => x.user === user && sha256(x.bytes) === picture.sha256);
        assert.ok(u, `listed but not one of this round's unanswered uploads: ${item.id}`);
        await checkWhole(item.id, u);
        ++completedUnanswered;
      }
    }
    // The client retries every unanswered upload with its key.
    let replayed = 0; let created = 0; let reserved = 0;
    for (const u of inFlight) {
      let r = await send(u);
      for (let attempt = 0; r.status === 503 && attempt < 20; ++attempt) {
        await sleep(500);
        r = await send(u);
      }
      if (r.status === 200) {
        assert.equal(r.headers.get('idempotent-replayed'), 'true');
        ++replayed;
      } else if (r.status === 201) {
        ++created;
      } else {
        // The dead request reserved the key and got no further.
        assert.equal(r.status, 409, `${u.key}: ${r.status} ${JSON.stringify(r.json)}`);
        assert.equal(r.json.error.code, 'already_exists');
        ++reserved;
        continue;
      }
      u.id = r.json.id;
      acknowledged.set(u.id, u);
      await checkWhole(u.id, u);
    }
    await checkListed(acknowledged);
    // The retry returns every completed one; also those whose record was
    // written but whose index entry was not (the kill fell between the
    // two), which it lists.
    assert.ok(replayed >= completedUnanswered, `${replayed} replayed, ${completedUnanswered} were listed`);
    console.log(`crash round ${round + 1}: ${UPLOADS} uploads ${CONCURRENCY} at a time (${SCANS} scanned), SIGKILL after `
      + `${killAfter} 201s: acknowledged ${answered}, recovered ${recovered}; ${busy} refused 503 (OCR queue full), `
      + `${inFlight.length - busy} cut by the kill or sent after it; all ${inFlight.length} retried after the restart: `
      + `${completedUnanswered} completed before the kill (listed, whole) and ${replayed - completedUnanswered} `
      + `with their record but not yet listed: the retry answered 200 with all ${replayed} (and listed them), `
      + `${created} created by the retry, ${reserved} refused 409 (key still reserved by the dead request); `
      + `listed in all ${acknowledged.size} = acknowledged in all ${acknowledged.size}`);
  });
}
