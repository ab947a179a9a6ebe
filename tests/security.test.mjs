// Hostile clients against `invoices serve` (docs/SECURITY.md names the
// threat each test covers): another user's ids, path traversal in ids, CORS
// from an unknown origin, an oversized body, a client that trickles its
// header, HTML and SVG uploaded to be served back as active content, and
// spreadsheet formulas in an exported vendor name. Forged and expired tokens
// are tests/auth.test.mjs's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { startServer, devImages, tempDir } from './lib/invoices.mjs';
import { newUser } from './lib/auth.mjs';
import { waitReady, uploadForm, postInvoice, sleep } from './lib/traffic.mjs';

const receipt = readFileSync(path.join(devImages, 'X00016469612.jpg'));
const ALLOWED_ORIGIN = 'https://app.example.test';
const MAX_BODY = 1 << 20;

let server; let dir; let host; let port; let alice; let bob; let aliceId; let aliceEtag;

before(async () => {
  dir = tempDir('invoices-security-');
  server = await startServer(['--store', `file://${dir}/data`,
    '--cors-origins', ALLOWED_ORIGIN, '--max-body', String(MAX_BODY)]);
  await waitReady(server.url);
  ({ hostname: host, port } = new URL(server.url));
  alice = await newUser(server.url, 'sec-alice');
  bob = await newUser(server.url, 'sec-bob');
  const r = await postInvoice(server.url, alice, uploadForm(Buffer.concat([receipt, Buffer.from('#a')]), {
    fields: { vendor_name: 'Alice Private Ltd', total: '42.00' },
  }));
  assert.equal(r.status, 201, JSON.stringify(r.json));
  aliceId = r.json.id;
  aliceEtag = r.headers.get('etag');
});
after(async () => { await server?.stop(); });

// One raw HTTP/1.1 exchange over a socket: `target` goes out exactly as
// given (fetch would normalise dots and encodings). Resolves { status,
// headers, body } or { status: 0 } when the server closed without answering.
function raw(target, { method = 'GET', headers = {}, body = '' } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let data = Buffer.alloc(0);
    socket.on('data', (d) => { data = Buffer.concat([data, d]); });
    socket.on('error', () => {});
    socket.on('close', () => {
      const text = data.toString('latin1');
      const m = text.match(/^HTTP\/1\.1 (\d{3})/);
      if (!m) return resolve({ status: 0 });
      const end = text.indexOf('\r\n\r\n');
      const head = {};
      for (const line of text.slice(0, end).split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        head[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      return resolve({ status: Number(m[1]), headers: head, body: text.slice(end + 4) });
    });
    const lines = [`${method} ${target} HTTP/1.1`, `Host: ${host}:${port}`, 'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
    setTimeout(() => reject(new Error(`no answer to ${method} ${target.slice(0, 80)}`)), 30000).unref();
  });
}

test("another user's invoice does not exist for you: 404 on GET, PATCH, DELETE and picture, and it stays unchanged", async () => {
  for (const [method, suffix, body] of [['GET', ''], ['PATCH', '', '{"fields":{"total":"0.01"}}'],
    ['DELETE', ''], ['GET', '/picture']]) {
    const res = await fetch(`${server.url}/invoices/${aliceId}${suffix}`, {
      method, body, headers: { ...bob.headers, 'content-type': 'application/merge-patch+json' },
    });
    assert.equal(res.status, 404, `${method} ${suffix}`);
    assert.doesNotMatch(await res.text(), /Alice Private/);
  }
  // Any other method: the same answer as for an id that exists nowhere.
  for (const method of ['HEAD', 'PUT', 'POST']) {
    const theirs = await fetch(`${server.url}/invoices/${aliceId}`, { method, headers: bob.headers });
    const nobodys = await fetch(`${server.url}/invoices/01ARZ3NDEKTSV4RRFFQ69G5FAV`, { method, headers: bob.headers });
    assert.equal(theirs.status, nobodys.status, method);
  }
  // The same answer as for an id that exists nowhere: nothing to probe.
  const none = await fetch(`${server.url}/invoices/01ARZ3NDEKTSV4RRFFQ69G5FAV`, { headers: bob.headers });
  assert.equal(none.status, 404);
  assert.equal((await none.json()).error.code, 'not_found');
  const still = await fetch(`${server.url}/invoices/${aliceId}`, { headers: alice.headers });
  assert.equal(still.status, 200);
  assert.equal(still.headers.get('etag'), aliceEtag);
  assert.equal((await fetch(`${server.url}/invoices`, { headers: bob.headers }).then((r) => r.json())).items.length, 0);
});

test('path traversal and malformed ids: 400 or 404, never 500, never somebody else\'s data', async () => {
  const sub = encodeURIComponent(alice.sub);
  const targets = [
    '/invoices/..%2F..%2Fetc%2Fpasswd',
    '/invoices/..%2f..%2f..%2f..%2fetc%2fpasswd/picture',
    '/invoices/%2e%2e/%2e%2e/etc/passwd',
    '/invoices/../../etc/passwd',
    `/invoices/..%2F..%2Fusers%2F${sub}%2Finvoices%2F${aliceId}`,
    `/invoices/..%2F..%2F${sub}%2Finvoices%2F${aliceId}/picture`,
    `/invoices/${aliceId}%2F..%2F..%2F..%2Fauth%2Fsigning-key.pem`,
    `/invoices/${aliceId}/picture/..%2F..%2F..%2F..%2Fauth%2Fsigning-key.pem`,
    `/invoices/%2F${aliceId}`,
    `/invoices/${aliceId}%00`,
    `/invoices/${aliceId}%2500`,
    `/invoices/${aliceId.toLowerCase()}`,
    `/invoices/${'A'.repeat(26)}%2F${'B'.repeat(26)}`,
    `/invoices/${'A'.repeat(4000)}`,
    `/invoices/${'..%2F'.repeat(500)}etc%2Fpasswd`,
    '/invoices/%C0%AE%C0%AE%2F%C0%AE%C0%AE%2Fetc%2Fpasswd',
    '/invoices/%ZZ',
    '/invoices?cursor=..%2F..%2Fauth',
    `/invoices?cursor=${'A'.repeat(3000)}`,
  ];
  const seen = {};
  for (const target of targets) {
    const r = await raw(target, { headers: bob.headers });
    seen[r.status] = (seen[r.status] ?? 0) + 1;
    assert.ok([400, 404, 405, 414, 431].includes(r.status), `${target.slice(0, 100)}: ${r.status} ${r.body?.slice(0, 200)}`);
    assert.doesNotMatch(r.body, /Alice Private|root:|BEGIN (RSA |EC )?PRIVATE KEY/, target);
  }
  // A header beyond the server's limit is refused whole.
  const huge = await raw(`/invoices/${'A'.repeat(20000)}`, { headers: bob.headers });
  assert.ok([400, 414, 431].includes(huge.status) || huge.status === 0, `huge target: ${huge.status}`);
  console.log(`security: ${targets.length + 1} traversal and malformed targets answered ${JSON.stringify(seen)}`
    + ` and ${huge.status} for a 20 kB target`);
  // Alice's own invoice by a dotted path is still only hers.
  const dotted = await raw(`/invoices/../invoices/${aliceId}`, { headers: bob.headers });
  assert.ok([400, 404].includes(dotted.status), `dotted: ${dotted.status}`);
});

test('CORS: an unknown origin gets no Access-Control-Allow-Origin, the configured one does', async () => {
  for (const origin of ['https://evil.example', 'null', `${ALLOWED_ORIGIN}.evil.example`, 'http://app.example.test']) {
    const preflight = await fetch(`${server.url}/invoices`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null, `preflight from ${origin}`);
    assert.equal(preflight.headers.get('access-control-allow-methods'), null, `preflight from ${origin}`);
    const get = await fetch(`${server.url}/invoices`, { headers: { ...alice.headers, origin } });
    assert.equal(get.headers.get('access-control-allow-origin'), null, `GET from ${origin}`);
    assert.equal(get.headers.get('access-control-allow-credentials'), null);
  }
  const ok = await fetch(`${server.url}/invoices`, { headers: { ...alice.headers, origin: ALLOWED_ORIGIN } });
  assert.equal(ok.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
});

test('a body over --max-body is refused with 413 before it is read', async () => {
  // Only the header is sent: the declared length alone is refused.
  const r = await new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let data = '';
    socket.on('data', (d) => { data += d; });
    socket.on('error', () => {});
    socket.on('close', () => resolve(data));
    socket.write(['POST /invoices HTTP/1.1', `Host: ${host}`, `Authorization: ${alice.headers.authorization}`,
      'Content-Type: image/jpeg', `Content-Length: ${MAX_BODY * 4}`, '', ''].join('\r\n'));
    setTimeout(() => reject(new Error('no answer to an oversized body')), 30000).unref();
  });
  assert.match(r, /^HTTP\/1\.1 413 /);
  assert.match(r, /"code":"too_large"/);
  // Sent in full with fetch, the same.
  const res = await fetch(`${server.url}/invoices`, {
    method: 'POST', body: Buffer.alloc(MAX_BODY + 1, 0xff), headers: { ...alice.headers, 'content-type': 'image/jpeg' },
  }).catch((e) => ({ status: `no answer: ${e.cause?.code ?? e}` }));
  assert.equal(res.status, 413);
});

test('a client that trickles its header is cut off by the server, which keeps serving others', async () => {
  // The gateway gives a request 10 s by default (`--header-timeout`) from
  // its first byte to the end of its header; tests/gateway.test.mjs checks a
  // shorter one. One byte a second of a header that never ends.
  const start = Date.now();
  const header = `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Slow: ${'a'.repeat(60)}`;
  let sent = 0;
  let answered = false;
  const closed = await new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.on('data', () => { answered = true; });
    socket.on('error', () => {});
    socket.on('close', () => resolve(true));
    const timer = setInterval(() => {
      if (sent >= header.length || socket.destroyed) {
        clearInterval(timer);
        if (!socket.destroyed) { socket.destroy(); resolve(false); }
        return;
      }
      socket.write(header[sent++]);
    }, 1000);
  });
  // Meanwhile others are served.
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  assert.ok(closed, 'the server closed the connection');
  assert.ok(sent < header.length, `cut after ${sent} of ${header.length} bytes`);
  assert.equal(answered, false, 'a trickled header gets no answer');
  console.log(`security: a header sent one byte a second was cut after ${sent} bytes `
    + `(${((Date.now() - start) / 1000).toFixed(1)} s)`);
});

test('HTML and SVG are never served back as active content', async () => {
  const svg = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    + '<script>alert(document.domain)</script></svg>';
  const xhtml = '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>Invoice'
    + '<script>alert(document.cookie)</script></body></html>';
  const html = '<!DOCTYPE html><html><body><script>alert(1)</script>Invoice</body></html>';
  const outcomes = [];
  for (const [name, bytes, type] of [['invoice.svg', svg, 'image/svg+xml'], ['invoice.xhtml', xhtml, 'text/html'],
    ['invoice.html', html, 'text/html'], ['photo.jpg', html, 'image/jpeg']]) {
    for (const fields of [{ total: '1.00' }, undefined]) {
      const r = await postInvoice(server.url, alice, uploadForm(Buffer.from(bytes), { fields, name, type }));
      if (r.status !== 201) {
        // Refused: not a document the system keeps.
        assert.ok([400, 415].includes(r.status), `${name}: ${r.status} ${JSON.stringify(r.json)}`);
        outcomes.push(`${name}${fields ? ' with fields' : ''}: ${r.status}`);
        continue;
      }
      const res = await fetch(`${server.url}/invoices/${r.json.id}/picture`, { headers: alice.headers });
      assert.equal(res.status, 200);
      const ctype = res.headers.get('content-type');
      assert.doesNotMatch(ctype, /html|svg|javascript/i, `${name} served as ${ctype}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment;/, `${name}: not a download`);
      assert.match(res.headers.get('content-security-policy') ?? '', /sandbox/);
      assert.equal(await res.text(), bytes);
      outcomes.push(`${name}${fields ? ' with fields' : ''}: stored, served as ${ctype}, attachment`);
    }
  }
  console.log(`security: active content: ${outcomes.join('; ')}`);
  // A photo is still shown inline.
  const photo = await fetch(`${server.url}/invoices/${aliceId}/picture`, { headers: alice.headers });
  assert.equal(photo.headers.get('content-type'), 'image/jpeg');
  assert.equal(photo.headers.get('content-disposition'), null);
});

// RFC 4180 rows (quoted fields may hold commas, quotes and line breaks).
function parseCsv(text) {
  const rows = []; let row = []; let cell = ''; let quoted = false;
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; ++i; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell); rows.push(row); row = []; cell = ''; ++i;
    } else cell += c;
  }
  return rows;
}

test('CSV export: a vendor name a spreadsheet would run as a formula is neutralised', async () => {
  const carol = await newUser(server.url, 'sec-carol');
  const names = ['=HYPERLINK("http://x","y")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1,2)', '\t=1+1', '\r=1+1',
    '=cmd|\' /C notepad\'!A1'];
  for (const [i, vendor_name] of names.entries()) {
    const r = await postInvoice(server.url, carol, uploadForm(Buffer.concat([receipt, Buffer.from(`#csv${i}`)]), {
      fields: { vendor_name, vendor_address: vendor_name, total: '1.00' },
    }));
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.fields.vendor_name, vendor_name, 'kept as typed in the API');
  }
  const res = await fetch(`${server.url}/invoices/export.csv`, { headers: carol.headers });
  assert.equal(res.status, 200);
  const rows = parseCsv(await res.text());
  const header = rows[0];
  const col = header.indexOf('vendor_name');
  const addr = header.indexOf('vendor_address');
  const cells = rows.slice(1).flatMap((r) => [r[col], r[addr]]);
  assert.equal(cells.length, names.length * 2);
  for (const cell of cells) {
    assert.ok(cell.startsWith("'"), `not neutralised: ${JSON.stringify(cell)}`);
    assert.ok(names.includes(cell.slice(1)), `changed beyond the quote: ${JSON.stringify(cell)}`);
  }
  // A negative amount is a number, not a formula: left as is.
  const neg = await postInvoice(server.url, carol, uploadForm(Buffer.concat([receipt, Buffer.from('#neg')]), {
    fields: { vendor_name: 'Refund', total: '-5.00' },
  }));
  assert.equal(neg.status, 201);
  const again = parseCsv(await (await fetch(`${server.url}/invoices/export.csv`, { headers: carol.headers })).text());
  assert.equal(again[1][again[0].indexOf('total')], '-5.00');
});

test('the folder store keeps the signing key, password hashes and invoices to its owner', () => {
  const data = path.join(dir, 'data');
  const mode = (p) => statSync(p).mode & 0o777;
  assert.equal(mode(data), 0o700, 'the store folder');
  assert.equal(mode(path.join(data, 'auth', 'signing-key.pem')), 0o600);
  const users = path.join(data, 'auth', 'users');
  for (const f of readdirSync(users)) assert.equal(mode(path.join(users, f)), 0o600, f);
  const folder = path.join(data, 'users', alice.sub, 'invoices', aliceId);
  assert.equal(mode(folder), 0o700);
  for (const f of readdirSync(folder)) assert.equal(mode(path.join(folder, f)), 0o600, f);
});

test('the server survived all of the above', async () => {
  await sleep(10);
  assert.equal(server.child.exitCode, null);
  assert.equal((await fetch(`${server.url}/invoices/${aliceId}`, { headers: alice.headers })).status, 200);
});
