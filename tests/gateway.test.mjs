// The gateway of `invoices serve` (issue 7), beyond what the other files
// cover:
//  - its timeouts, set by --header-timeout, --body-timeout, --idle-timeout
//    (seconds): a client that trickles its header (slowloris) or its body, or
//    keeps an idle keep-alive connection, is cut after the configured time,
//    and others are served meanwhile. Small values here, so that each cut is
//    quick and far from the defaults (10, 60, 30 s);
//  - GET /invoices served from the repository's cache of parsed index
//    objects (what keeps it fast under load), seen at /metrics.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, runCli, tempDir, devImages } from './lib/invoices.mjs';
import { newUser } from './lib/auth.mjs';
import { uploadForm, postInvoice } from './lib/traffic.mjs';

// Opens a connection and calls `drive(socket)`; resolves {closedAfterMs,
// data} when the server closes it, or {closedAfterMs: null} after `limitMs`.
function watchConnection(url, drive, limitMs) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const start = Date.now();
    let data = '';
    const socket = net.connect(Number(port), hostname, () => drive(socket, start));
    socket.on('data', (d) => { data += d; });
    socket.on('error', () => {});
    socket.on('close', () => { clearTimeout(timer); resolve({ closedAfterMs: Date.now() - start, data }); });
    const timer = setTimeout(() => { socket.destroy(); resolve({ closedAfterMs: null, data }); }, limitMs);
  });
}

test('serve --help documents the three timeouts', () => {
  const r = runCli(['serve', '--help']);
  assert.equal(r.status, 0, r.stderr);
  for (const [flag, env, def] of [['--header-timeout', 'INVOICES_HEADER_TIMEOUT', '10'],
    ['--body-timeout', 'INVOICES_BODY_TIMEOUT', '60'], ['--idle-timeout', 'INVOICES_IDLE_TIMEOUT', '30']]) {
    const line = r.stdout.split('\n').findIndex((l) => l.includes(flag));
    assert.ok(line >= 0, `${flag} in:\n${r.stdout}`);
    // "--header-timeout FLOAT:FLOAT in [0.001 - 86400]=10 (Env:INVOICES_HEADER_TIMEOUT)",
    // then the text.
    const entry = r.stdout.split('\n').slice(line, line + 2).join(' ');
    assert.match(entry, new RegExp(`=${def} \\(Env:${env}\\)`), entry);
    assert.match(entry, /seconds/, entry);
  }
});

test('a timeout that is not a positive number of seconds is refused', () => {
  for (const args of [['--header-timeout', '0'], ['--idle-timeout', '-1'], ['--body-timeout', 'soon']]) {
    const r = runCli(['serve', '--port', '0', '--store', `file://${tempDir()}`, ...args]);
    assert.notEqual(r.status, 0, `${args.join(' ')} was accepted`);
    assert.match(r.stderr, new RegExp(args[0]), r.stderr);
  }
});

describe('with small timeouts', () => {
  let server;
  before(async () => {
    server = await startServer(['--store', `file://${tempDir()}`,
      '--header-timeout', '1', '--body-timeout', '1.5', '--idle-timeout', '2']);
  });
  after(async () => { await server?.stop(); });

  test('a client that trickles its header is cut after --header-timeout, and others are served', async () => {
    // One byte every 100 ms of a header that would take 12 s to send.
    const header = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(100)}\r\n\r\n`;
    let sent = 0;
    const watching = watchConnection(server.url, (socket) => {
      const timer = setInterval(() => {
        if (socket.destroyed || sent >= header.length) { clearInterval(timer); return; }
        socket.write(header[sent++]);
      }, 100);
    }, 8000);
    // Meanwhile others are served.
    for (let i = 0; i < 5; i++) {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { closedAfterMs, data } = await watching;
    assert.notEqual(closedAfterMs, null, 'the server never closed the connection');
    assert.ok(closedAfterMs >= 900 && closedAfterMs < 4000, `cut after ${closedAfterMs} ms`);
    assert.ok(sent < header.length, `cut after ${sent} of ${header.length} bytes`);
    assert.equal(data, '', 'a trickled header gets no answer');
  });

  test('a connection that sends nothing is cut after --header-timeout', async () => {
    const { closedAfterMs } = await watchConnection(server.url, () => {}, 8000);
    assert.ok(closedAfterMs !== null && closedAfterMs >= 900 && closedAfterMs < 4000, `cut after ${closedAfterMs} ms`);
  });

  test('a body that stops coming is cut after --body-timeout', async () => {
    const { closedAfterMs } = await watchConnection(server.url, (socket) => {
      socket.write('POST /scan HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 1000\r\n\r\n0123456789');
    }, 8000);
    assert.ok(closedAfterMs !== null && closedAfterMs >= 1400 && closedAfterMs < 5000, `cut after ${closedAfterMs} ms`);
  });

  test('an idle keep-alive connection is closed after --idle-timeout', async () => {
    let answeredAt = null;
    const { closedAfterMs, data } = await watchConnection(server.url, (socket, start) => {
      socket.on('data', () => { answeredAt ??= Date.now() - start; });
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    }, 10000);
    assert.match(data, /^HTTP\/1\.1 200 /);
    assert.notEqual(closedAfterMs, null, 'the server never closed the connection');
    const idleMs = closedAfterMs - answeredAt;
    assert.ok(idleMs >= 1900 && idleMs < 6000, `closed ${idleMs} ms after the answer`);
  });
});

describe('GET /invoices and the index cache', () => {
  let server;
  before(async () => { server = await startServer(['--store', `file://${tempDir()}`]); });
  after(async () => { await server?.stop(); });

  test('pages read again come from the cache, and a change is listed at once', async () => {
    const user = await newUser(server.url, 'cache-user');
    const receipt = readFileSync(path.join(devImages, 'X51006557184.jpg'));
    for (let i = 0; i < 3; i++) {
      const r = await postInvoice(server.url, user, uploadForm(Buffer.concat([receipt, Buffer.from(`#${i}`)]),
        { fields: { vendor_name: `Cache Shop ${i}`, total: `${i + 1}.00` } }));
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    const list = async () => {
      const res = await fetch(`${server.url}/invoices?limit=2`, { headers: user.headers });
      assert.equal(res.status, 200);
      return res.json();
    };
    const lookups = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const value = (result) => Number((new RegExp(
        `^invoices_index_cache_lookups_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text) ?? [])[1]);
      assert.match(text, /^invoices_index_cache_bytes \d+/m);
      return { hit: value('hit'), miss: value('miss') };
    };
    const first = await list();
    assert.deepEqual(first.items.map((i) => i.fields.vendor_name), ['Cache Shop 2', 'Cache Shop 1']);
    assert.ok(first.next_cursor);
    const before = await lookups();
    assert.ok(Number.isInteger(before.hit) && Number.isInteger(before.miss), JSON.stringify(before));
    assert.deepEqual(await list(), first);
    const after = await lookups();
    assert.ok(after.hit > before.hit, `${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    assert.equal(after.miss, before.miss, 'nothing parsed again');

    // A change is seen by the next page: head.json is read every time.
    const id = first.items[0].id;
    const patched = await fetch(`${server.url}/invoices/${id}`, {
      method: 'PATCH', body: JSON.stringify({ fields: { vendor_name: 'Renamed Shop' } }),
      headers: { ...user.headers, 'content-type': 'application/merge-patch+json' },
    });
    assert.equal(patched.status, 200, await patched.text());
    const again = await list();
    assert.equal(again.items[0].fields.vendor_name, 'Renamed Shop');
    const next = await fetch(`${server.url}/invoices?limit=2&cursor=${again.next_cursor}`, { headers: user.headers });
    assert.deepEqual((await next.json()).items.map((i) => i.fields.vendor_name), ['Cache Shop 0']);
  });
});
