// `invoices lambda` (the deployment's bootstrap) as Lambda runs it, through a
// fake of Lambda's Runtime API: after each request an API function answers,
// one CloudWatch Embedded Metric Format line on standard output (Latency,
// 4XXError, 5XXError by Function and Route), which CloudWatch Logs turns into
// the metrics that `invoices serve` shows at /metrics. Runs the binary
// itself, not the packaged zip (tests/deploy.test.mjs does that).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repo, bin, tempDir } from './lib/invoices.mjs';
import { startFakeRuntime, startRuntimeProcess } from './lib/fake-lambda.mjs';

const fixture = (name) => JSON.parse(readFileSync(path.join(repo, 'tests', 'fixtures', name), 'utf8'));

// Resolves the first `n` lines of the process's standard output, waiting
// for them (each is written before its invocation's answer is posted, but
// the pipe may deliver it a little later).
async function stdoutLines(proc, n) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const lines = proc.stdout().split('\n').filter((l) => l !== '');
    if (lines.length >= n || Date.now() > deadline) return lines;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('invoices lambda', { skip: existsSync(bin) ? false : `no binary at ${bin} (make build)` }, () => {
  let runtime; let proc;
  before(async () => {
    runtime = await startFakeRuntime();
    proc = startRuntimeProcess(bin, ['lambda'], runtime,
      { _HANDLER: 'invoices', INVOICES_STORE: `file://${tempDir('invoices-lambda-emf-')}` });
    const first = await Promise.race([runtime.firstNext(), proc.exited.then(() => null)]);
    assert.ok(first, `exited before asking for work: ${proc.stderr()}`);
  });
  after(async () => {
    await proc?.stop();
    await runtime?.close();
  });

  test('prints one EMF line per answered request on standard output', async () => {
    const health = await runtime.invoke(fixture('apigw-v2/get-healthz.json'));
    assert.equal(health.kind, 'response', health.body);
    assert.equal(JSON.parse(health.body).statusCode, 200);

    const list = fixture('apigw-v2/get-invoices-jwt.json');
    const listed = await runtime.invoke(list);
    assert.equal(JSON.parse(listed.body).statusCode, 200, listed.body);

    // An invoice that does not exist: a 4XX.
    const missing = fixture('apigw-v2/get-invoice-stage.json');
    missing.requestContext.authorizer = list.requestContext.authorizer;
    const got = await runtime.invoke(missing);
    const status = JSON.parse(got.body).statusCode;
    assert.equal(status, 404, got.body);

    // Not an API Gateway event: an invocation error, no request, no line.
    const bad = await runtime.invoke('{"not": "an event"}');
    assert.equal(bad.kind, 'error', bad.body);

    const lines = await stdoutLines(proc, 3);
    assert.equal(lines.length, 3, `standard output:\n${proc.stdout()}\nstderr:\n${proc.stderr()}`);
    const emf = lines.map((l) => JSON.parse(l));
    const expected = [
      ['GET /healthz', 200, 'JKJaXmPLvHcESHA='],
      ['GET /invoices', 200, fixture('apigw-v2/get-invoices-jwt.json').requestContext.requestId],
      [missing.routeKey, 404, missing.requestContext.requestId],
    ];
    emf.forEach((e, i) => {
      const [route, code, requestId] = expected[i];
      const [directive] = e._aws.CloudWatchMetrics;
      assert.equal(directive.Namespace, 'InvoicesServerless');
      assert.deepEqual(directive.Dimensions, [['Function', 'Route']]);
      assert.deepEqual(directive.Metrics.map((m) => `${m.Name}:${m.Unit}`),
        ['Latency:Milliseconds', '4XXError:Count', '5XXError:Count']);
      assert.ok(Math.abs(e._aws.Timestamp - Date.now()) < 60000, `Timestamp ${e._aws.Timestamp}`);
      assert.equal(e.Function, 'invoices');
      assert.equal(e.Route, route);
      assert.equal(e.status, code);
      assert.equal(e.request_id, requestId);
      assert.equal(typeof e.Latency, 'number');
      assert.ok(e.Latency >= 0 && e.Latency < 10000, `Latency ${e.Latency}`);
      assert.equal(e['4XXError'], code >= 400 && code < 500 ? 1 : 0);
      assert.equal(e['5XXError'], code >= 500 ? 1 : 0);
    });
    // Only there: the runtime's own log (standard error) repeats none.
    const everything = proc.stderr();
    assert.equal(everything.split('CloudWatchMetrics').length - 1, 3, everything);
  });
});

// The scan function reads a request's own OCR languages (?lang=...) when
// they are installed, and refuses others before reading the document.
describe('invoices lambda, scan with a language per request', { skip: existsSync(bin) ? false : `no binary at ${bin} (make build)` }, () => {
  let runtime; let proc;
  before(async () => {
    runtime = await startFakeRuntime();
    proc = startRuntimeProcess(bin, ['lambda'], runtime, { _HANDLER: 'scan' });
    const first = await Promise.race([runtime.firstNext(), proc.exited.then(() => null)]);
    assert.ok(first, `exited before asking for work: ${proc.stderr()}`);
  });
  after(async () => {
    await proc?.stop();
    await runtime?.close();
  });

  const withLang = (lang) => {
    const event = fixture('apigw-v2/post-scan-base64.json');
    event.rawQueryString = `lang=${lang}`;
    event.queryStringParameters = { lang };
    return event;
  };

  test('an installed language is taken, an unknown one is a 400 naming the installed ones', async () => {
    const unknown = await runtime.invoke(withLang('xyz'));
    assert.equal(unknown.kind, 'response', unknown.body);
    const refused = JSON.parse(unknown.body);
    assert.equal(refused.statusCode, 400, unknown.body);
    const message = JSON.parse(refused.body).error.message;
    assert.match(message, /"xyz" is not installed/);
    assert.match(message, /\beng\b/);

    // German is installed by scripts/install-deps: the language is taken
    // and the document itself is read (the fixture's PNG is damaged, which
    // is what the answer then says).
    const german = await runtime.invoke(withLang('deu'));
    const answered = JSON.parse(german.body);
    assert.equal(answered.statusCode, 400, german.body);
    const why = JSON.parse(answered.body).error.message;
    assert.match(why, /PNG/, german.body);
    assert.doesNotMatch(why, /language|installed|enabled/, german.body);
  });
});
