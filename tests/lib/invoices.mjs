// Starting and stopping a real `invoices serve` for end-to-end tests.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const shared = process.env.INVOICES_SHARED_DIR ?? path.resolve(repo, '..', 'shared');
export const bin = process.env.INVOICES_BIN ?? path.join(repo, 'build', 'release', 'invoices');
export const devImages = path.join(shared, 'datasets', 'sroie-dev', 'images');

export function devLabels() {
  return readFileSync(path.join(shared, 'datasets', 'sroie-dev', 'labels.jsonl'), 'utf8')
    .trim().split('\n').map((l) => JSON.parse(l));
}

// Folders made by tempDir are removed when the test file's process exits,
// unless INVOICES_KEEP_TEST_DIRS is set (to look at what a failing test left).
const made = [];
process.on('exit', () => {
  if (process.env.INVOICES_KEEP_TEST_DIRS) return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'invoices-test-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

// Starts `invoices serve --port 0 ARGS` (ARGS may name a --port of their
// own) and resolves once it prints its URL.
export async function startServer(args = [], env = {}) {
  const port = args.includes('--port') ? [] : ['--port', '0'];
  const child = spawn(bin, ['serve', ...port, '--workers', '2', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  return {
    url,
    child,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill(signal);
      return exited;
    },
  };
}

export function runCli(args, options = {}) {
  return spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
}

// Calls of the invoice API as a user (from tests/lib/auth.mjs newUser), on the
// server whose URL `baseUrl()` gives (a function: servers start in before()).
export function invoiceApi(baseUrl, defaultBody) {
  const api = (user, p, init = {}) =>
    fetch(`${baseUrl()}${p}`, { ...init, headers: { ...user.headers, ...(init.headers ?? {}) } });
  async function upload(user, body = defaultBody, headers = {}) {
    const res = await api(user, '/invoices', {
      method: 'POST', body, headers: { 'content-type': 'image/jpeg', ...headers },
    });
    return { res, json: await res.json() };
  }
  return { api, upload };
}
