// POST /scan on a real `invoices serve` with real Tesseract OCR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, devImages, tempDir } from './lib/invoices.mjs';
import { newUser } from './lib/auth.mjs';

let server;
let user;
before(async () => {
  server = await startServer(['--store', `file://${tempDir()}`]);
  user = await newUser(server.url);
});
after(async () => { assert.equal(await server.stop(), 0, 'graceful exit on SIGTERM'); });

const receipt = readFileSync(path.join(devImages, 'X00016469676.jpg'));

async function scan(body, contentType) {
  const res = await fetch(`${server.url}/scan`, {
    method: 'POST', body,
    headers: { ...user.headers, ...(contentType ? { 'content-type': contentType } : {}) },
  });
  return { res, json: await res.json() };
}

test('healthz answers without a token', async () => {
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  assert.ok(res.headers.get('x-request-id'));
});

test('a receipt photo gives the SCHEMA.md object', async () => {
  const { res, json } = await scan(receipt, 'image/jpeg');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.deepEqual(Object.keys(json),
    ['file', 'document', 'fields', 'line_items', 'warnings', 'text', 'timings_ms']);
  assert.equal(json.document.mime, 'image/jpeg');
  assert.equal(json.document.width, 463);
  assert.equal(json.document.height, 797);
  assert.equal(json.document.source, 'ocr');
  assert.match(json.text, /TOTAL/i);
  assert.equal(json.fields.total?.value, '20.00');
  assert.equal(json.fields.invoice_date?.value, '2019-01-23');
  const [x0, y0, x1, y1] = json.fields.total.bbox;
  assert.ok(x0 < x1 && y0 < y1 && x1 <= 463 && y1 <= 797, 'bbox inside the page');
  assert.ok(json.fields.total.confidence > 0 && json.fields.total.confidence <= 1);
  for (const [name, f] of Object.entries(json.fields)) {
    assert.notEqual(f.value, '', `${name} is never empty`);
  }
  assert.ok(json.timings_ms.total >= json.timings_ms.ocr);
});

test('multipart upload in the field "file"', async () => {
  const form = new FormData();
  form.append('file', new Blob([receipt], { type: 'image/jpeg' }), 'receipt.jpg');
  const res = await fetch(`${server.url}/scan`, { method: 'POST', body: form, headers: user.headers });
  const json = await res.json();
  assert.equal(res.status, 200);
  assert.equal(json.file, 'receipt.jpg');
  assert.equal(json.fields.total?.value, '20.00');
});

test('a declared type that does not match the content is reported', async () => {
  const { res, json } = await scan(receipt, 'image/png');
  assert.equal(res.status, 200);
  assert.ok(json.warnings.some((w) => /declared type image\/png/.test(w)));
});

test('bad input gets a clear error and the server keeps serving', async () => {
  const cases = [
    { name: 'empty body', body: new Uint8Array(0), type: 'image/jpeg', status: 400, code: 'invalid_argument' },
    { name: 'not an image', body: 'hello, this is text', type: 'image/jpeg', status: 400, code: 'invalid_argument' },
    { name: 'truncated JPEG', body: receipt.subarray(0, receipt.length / 3), type: 'image/jpeg', status: 400, code: 'invalid_argument' },
    { name: 'GIF', body: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00'), type: 'image/gif', status: 415, code: 'unsupported_media_type' },
  ];
  // A JPEG whose header declares 10000 x 10000 pixels (100 MP > 64 MP).
  const huge = Buffer.from(receipt);
  for (let i = 2; i < huge.length - 9; i++) {
    if (huge[i] === 0xff && huge[i + 1] === 0xc0) {
      huge.writeUInt16BE(10000, i + 5);
      huge.writeUInt16BE(10000, i + 7);
      break;
    }
  }
  cases.push({ name: '100 megapixels', body: huge, type: 'image/jpeg', status: 413, code: 'too_large' });
  for (const c of cases) {
    const { res, json } = await scan(c.body, c.type);
    assert.equal(res.status, c.status, c.name);
    assert.equal(json.error?.code, c.code, c.name);
    assert.ok(json.error.message.length > 10, `${c.name}: a message a person can read`);
    assert.ok(json.error.request_id, `${c.name}: request id`);
  }
  const again = await scan(receipt, 'image/jpeg');
  assert.equal(again.res.status, 200);
});

test('a body over the limit is refused with 413', async () => {
  const big = new Uint8Array(11 * 1024 * 1024);
  big.set([0xff, 0xd8, 0xff], 0);
  const res = await fetch(`${server.url}/scan`, { method: 'POST', body: big, headers: { ...user.headers, 'content-type': 'image/jpeg' } });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, 'too_large');
});

test('scanning needs a token', async () => {
  const res = await fetch(`${server.url}/scan`, { method: 'POST', body: receipt, headers: { 'content-type': 'image/jpeg' } });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.code, 'unauthenticated');
});

test('unknown routes and methods', async () => {
  const res = await fetch(`${server.url}/nope.json`);
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error.code, 'not_found');
  const wrong = await fetch(`${server.url}/scan`, { method: "DELETE", headers: user.headers });
  assert.equal(wrong.status, 405);
});

test('every request is in the access log, one JSON line each, with the user', async () => {
  await new Promise((resolve) => setTimeout(resolve, 100));
  const lines = server.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const scans = lines.filter((l) => l.route === 'POST /scan' && l.status === 200);
  assert.ok(scans.length >= 1);
  assert.equal(scans[0].user, user.sub);
  assert.ok(scans[0].bytes_in > 0 && scans[0].latency_ms > 0);
  assert.ok(lines.some((l) => l.status === 401 && l.user === undefined));
});

test('/metrics counts requests by route in the Prometheus text format', async () => {
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain/);
  const text = await res.text();
  const scans = text.match(/^invoices_requests_total\{route="POST \/scan",status="2xx"\} (\d+)$/m);
  assert.ok(scans && Number(scans[1]) >= 3, text.slice(0, 400));
  assert.match(text, /^invoices_request_duration_ms_bucket\{route="POST \/scan",le="\+Inf"\} \d+$/m);
  assert.match(text, /^invoices_ocr_queue_depth \d+$/m);
});
