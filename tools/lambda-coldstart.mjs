#!/usr/bin/env node
// Cold starts of the Lambda package, measured here against a fake Runtime API
// (tests/lib/fake-lambda.mjs): for each handler, the time from starting the
// process to its first GET /runtime/invocation/next (Lambda's init phase: the
// loader, the libraries, the store, and for scan/save/s3-upload the OCR
// engine), then the first and a warm invocation of a real event.
//
//   node tools/lambda-coldstart.mjs [--package build/lambda-package]
//        [--bin build/release/invoices] [--runs 15]
//
// Prints a Markdown table (docs/BENCHMARKS.md). Not a test: nothing is
// asserted. Needs scripts/package-lambda to have run for the package rows.
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeRuntime, startRuntimeProcess } from '../tests/lib/fake-lambda.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const pkg = path.resolve(opt('--package', path.join(repo, 'build', 'lambda-package')));
const bin = path.resolve(opt('--bin', path.join(repo, 'build', 'release', 'invoices')));
const runs = Number(opt('--runs', '15'));
const shared = process.env.INVOICES_SHARED_DIR ?? path.resolve(repo, '..', 'shared');

const fixture = (name) => JSON.parse(readFileSync(path.join(repo, 'tests', 'fixtures', 'apigw-v2', name), 'utf8'));
const receipt = readFileSync(path.join(shared, 'datasets', 'sroie-dev', 'images', 'X00016469612.jpg'));
const scanEvent = fixture('post-scan-base64.json');
scanEvent.body = receipt.toString('base64');
scanEvent.headers['content-type'] = 'image/jpeg';
scanEvent.headers['content-length'] = String(receipt.length);
const events = { invoices: fixture('get-invoices-jwt.json'), scan: scanEvent };

const ms = (ns) => Number(ns) / 1e6;
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
  return { min: s[0], p50: at(0.5), p90: at(0.9), max: s[s.length - 1] };
};

async function once(how, handler) {
  const runtime = await startFakeRuntime();
  const store = mkdtempSync(path.join(tmpdir(), 'invoices-coldstart-'));
  const env = { _HANDLER: handler, INVOICES_STORE: `file://${store}` };
  const [command, argv] = how === 'package'
    ? [path.join(pkg, 'bootstrap'), []]
    : [bin, ['lambda']];
  if (how !== 'package') env.TESSDATA_PREFIX = process.env.TESSDATA_PREFIX ?? '';
  if (!env.TESSDATA_PREFIX) delete env.TESSDATA_PREFIX;
  const proc = startRuntimeProcess(command, argv, runtime, env);
  const first = await Promise.race([runtime.firstNext(), proc.exited.then(() => null)]);
  if (first === null) throw new Error(`${how} ${handler} exited before asking for work:\n${proc.stderr()}`);
  const init = ms(first - proc.startedAt);
  let t = process.hrtime.bigint();
  const r1 = await runtime.invoke(events[handler]);
  const firstInvoke = ms(process.hrtime.bigint() - t);
  t = process.hrtime.bigint();
  const r2 = await runtime.invoke(events[handler]);
  const warmInvoke = ms(process.hrtime.bigint() - t);
  for (const r of [r1, r2]) {
    const status = r.kind === 'response' ? JSON.parse(r.body).statusCode : r.kind;
    if (status !== 200) throw new Error(`${how} ${handler}: ${status} ${r.body.slice(0, 300)}`);
  }
  await proc.stop();
  await runtime.close();
  rmSync(store, { recursive: true, force: true });
  return { init, firstInvoke, warmInvoke };
}

const rows = [];
for (const how of ['package', 'binary']) {
  if (how === 'package' && !existsSync(path.join(pkg, 'bootstrap'))) {
    console.error(`no package at ${pkg}: run scripts/package-lambda first; measuring the binary only`);
    continue;
  }
  if (how === 'binary' && !existsSync(bin)) continue;
  for (const handler of ['invoices', 'scan']) {
    await once(how, handler); // page cache warm, as a reused Lambda host's would be
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await once(how, handler));
    const init = stats(results.map((r) => r.init));
    const f = stats(results.map((r) => r.firstInvoke));
    const w = stats(results.map((r) => r.warmInvoke));
    rows.push(`| ${how === 'package' ? 'zip package (bootstrap)' : '`invoices lambda`, system libraries'} | ${handler} | ` +
      `${init.p50.toFixed(1)} | ${init.p90.toFixed(1)} | ${init.min.toFixed(1)} | ${f.p50.toFixed(1)} | ${w.p50.toFixed(1)} |`);
    console.error(`${how} ${handler}: init p50 ${init.p50.toFixed(1)} ms`);
  }
}
console.log(`runs per row: ${runs} (after one warm-up run)\n`);
console.log('| how | handler | init p50 ms | init p90 ms | init min ms | first invocation p50 ms | warm invocation p50 ms |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
