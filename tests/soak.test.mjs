// A bounded soak: many users at once, each doing mixed traffic against one
// `invoices serve` on a folder store -- sign-in, save with their values,
// list, get, picture, patch (with If-Match), delete, CSV export, a probe of
// another user's invoice, and a few scans of real receipts -- while the test
// keeps a model of what each user should have. Each user's requests are
// sequential, so the model is exact at every step: every list and export
// must show exactly the model, every get its values; at the end every user
// sees exactly their own invoices. No status other than the expected ones is
// allowed (429 only when the run asks for throttling).
//
//   SOAK_SECONDS   how long the traffic runs (default 20)
//   SOAK_USERS     users at once (default 8)
//   SOAK_SCANS     real receipts each user has read by OCR (default 1)
//   SOAK_THROTTLE  a per-user rate (requests/s) to run with throttling on;
//                  unset: throttling off. Refused requests (429) are
//                  retried after Retry-After and counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, devImages, tempDir } from './lib/invoices.mjs';
import { newUser, cognito } from './lib/auth.mjs';
import { waitReady, uploadForm, sha256, sleep } from './lib/traffic.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 20);
const USERS = Number(process.env.SOAK_USERS ?? 8);
const SCANS = Number(process.env.SOAK_SCANS ?? 1);
const THROTTLE = process.env.SOAK_THROTTLE;

const receipt = readFileSync(path.join(devImages, 'X00016469612.jpg'));
const scanImages = readdirSync(devImages).filter((f) => f.endsWith('.jpg')).sort()
  .slice(0, Math.max(1, USERS * SCANS)).map((f) => readFileSync(path.join(devImages, f)));

// A small seeded generator, so that a run's mix can be repeated.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let server; let config; let dir;
const stats = { requests: 0, byStatus: {}, byOp: {}, throttled: 0, unexpected: [] };
// Every invoice id ever created, with its owner: for the cross-user probes.
const everyId = [];

before(async () => {
  dir = tempDir('invoices-soak-');
  const args = ['--store', `file://${dir}`, '--no-access-log'];
  if (THROTTLE) {
    // The burst lets the sign-ups through: they all come from this address.
    args.push('--user-throttle-rate', THROTTLE,
      '--user-throttle-burst', String(Math.max(Number(THROTTLE) * 2, 4 * USERS + 10)));
  } else {
    args.push('--throttle-rate', '0', '--user-throttle-rate', '0');
  }
  server = await startServer(args);
  await waitReady(server.url);
  config = await (await fetch(`${server.url}/config.json`)).json();
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

class Client {
  constructor(user, index) {
    this.user = user;
    this.index = index;
    this.random = rng(1000 + index);
    this.model = new Map(); // id -> { total, vendor, sha, etag? }
    this.n = 0;
  }

  // One request; `expected`: the statuses this step allows. 429 (when the
  // run throttles) is waited out and the request sent again.
  async call(op, p, init, expected) {
    for (;;) {
      ++stats.requests;
      stats.byOp[op] = (stats.byOp[op] ?? 0) + 1;
      let res;
      try {
        res = await fetch(`${server.url}${p}`, {
          ...init, headers: { ...this.user.headers, ...(init?.headers ?? {}) },
        });
      } catch (e) {
        stats.unexpected.push(`${op} ${p}: no answer: ${e.cause?.code ?? e}`);
        return null;
      }
      stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
      if (res.status === 429 && THROTTLE) {
        ++stats.throttled;
        await res.arrayBuffer();
        await sleep(1000 * Number(res.headers.get('retry-after') ?? 1));
        continue;
      }
      const body = Buffer.from(await res.arrayBuffer());
      if (!expected.includes(res.status)) {
        stats.unexpected.push(`${op} ${p}: ${res.status} ${body.toString().slice(0, 200)}`);
        return null;
      }
      return { status: res.status, headers: res.headers, body, json: () => JSON.parse(body.toString()) };
    }
  }

  pick() {
    const ids = [...this.model.keys()];
    return ids.length ? ids[Math.floor(this.random() * ids.length)] : null;
  }

  check(cond, what) {
    if (!cond) stats.unexpected.push(`${this.user.name}: ${what}`);
  }

  async save(scan = null) {
    const key = `${this.user.name}-${++this.n}`;
    const bytes = scan ?? Buffer.concat([receipt, Buffer.from(`#${key}`)]);
    const total = `${(this.n % 97) + 1}.${String(this.n % 100).padStart(2, '0')}`;
    const vendor = `Soak ${key}`;
    const body = uploadForm(bytes, { fields: scan ? undefined : { vendor_name: vendor, total }, name: `${key}.jpg` });
    const r = await this.call(scan ? 'scan' : 'save', '/invoices', { method: 'POST', body }, [201]);
    if (!r) return;
    const j = r.json();
    this.model.set(j.id, { total: j.fields.total, vendor: j.fields.vendor_name, sha: sha256(bytes) });
    everyId.push({ id: j.id, owner: this });
    if (!scan) this.check(j.fields.total === total && j.fields.vendor_name === vendor, `save ${j.id}: values`);
  }

  async list() {
    const ids = new Map();
    let cursor = '';
    for (let page = 0; page < 100; ++page) {
      const q = `/invoices?limit=${20 + Math.floor(this.random() * 180)}${cursor ? `&cursor=${cursor}` : ''}`;
      const r = await this.call('list', q, {}, [200]);
      if (!r) return;
      const j = r.json();
      for (const item of j.items) ids.set(item.id, item);
      if (!j.next_cursor) break;
      cursor = j.next_cursor;
    }
    this.check(ids.size === this.model.size && [...this.model.keys()].every((id) => ids.has(id)),
      `list: ${ids.size} listed, the model has ${this.model.size}`);
    for (const [id, m] of this.model) {
      const item = ids.get(id);
      if (item) this.check(item.fields.total === m.total, `list ${id}: total ${item.fields.total} != ${m.total}`);
    }
  }

  async get() {
    const id = this.pick();
    if (!id) return;
    const r = await this.call('get', `/invoices/${id}`, {}, [200]);
    if (!r) return;
    const j = r.json();
    const m = this.model.get(id);
    this.check(j.fields.total === m.total && j.picture.sha256 === m.sha, `get ${id}: values`);
    m.etag = r.headers.get('etag');
  }

  async picture() {
    const id = this.pick();
    if (!id) return;
    const r = await this.call('picture', `/invoices/${id}/picture`, {}, [200]);
    if (r) this.check(sha256(r.body) === this.model.get(id).sha, `picture ${id}: other bytes`);
  }

  async patch() {
    const id = this.pick();
    if (!id) return;
    const m = this.model.get(id);
    if (!m.etag) return this.get();
    const total = `${Math.floor(this.random() * 1000)}.${Math.floor(this.random() * 90) + 10}`;
    const r = await this.call('patch', `/invoices/${id}`, {
      method: 'PATCH', body: JSON.stringify({ fields: { total } }),
      headers: { 'content-type': 'application/merge-patch+json', 'if-match': m.etag },
    }, [200]);
    if (!r) return undefined;
    const old = m.etag;
    m.total = total;
    m.etag = r.headers.get('etag');
    // The old ETag is stale now: refused, and nothing changes.
    const stale = await this.call('patch-stale', `/invoices/${id}`, {
      method: 'PATCH', body: JSON.stringify({ fields: { total: '1.00' } }),
      headers: { 'content-type': 'application/merge-patch+json', 'if-match': old },
    }, [412]);
    this.check(stale !== null, 'stale If-Match');
    return undefined;
  }

  async remove() {
    const id = this.pick();
    if (!id) return;
    const r = await this.call('delete', `/invoices/${id}`, { method: 'DELETE' }, [204]);
    if (!r) return;
    this.model.delete(id);
    await this.call('get-deleted', `/invoices/${id}`, {}, [404]);
  }

  async exportCsv() {
    const r = await this.call('export', '/invoices/export.csv', {}, [200]);
    if (!r) return;
    const rows = r.body.toString().split('\r\n').filter((l) => /^[0-9A-Z]{26},/.test(l)).map((l) => l.slice(0, 26));
    this.check(rows.length === this.model.size && rows.every((id) => this.model.has(id)),
      `export: ${rows.length} rows, the model has ${this.model.size}`);
  }

  async probeOther() {
    const other = everyId.filter((x) => x.owner !== this);
    if (!other.length) return;
    const { id } = other[Math.floor(this.random() * other.length)];
    const paths = [`/invoices/${id}`, `/invoices/${id}/picture`];
    await this.call('other-user', paths[Math.floor(this.random() * 2)], {}, [404]);
  }

  async signIn() {
    ++stats.requests;
    stats.byOp['sign-in'] = (stats.byOp['sign-in'] ?? 0) + 1;
    const r = await cognito(config.auth.endpoint, 'InitiateAuth', {
      ClientId: config.auth.clientId, AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: this.user.name, PASSWORD: this.user.password },
    });
    stats.byStatus[r.status] = (stats.byStatus[r.status] ?? 0) + 1;
    if (r.status === 429 && THROTTLE) { ++stats.throttled; await sleep(1000); return; }
    if (r.status !== 200) { stats.unexpected.push(`sign-in: ${r.status} ${JSON.stringify(r.json)}`); return; }
    this.user.headers = { authorization: `Bearer ${r.json.AuthenticationResult.IdToken}` };
  }

  async run(until, scans) {
    // The scans at random moments of the run.
    const scanAt = scans.map(() => this.random());
    const start = Date.now();
    const ops = [
      [0.30, () => this.save()], [0.12, () => this.list()], [0.14, () => this.get()],
      [0.08, () => this.picture()], [0.12, () => this.patch()], [0.10, () => this.remove()],
      [0.05, () => this.exportCsv()], [0.06, () => this.probeOther()], [0.03, () => this.signIn()],
    ];
    while (Date.now() < until) {
      const progress = (Date.now() - start) / (until - start);
      const due = scanAt.findIndex((t) => t !== null && t <= progress);
      if (due >= 0) {
        scanAt[due] = null;
        await this.save(scans[due]);
        continue;
      }
      let x = this.random();
      for (const [p, op] of ops) {
        if ((x -= p) < 0) { await op(); break; }
      }
    }
    for (const [i, t] of scanAt.entries()) if (t !== null) await this.save(scans[i]);
  }
}

test(`soak: ${USERS} users, mixed traffic for ${SECONDS} s, each sees exactly their own invoices`, async () => {
  const clients = [];
  for (let i = 0; i < USERS; ++i) clients.push(new Client(await newUser(server.url, `soak-${i}`), i));
  const started = Date.now();
  const until = started + SECONDS * 1000;
  await Promise.all(clients.map((c, i) => c.run(until, scanImages.slice(i * SCANS, (i + 1) * SCANS))));
  const duration = (Date.now() - started) / 1000;

  // The invariant: each user sees exactly the model, with its values, and
  // none of anybody else's.
  let invoices = 0;
  for (const c of clients) {
    await c.list();
    await c.exportCsv();
    for (const id of c.model.keys()) {
      const r = await c.call('final-get', `/invoices/${id}`, {}, [200]);
      if (r) c.check(r.json().fields.total === c.model.get(id).total, `final ${id}`);
    }
    invoices += c.model.size;
  }
  for (const { id, owner } of everyId) {
    for (const c of clients) {
      if (c === owner || !owner.model.has(id)) continue;
      await c.call('final-other-user', `/invoices/${id}`, {}, [404]);
      break;
    }
  }
  const rps = (stats.requests / duration).toFixed(0);
  console.log(`soak: ${USERS} users, ${duration.toFixed(1)} s of traffic, ${stats.requests} requests `
    + `(~${rps}/s), ${invoices} invoices kept at the end; by status ${JSON.stringify(stats.byStatus)}; `
    + `by operation ${JSON.stringify(stats.byOp)}; throttled (429) ${stats.throttled}; `
    + `unexpected ${stats.unexpected.length}`);
  assert.deepEqual(stats.unexpected, []);
  assert.ok(stats.requests > USERS * 20, 'traffic happened');
  assert.equal(server.child.exitCode, null, 'still running');
});
