// Helpers of the hardening tests (crash, faults, soak, security): uploads
// with the user's values (stored unread, no OCR), whole listings, waiting
// for a server to be ready.
import { createHash } from 'node:crypto';

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resolves once `invoices serve` at `url` answers with its services up
// (it prints its URL before the store is opened).
export async function waitReady(url) {
  for (let i = 0; i < 300; ++i) {
    try {
      const res = await fetch(`${url}/config.json`);
      if (res.status === 200) return;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  throw new Error(`invoices serve at ${url} did not become ready`);
}

// A multipart body: the document as `file`, and `fields` when given.
export function uploadForm(bytes, { fields, name = 'receipt.jpg', type = 'image/jpeg' } = {}) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), name);
  if (fields) form.append('fields', JSON.stringify(fields));
  return form;
}

// POST /invoices; resolves { status, json } or { status: 0, error } when no
// answer came (connection refused or cut).
export async function postInvoice(url, user, body, headers = {}, signal) {
  try {
    const res = await fetch(`${url}/invoices`, {
      method: 'POST', body, headers: { ...user.headers, ...headers }, signal,
    });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = { raw: text }; }
    return { status: res.status, json, headers: res.headers };
  } catch (error) {
    return { status: 0, error };
  }
}

// Every invoice the user's listing shows, all pages: [{id, fields, ...}].
export async function listAll(url, user, query = '') {
  const items = [];
  let cursor = '';
  for (let page = 0; page < 1000; ++page) {
    const q = new URLSearchParams(query);
    q.set('limit', '200');
    if (cursor) q.set('cursor', cursor);
    const res = await fetch(`${url}/invoices?${q}`, { headers: user.headers });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`list: ${res.status} ${JSON.stringify(body)}`);
    items.push(...body.items);
    if (!body.next_cursor) return items;
    cursor = body.next_cursor;
  }
  throw new Error('too many pages');
}

// The original's bytes of an invoice, following a redirect to a presigned
// store URL (without the user's token, as a browser would).
export async function pictureBytes(url, user, id) {
  const res = await fetch(`${url}/invoices/${id}/picture`, { headers: user.headers, redirect: 'manual' });
  if (res.status === 302) {
    const again = await fetch(res.headers.get('location'));
    return { status: again.status, bytes: Buffer.from(await again.arrayBuffer()) };
  }
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}
