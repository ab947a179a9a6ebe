// A fault-injecting HTTP proxy for integration tests: it stands in front of
// an S3-compatible server (s3rver) and, per a schedule, forwards a request,
// answers it with an S3 error document (500 InternalError, 503 SlowDown)
// without forwarding it, delays it, or drops the connection -- before
// forwarding (the server never saw the request) or after the server
// answered (the request took effect, its answer is lost).
//
//   const proxy = await startFaultyProxy({ target: s3.endpoint });
//   proxy.url                      // point AWS_ENDPOINT_URL_S3 here
//   proxy.schedule = randomFaults({ seed: 7, rate: 0.4 });  // or any function
//   proxy.schedule = passThrough;  // faults off
//   proxy.stats                    // { requests, forwarded, byAction: {...} }
//   proxy.resetStats()
//   await proxy.close();
//
// A schedule is a function ({ method, path, n }) => action, called once per
// request (n counts requests from 1), where an action is one of
//   { type: 'pass' }
//   { type: 'error', status: 500 | 503, code: 'InternalError' | 'SlowDown' | ... }
//   { type: 'delay', ms }              then forwarded
//   { type: 'drop' }                   the connection reset before forwarding
//   { type: 'drop-after' }             forwarded, then the connection reset
//                                      instead of the answer
//   { type: 'error-after', status }    forwarded, then an error instead of
//                                      the answer
// The request body is always read in full first, so that the client sees
// the fault rather than a broken upload.
import http from 'node:http';

export const passThrough = () => ({ type: 'pass' });

// A small seeded generator (mulberry32): the same seed, the same faults.
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Faults on a `rate` share of the requests whose path matches `only` (all
// by default), drawn in turn from `kinds`. Clean kinds (the server never
// sees the request) by default; pass `kinds` with 'drop-after' and
// 'error-after' for lost answers.
export function randomFaults({ seed = 1, rate = 0.3, only = () => true,
  kinds = ['error500', 'error503', 'drop', 'delay'], delayMs = 150 } = {}) {
  const random = seededRandom(seed);
  const actions = {
    error500: { type: 'error', status: 500, code: 'InternalError' },
    error503: { type: 'error', status: 503, code: 'SlowDown' },
    drop: { type: 'drop' },
    delay: { type: 'delay', ms: delayMs },
    'drop-after': { type: 'drop-after' },
    'error-after': { type: 'error-after', status: 500 },
  };
  return (req) => {
    if (!only(req) || random() >= rate) return { type: 'pass' };
    return actions[kinds[Math.floor(random() * kinds.length)]];
  };
}

function s3ErrorXml(code, message) {
  return '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<Error><Code>${code}</Code><Message>${message}</Message>`
    + `<RequestId>FAULT${Date.now()}</RequestId></Error>`;
}

function sendError(res, status, code) {
  const body = s3ErrorXml(code ?? (status === 503 ? 'SlowDown' : 'InternalError'),
    'injected by the faulty proxy');
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startFaultyProxy({ target, schedule = passThrough, host = '127.0.0.1' } = {}) {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const stats = { requests: 0, forwarded: 0, byAction: {} };
  const sockets = new Set();
  const proxy = {
    url: null,
    schedule,
    stats,
    resetStats() {
      stats.requests = 0;
      stats.forwarded = 0;
      stats.byAction = {};
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };

  // Forwards the request (with its body) and resolves the upstream answer,
  // read in full.
  function forward(req, body) {
    return new Promise((resolve, reject) => {
      const out = http.request({
        host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
        headers: req.headers, agent,
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  }

  const server = http.createServer(async (req, res) => {
    const n = ++stats.requests;
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    let action;
    try {
      action = proxy.schedule({ method: req.method, path: req.url, n }) ?? { type: 'pass' };
    } catch {
      action = { type: 'pass' };
    }
    stats.byAction[action.type] = (stats.byAction[action.type] ?? 0) + 1;
    try {
      if (action.type === 'error') return sendError(res, action.status ?? 500, action.code);
      if (action.type === 'drop') {
        req.socket.resetAndDestroy?.() ?? req.socket.destroy();
        return undefined;
      }
      if (action.type === 'delay') await new Promise((r) => setTimeout(r, action.ms ?? 100));
      const answer = await forward(req, body);
      ++stats.forwarded;
      if (action.type === 'drop-after') {
        req.socket.resetAndDestroy?.() ?? req.socket.destroy();
        return undefined;
      }
      if (action.type === 'error-after') return sendError(res, action.status ?? 500, action.code);
      const headers = { ...answer.headers };
      delete headers['transfer-encoding'];
      delete headers.connection;
      delete headers['keep-alive'];
      if (req.method !== 'HEAD') headers['content-length'] = String(answer.body.length);
      res.writeHead(answer.status, headers);
      res.end(req.method === 'HEAD' ? undefined : answer.body);
    } catch (e) {
      // The upstream failed: a gateway error, as a load balancer would say.
      if (!res.headersSent) sendError(res, 502, 'BadGateway');
      else res.destroy(e);
    }
    return undefined;
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, host, resolve));
  proxy.url = `http://${host}:${server.address().port}`;
  return proxy;
}
