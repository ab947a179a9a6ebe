// Lambda's side of the Runtime API (2018-06-01) over real HTTP, for running
// the real `bootstrap` (or `invoices lambda`) as Lambda runs it: events queued
// with invoke() are handed out by GET /runtime/invocation/next with Lambda's
// headers, and what the runtime posts back (response, error, init error)
// resolves the invocation's promise. With nothing queued, next waits, as in
// Lambda, until something is queued or the fake closes. Records when the first
// next arrived (process.hrtime.bigint()), which is how a cold start ends.
import http from 'node:http';
import { spawn } from 'node:child_process';

export async function startFakeRuntime() {
  const queue = [];       // {id, event, resolve}
  const waiting = [];     // next requests with nothing to hand out
  const open = new Map(); // id -> resolve, handed out, not yet answered
  const initErrors = [];
  let counter = 0;
  let firstNextAt = null;
  let firstNextResolve;
  const firstNext = new Promise((resolve) => { firstNextResolve = resolve; });

  function handOut(res) {
    const item = queue.shift();
    open.set(item.id, item.resolve);
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': item.id,
      'lambda-runtime-deadline-ms': String(Date.now() + 30_000),
      'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:123456789012:function:invoices-test',
      'lambda-runtime-trace-id': `Root=1-65f2c0de-${item.id.padStart(24, '0')};Sampled=0`,
    });
    res.end(item.event);
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url;
      if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
        if (firstNextAt === null) {
          firstNextAt = process.hrtime.bigint();
          firstNextResolve(firstNextAt);
        }
        if (queue.length > 0) handOut(res);
        else waiting.push(res);
        return;
      }
      const m = url.match(/^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/);
      if (req.method === 'POST' && m) {
        const resolve = open.get(decodeURIComponent(m[1]));
        if (!resolve) { res.writeHead(400); res.end('{"errorType": "InvalidRequestID"}'); return; }
        open.delete(decodeURIComponent(m[1]));
        resolve({ kind: m[2], body, errorType: req.headers['lambda-runtime-function-error-type'] });
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"status": "OK"}');
        return;
      }
      if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
        initErrors.push({ body, errorType: req.headers['lambda-runtime-function-error-type'] });
        res.writeHead(202);
        res.end('{"status": "OK"}');
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  return {
    host: `127.0.0.1:${port}`,
    initErrors,
    // Resolves the hrtime (ns) of the first GET next.
    firstNext: () => firstNext,
    firstNextAt: () => firstNextAt,
    // Queues an event (an object or JSON text); resolves what the runtime
    // posted for it: {kind: 'response'|'error', body, errorType}.
    invoke(event) {
      return new Promise((resolve) => {
        const id = `req-${++counter}`;
        queue.push({ id, event: typeof event === 'string' ? event : JSON.stringify(event), resolve });
        const res = waiting.shift();
        if (res) handOut(res);
      });
    },
    async close() {
      for (const res of waiting.splice(0)) res.destroy();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// Starts `command` (the package's bootstrap, or the binary with `lambda`) as
// Lambda would, against `runtime`, with only `env` (and PATH-less) in its
// environment. Returns {child, startedAt (hrtime ns), stderr(), stdout(),
// exited, stop()}: stderr() is everything the process printed (both streams,
// as CloudWatch Logs gets them), stdout() standard output alone.
export function startRuntimeProcess(command, args, runtime, env) {
  const startedAt = process.hrtime.bigint();
  const child = spawn(command, args, {
    env: { AWS_LAMBDA_RUNTIME_API: runtime.host, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.on('data', (d) => { stderr += d; stdout += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    startedAt,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
