// s3rver (npm), a fake S3 server, as the real S3-compatible peer of the tests:
// on a free loopback port, keeping its objects in a temporary folder, with
// one bucket created before it answers.
//
// From a test:
//   const s3 = await startS3rver();     // s3.env: the variables below
//   await s3.stop(); await s3.start();  // down and up again, same port, same data
//   await s3.close();                   // stopped for good, folder removed
//
// Standalone (the Makefile's C++ contract suite against a real server):
//   node tests/lib/s3rver.mjs --print-env     prints, once it answers,
//     INVOICES_TEST_S3_URL=s3://invoices-test/test
//     AWS_ENDPOINT_URL_S3=http://127.0.0.1:PORT
//     AWS_ACCESS_KEY_ID=S3RVER
//     AWS_SECRET_ACCESS_KEY=S3RVER
//     AWS_REGION=us-east-1
//   and stays up until SIGTERM or SIGINT (then removes its folder).
//   node tests/lib/s3rver.mjs -- COMMAND ARGS...   runs COMMAND with those
//     variables set, stops the server, and exits with COMMAND's status.
//   Options: --port N (default: a free one), --dir D (default: a temporary
//   folder, removed on exit; a given one is kept), --bucket B, --prefix P,
//   --verbose (s3rver's request log on stderr).
//
// What s3rver 3.7.1 is and is not (checked against its source and by
// tests/s3.test.mjs): it checks only the access key id of a SigV4 request,
// never the signature (a wrong secret or a tampered presigned URL is
// accepted); it ignores If-None-Match and If-Match on PUT (a conditional put
// always writes); it lists folder by folder ("a/b" before "a.b") rather than
// in byte order, and the continuation of a paginated listing can then skip
// keys; it writes an object in place, so a GET racing a PUT of the same key
// can fail with 500 or see a partial object; it answers "Range: bytes=0-0"
// with the whole object; it serves unsigned requests as well (the tests use
// that to look into the bucket); and its continuation tokens use
// DES, which Node 20's OpenSSL 3 has only with --openssl-legacy-provider (the
// server process here is always started with it).
import { spawn } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const ACCESS_KEY = 'S3RVER'; // s3rver's built-in account: key id and secret
const ENV_NAMES = ['INVOICES_TEST_S3_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'];

function envFor({ port, bucket, prefix }) {
  return {
    INVOICES_TEST_S3_URL: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: ACCESS_KEY,
    AWS_REGION: 'us-east-1',
  };
}

// Starts s3rver in a child process and resolves once it answers. `bucket`
// and `prefix` name where INVOICES_TEST_S3_URL points; `dir` keeps the data
// (default: a temporary folder that close() removes).
export async function startS3rver({ bucket = 'invoices-test', prefix = 'test', dir, verbose = false } = {}) {
  const ownDir = !dir;
  const dataDir = dir ?? mkdtempSync(path.join(tmpdir(), 's3rver-'));
  let port = 0;
  let child = null;
  const handle = {
    bucket, prefix, dir: dataDir, env: null, endpoint: null,
    get running() { return child !== null; },
    // (Re)starts the server: on the same port and folder after stop().
    async start() {
      if (child) return handle;
      const args = ['--openssl-legacy-provider', self, '--print-env', '--dir', dataDir,
        '--bucket', bucket, '--prefix', prefix, '--port', String(port)];
      if (verbose) args.push('--verbose');
      const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      const env = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error('s3rver did not start in 20 s')); }, 20000);
        proc.stdout.on('data', (d) => {
          out += d;
          const vars = Object.fromEntries(out.split('\n').filter((l) => l.includes('='))
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
          if (ENV_NAMES.every((n) => n in vars)) { clearTimeout(timer); resolve(vars); }
        });
        proc.on('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`s3rver exited (${code ?? signal}) before it answered`));
        });
      });
      child = proc;
      proc.on('exit', () => { if (child === proc) child = null; });
      handle.env = env;
      handle.endpoint = env.AWS_ENDPOINT_URL_S3;
      port = Number(new URL(env.AWS_ENDPOINT_URL_S3).port);
      return handle;
    },
    // Stops the server (the data stays in its folder).
    async stop(signal = 'SIGTERM') {
      const proc = child;
      if (!proc) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill(signal);
      await exited;
      child = null;
    },
    // Stops it for good and removes the folder it made.
    async close() {
      await handle.stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle.start();
}

// --- standalone ------------------------------------------------------------

function parseArgs(argv) {
  const options = { bucket: 'invoices-test', prefix: 'test', port: 0, dir: null, verbose: false,
    printEnv: false, command: null };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--') { options.command = argv.slice(i + 1); break; }
    if (a === '--print-env') options.printEnv = true;
    else if (a === '--verbose') options.verbose = true;
    else if (a === '--port') options.port = Number(value());
    else if (a === '--dir') options.dir = value();
    else if (a === '--bucket') options.bucket = value();
    else if (a === '--prefix') options.prefix = value();
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error('--port needs a port number');
  }
  if (!options.printEnv && !options.command) {
    throw new Error('usage: s3rver.mjs --print-env | -- COMMAND ARGS... [--port N] [--dir D] '
      + '[--bucket B] [--prefix P] [--verbose]');
  }
  if (options.command && options.command.length === 0) throw new Error('-- needs a command');
  return options;
}

// A child's status as a shell reports it (128 + the signal that ended it).
function exitCode(code, signal) {
  return code ?? 128 + (constants.signals[signal] ?? 0);
}

function desAvailable() {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

async function serve(options) {
  const require = createRequire(import.meta.url);
  const S3rver = require('s3rver');
  const ownDir = !options.dir;
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 's3rver-'));
  mkdirSync(dir, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1', port: options.port, directory: dir, silent: !options.verbose,
    configureBuckets: [{ name: options.bucket }],
  });
  const { port } = await server.run();
  const env = envFor({ port, bucket: options.bucket, prefix: options.prefix });
  let stopping = null;
  const shutdown = (code) => {
    stopping ??= (async () => {
      // Keep-alive connections would hold close() open: end them too.
      const closed = server.close().catch(() => {});
      server.httpServer.closeAllConnections();
      await closed;
      if (ownDir) rmSync(dir, { recursive: true, force: true });
      process.exit(code);
    })();
    return stopping;
  };
  if (options.command) {
    const [cmd, ...args] = options.command;
    const proc = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => proc.kill(sig));
    proc.on('error', (e) => { console.error(`s3rver.mjs: ${cmd}: ${e.message}`); shutdown(127); });
    proc.on('exit', (code, signal) => shutdown(exitCode(code, signal)));
    return;
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => shutdown(0));
  process.stdout.write(ENV_NAMES.map((n) => `${n}=${env[n]}\n`).join(''));
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`s3rver.mjs: ${e.message}`);
    process.exit(2);
  }
  if (!desAvailable()) {
    if (process.execArgv.includes('--openssl-legacy-provider')) {
      console.error('s3rver.mjs: warning: no DES even with --openssl-legacy-provider: '
        + 'paginated listings will fail');
    } else {
      // Again, with the provider s3rver's continuation tokens need.
      const proc = spawn(process.execPath, ['--openssl-legacy-provider', ...process.execArgv,
        self, ...process.argv.slice(2)], { stdio: 'inherit' });
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => proc.kill(sig));
      proc.on('exit', (code, signal) => process.exit(exitCode(code, signal)));
      return;
    }
  }
  await serve(options);
}

if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  main().catch((e) => {
    console.error(`s3rver.mjs: ${e.stack ?? e}`);
    process.exit(1);
  });
}
