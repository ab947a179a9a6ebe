// The invoice API: every call carries `Authorization: Bearer <ID token>`; a 401 refreshes the
// tokens once (or asks the person to sign in again) and repeats the call, so no work is lost.

export class ApiError extends Error {
  constructor(status, code, message, requestId = '') {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
  // Worth trying again by itself: the network, throttling, a server that is busy or restarting.
  get transient() { return this.status === 0 || this.status === 429 || this.status >= 500; }
  get detail() { return this.requestId ? `${this.message} (request ${this.requestId})` : this.message; }
}

async function errorOf(res) {
  let body = {};
  try { body = await res.json(); } catch { /* not JSON */ }
  const e = body.error ?? {};
  const fallback = res.status === 404 ? 'Not found: it may have been deleted.' : `The server answered ${res.status}.`;
  return new ApiError(res.status, e.code ?? `http_${res.status}`, e.message ?? fallback,
    e.request_id ?? res.headers.get('x-request-id') ?? '');
}

export class Api {
  constructor(base, auth) {
    this.base = base.replace(/\/+$/, '');
    this.auth = auth;
  }

  url(path) { return this.base + path; }

  // fetch() with the token; resolves to the Response when it is ok, else throws ApiError.
  async request(method, path, { body, headers = {}, keepalive = false } = {}) {
    for (let attempt = 0; ; attempt++) {
      const token = await this.auth.token();
      let res;
      try {
        res = await fetch(this.url(path), {
          method, body, keepalive, cache: 'no-store',
          headers: { Authorization: `Bearer ${token}`, ...headers },
        });
      } catch (e) {
        throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection.');
      }
      if (res.status === 401 && attempt === 0) {
        await this.auth.recover(token);
        continue;
      }
      if (!res.ok) throw await errorOf(res);
      return res;
    }
  }

  async list(query) {
    return (await this.request('GET', `/invoices?${query}`)).json();
  }

  // -> {invoice, etag}
  async get(id) {
    const res = await this.request('GET', `/invoices/${encodeURIComponent(id)}`);
    return { invoice: await res.json(), etag: res.headers.get('etag') };
  }

  // fields: {name: value or null}; -> {invoice, etag}. 412 when someone else saved first.
  async patch(id, etag, fields) {
    const headers = { 'Content-Type': 'application/json' };
    if (etag) headers['If-Match'] = etag;
    const res = await this.request('PATCH', `/invoices/${encodeURIComponent(id)}`, {
      headers, body: JSON.stringify({ fields }),
    });
    return { invoice: await res.json(), etag: res.headers.get('etag') };
  }

  async remove(id, { keepalive = false } = {}) {
    try {
      await this.request('DELETE', `/invoices/${encodeURIComponent(id)}`, { keepalive });
    } catch (e) {
      if (e.status !== 404) throw e; // already gone is fine
    }
  }

  // The original as uploaded (the server may redirect to a presigned URL; fetch follows it and
  // drops the Authorization header on the way to another origin).
  async picture(id) {
    return (await this.request('GET', `/invoices/${encodeURIComponent(id)}/picture`)).blob();
  }

  async exportCsv(query) {
    return (await this.request('GET', `/invoices/export.csv?${query}`, { headers: { Accept: 'text/csv' } })).blob();
  }

  // POST /invoices as multipart `file` with upload progress. onProgress(loaded, total).
  // Resolves to {invoice, status}; rejects with ApiError. Returns {promise, abort}.
  upload(file, { idempotencyKey, onProgress = () => {} } = {}) {
    let xhr = null;
    let aborted = false;
    const once = (token) => new Promise((resolve, reject) => {
      xhr = new XMLHttpRequest();
      xhr.open('POST', this.url('/invoices'));
      xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      if (idempotencyKey) xhr.setRequestHeader('Idempotency-Key', idempotencyKey);
      xhr.responseType = 'text';
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload was interrupted. Check your connection.'));
      xhr.onabort = () => reject(new ApiError(-1, 'aborted', 'Cancelled.'));
      xhr.ontimeout = () => reject(new ApiError(0, 'timeout', 'The upload took too long.'));
      xhr.onload = () => {
        let json = {};
        try { json = JSON.parse(xhr.responseText || '{}'); } catch { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) { resolve({ invoice: json, status: xhr.status }); return; }
        const e = json.error ?? {};
        reject(new ApiError(xhr.status, e.code ?? `http_${xhr.status}`,
          e.message ?? `The server answered ${xhr.status}.`,
          e.request_id ?? xhr.getResponseHeader('x-request-id') ?? ''));
      };
      const form = new FormData();
      form.append('file', file, file.name || 'upload');
      xhr.send(form);
    });
    const promise = (async () => {
      const token = await this.auth.token();
      try {
        return await once(token);
      } catch (e) {
        if (e.status !== 401 || aborted) throw e;
        await this.auth.recover(token);
        return once(await this.auth.token());
      }
    })();
    return { promise, abort: () => { aborted = true; xhr?.abort(); } };
  }
}
