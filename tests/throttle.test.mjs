// Stage throttling of `invoices serve` (API Gateway's, locally): token buckets
// per user (the token's sub), per client address without a token, and for the
// whole server; a refused request gets 429 with Retry-After and the project's
// error shape, other users are unaffected, and the operators' routes
// (/healthz, /metrics) are never refused. The limits are tiny and their rates
// slow (one token per 1000 s), so that no refill can happen during the test
// however slow the machine: the outcome depends on counts, not on time.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, tempDir } from './lib/invoices.mjs';
import { newUser } from './lib/auth.mjs';

async function get(url, headers = {}) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, headers: res.headers, body };
}

function assertThrottled(r, what) {
  assert.equal(r.status, 429, what);
  assert.equal(r.body.error.code, 'resource_exhausted', what);
  assert.equal(typeof r.body.error.message, 'string');
  assert.equal(r.body.error.request_id, r.headers.get('x-request-id'));
  const after = Number(r.headers.get('retry-after'));
  assert.ok(Number.isInteger(after) && after >= 1, `Retry-After ${r.headers.get('retry-after')}`);
  return after;
}

describe('per-user throttling', () => {
  // Six tokens per client: two sign-ups from this address take them all
  // (each reads /config.json, signs up and signs in).
  const BURST = 6;
  let server; let alice; let bob;
  before(async () => {
    server = await startServer(['--store', `file://${tempDir()}`,
      '--user-throttle-rate', '0.001', '--user-throttle-burst', String(BURST),
      '--throttle-rate', '0']);
    alice = await newUser(server.url, 'throttle-alice');
    bob = await newUser(server.url, 'throttle-bob');
  });
  after(async () => { await server.stop(); });

  test('a user over the limit gets 429 with Retry-After; another user does not', async () => {
    for (let i = 0; i < BURST; i++) {
      const r = await get(`${server.url}/invoices?limit=1`, alice.headers);
      assert.equal(r.status, 200, `request ${i + 1} of the burst`);
    }
    const refused = await get(`${server.url}/invoices?limit=1`, alice.headers);
    const after = assertThrottled(refused, 'over the burst');
    // A token every 1000 s: the next one is about that far away.
    assert.ok(after > 900 && after <= 1000, `Retry-After ${after}`);
    // Every route of the user shares the bucket.
    assertThrottled(await get(`${server.url}/invoices/export.csv`, alice.headers), 'export');

    const other = await get(`${server.url}/invoices?limit=1`, bob.headers);
    assert.equal(other.status, 200, 'bob is not alice');
    assert.deepEqual(other.body.items, []);
  });

  test('without a token the client address is throttled; bad tokens count there too', async () => {
    // The two sign-ups spent this address's tokens.
    assertThrottled(await get(`${server.url}/config.json`), 'open route');
    assertThrottled(await get(`${server.url}/`), 'the page');
    assertThrottled(await get(`${server.url}/invoices`, { authorization: 'Bearer not.a.token' }), 'bad token');
    // Alice's token is still her own client, not the address.
    assert.equal((await get(`${server.url}/invoices?limit=1`, bob.headers)).status, 200);
  });

  test('the health check, the metrics and unrouted requests are never throttled', async () => {
    for (let i = 0; i < BURST + 2; i++) {
      assert.equal((await get(`${server.url}/healthz`)).status, 200);
    }
    // A method no route takes is answered 405 before any throttling (GET of
    // an unknown path is the web page's 404, a route like any other).
    const unrouted = await fetch(`${server.url}/no/such/route`, { method: 'DELETE' });
    assert.equal(unrouted.status, 405);
    await unrouted.arrayBuffer();
    const metrics = await get(`${server.url}/metrics`);
    assert.equal(metrics.status, 200);
    const text = metrics.body;
    // Refusals by route and limit (GET /invoices: alice, then the bad token).
    assert.match(text, /^invoices_throttled_requests_total\{route="GET \/invoices",limit="client"\} 2$/m);
    assert.match(text, /^invoices_throttled_requests_total\{route="GET \/invoices\/export\.csv",limit="client"\} 1$/m);
    assert.match(text, /^invoices_throttled_requests_total\{route="GET \/config\.json",limit="client"\} 1$/m);
    // The functions' own time (the sign-ups hashed passwords on workers).
    assert.match(text, /^invoices_function_duration_ms_count\{route="POST \/cognito\/"\} 4$/m);
    // The store's requests, and its failures by code (the pool looked for
    // users that did not exist yet).
    assert.match(text, /^invoices_store_requests_total\{op="get"\} [1-9]\d*$/m);
    assert.match(text, /^invoices_store_errors_total\{code="not_found",op="[a-z]+"\} [1-9]\d*$/m);
  });
});

describe('the global limit', () => {
  let server;
  before(async () => {
    server = await startServer(['--store', `file://${tempDir()}`,
      '--throttle-rate', '0.001', '--throttle-burst', '2', '--user-throttle-rate', '0']);
  });
  after(async () => { await server.stop(); });

  test('covers every client; the health check still answers', async () => {
    assert.equal((await get(`${server.url}/config.json`)).status, 200);
    assert.equal((await get(`${server.url}/openapi.yaml`)).status, 200);
    const refused = await get(`${server.url}/config.json`);
    assertThrottled(refused, 'third request');
    assert.match(refused.body.error.message, /the server is receiving too many requests/);
    assert.equal((await get(`${server.url}/healthz`)).status, 200);
    assert.match((await get(`${server.url}/metrics`)).body,
      /^invoices_throttled_requests_total\{route="GET \/config\.json",limit="global"\} 1$/m);
  });
});

describe('configuration', () => {
  test('a limit with a burst below 1 is refused at start', async () => {
    await assert.rejects(startServer(['--store', `file://${tempDir()}`,
      '--user-throttle-rate', '5', '--user-throttle-burst', '0']), /burst must be at least 1/);
  });

  test('the environment sets the limits as the flags do', async () => {
    const server = await startServer(['--store', `file://${tempDir()}`], {
      INVOICES_THROTTLE_RATE: '0.001', INVOICES_THROTTLE_BURST: '1', INVOICES_USER_THROTTLE_RATE: '0',
    });
    try {
      assert.equal((await get(`${server.url}/config.json`)).status, 200);
      assertThrottled(await get(`${server.url}/config.json`), 'second request');
    } finally {
      await server.stop();
    }
  });
});
