// Keeping invoices: upload (savePicture), list, search, correct, export,
// download and delete, on a real `invoices serve` with a folder store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { startServer, devImages, tempDir, runCli, invoiceApi } from './lib/invoices.mjs';
import { newUser } from './lib/auth.mjs';

const receipt = readFileSync(path.join(devImages, 'X00016469676.jpg'));
let server; let dir; let alice; let bob;
before(async () => {
  dir = tempDir();
  server = await startServer(['--store', `file://${dir}`]);
  alice = await newUser(server.url, 'alice');
  bob = await newUser(server.url, 'bob');
});
after(async () => { await server.stop(); });

const { api, upload } = invoiceApi(() => server.url, receipt);

let first;
test('an upload is read, kept byte for byte, and answered with 201 and its Location', async () => {
  const { res, json } = await upload(alice);
  assert.equal(res.status, 201, JSON.stringify(json));
  assert.equal(res.headers.get('location'), `/invoices/${json.id}`);
  assert.match(json.id, /^[0-9A-Z]{26}$/);
  assert.equal(json.fields.total, '20.00');
  assert.equal(json.extraction.fields.total.value, '20.00');
  assert.deepEqual(json.corrections, {});
  assert.equal(json.picture.content_type, 'image/jpeg');
  assert.equal(json.picture.bytes, receipt.length);
  assert.equal(json.picture.sha256, createHash('sha256').update(receipt).digest('hex'));
  // The storage layout of ARCHITECTURE.md, under the user's sub.
  const folder = path.join(dir, 'users', alice.sub, 'invoices', json.id);
  assert.deepEqual(readFileSync(path.join(folder, 'original.jpg')), receipt);
  assert.ok(existsSync(path.join(folder, 'invoice.json')));
  first = json;
});

test('the same bytes again are a probable duplicate, never merged', async () => {
  const { res, json } = await upload(alice);
  assert.equal(res.status, 201);
  assert.notEqual(json.id, first.id);
  assert.equal(json.duplicate_of, first.id);
  await api(alice, `/invoices/${json.id}`, { method: 'DELETE' });
});

test('Idempotency-Key makes a retried upload return the same invoice', async () => {
  const key = `retry-${Date.now()}`;
  const a = await upload(alice, receipt, { 'idempotency-key': key });
  const b = await upload(alice, receipt, { 'idempotency-key': key });
  assert.equal(b.json.id, a.json.id);
  assert.ok([200, 201].includes(b.res.status));
  await api(alice, `/invoices/${a.json.id}`, { method: 'DELETE' });
});

test('list, search and filters find it; another user sees nothing of it', async () => {
  const list = await (await api(alice, '/invoices')).json();
  assert.equal(list.items.length, 1);
  assert.equal(list.items[0].id, first.id);
  assert.equal(list.items[0].fields.total, '20.00');
  const found = await (await api(alice, '/invoices?q=rengit')).json();
  assert.deepEqual(found.items.map((i) => i.id), [first.id]);
  const none = await (await api(alice, '/invoices?min_total=100')).json();
  assert.equal(none.items.length, 0);
  const dated = await (await api(alice, '/invoices?from=2019-01-01&to=2019-01-31')).json();
  assert.deepEqual(dated.items.map((i) => i.id), [first.id]);
  assert.equal((await api(alice, '/invoices?from=yesterday')).status, 400);
  assert.equal((await api(alice, '/invoices?cursor=%%%')).status, 400);

  assert.equal((await (await api(bob, '/invoices')).json()).items.length, 0);
  for (const [method, p] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['GET', '/picture']]) {
    const res = await api(bob, `/invoices/${first.id}${p}`, {
      method, body: method === 'PATCH' ? JSON.stringify({ fields: { total: '1.00' } }) : undefined,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 404, `${method} ${p}: another user's invoice does not exist for bob`);
  }
});

test('corrections are kept apart from what was read, with If-Match against lost updates', async () => {
  const got = await api(alice, `/invoices/${first.id}`);
  const etag = got.headers.get('etag');
  assert.ok(etag);
  const patch = (body, ifMatch) => api(alice, `/invoices/${first.id}`, {
    method: 'PATCH', body: JSON.stringify(body),
    headers: { 'content-type': 'application/merge-patch+json', ...(ifMatch ? { 'if-match': ifMatch } : {}) },
  });
  const ok = await patch({ fields: { vendor_name: 'S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.' } }, etag);
  const patched = await ok.json();
  assert.equal(ok.status, 200, JSON.stringify(patched));
  assert.equal(patched.fields.vendor_name, 'S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.');
  assert.equal(patched.corrections.vendor_name, 'S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.');
  assert.notEqual(patched.extraction.fields.vendor_name?.value, patched.fields.vendor_name);
  // The old ETag no longer matches.
  assert.equal((await patch({ fields: { total: '21.00' } }, etag)).status, 412);
  const bad = await patch({ fields: { invoice_date: '31/02/2019' } });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error.message, /invoice_date/);
  assert.equal((await patch({ fields: { total: 'twenty' } })).status, 400);
  // null removes a correction.
  const undone = await (await patch({ fields: { vendor_name: null } })).json();
  assert.equal(undone.corrections.vendor_name, undefined);
  await patch({ fields: { vendor_name: 'S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.' } });
  const byVendor = await (await api(alice, '/invoices?vendor=motor')).json();
  assert.deepEqual(byVendor.items.map((i) => i.id), [first.id]);
});

test('the picture comes back as uploaded', async () => {
  const res = await api(alice, `/invoices/${first.id}/picture`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/jpeg');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), receipt);
});

test('CSV export of the filtered list', async () => {
  const res = await api(alice, '/invoices/export.csv?q=motor');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  const lines = (await res.text()).trim().split(/\r?\n/);
  assert.match(lines[0], /^id,created_at,status,/);
  assert.equal(lines.length, 2);
  assert.ok(lines[1].startsWith(first.id));
  assert.match(lines[1], /"S\.H\.H\. MOTOR \(SUNGAI RENGIT\) SDN\. BHD\."|S\.H\.H\. MOTOR/);
  assert.match(lines[1], /20\.00/);
});

test('unreadable uploads store nothing; unknown and malformed ids', async () => {
  const before = readdirSync(path.join(dir, 'users', alice.sub, 'invoices')).length;
  const { res, json } = await upload(alice, Buffer.from('not an image'));
  assert.equal(res.status, 400);
  assert.equal(json.error.code, 'invalid_argument');
  assert.equal(readdirSync(path.join(dir, 'users', alice.sub, 'invoices')).length, before);
  assert.equal((await api(alice, '/invoices/01ARZ3NDEKTSV4RRFFQ69G5FAV')).status, 404);
  assert.equal((await api(alice, '/invoices/not-an-id')).status, 400);
  assert.equal((await fetch(`${server.url}/invoices`)).status, 401);
});

test('invoices reindex rebuilds a lost index from the invoices themselves', async () => {
  rmSync(path.join(dir, 'users', alice.sub, 'index'), { recursive: true, force: true });
  assert.equal((await (await api(alice, '/invoices')).json()).items.length, 0);
  const r = runCli(['reindex', '--all', '--store', `file://${dir}`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${alice.sub}: 1 invoices indexed`));
  const list = await (await api(alice, '/invoices')).json();
  assert.deepEqual(list.items.map((i) => i.id), [first.id]);
  assert.equal(list.items[0].fields.vendor_name, 'S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.');
});

test('delete removes it from the list and from the store', async () => {
  assert.equal((await api(alice, `/invoices/${first.id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await api(alice, `/invoices/${first.id}`)).status, 404);
  assert.equal((await (await api(alice, '/invoices')).json()).items.length, 0);
  assert.ok(!existsSync(path.join(dir, 'users', alice.sub, 'invoices', first.id, 'original.jpg')));
});
