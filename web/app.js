// Invoices: the single page. Plain ES modules, no build step.
//
// Configuration: GET config.json (beside this page) ->
//   {"auth": {"endpoint": "<Cognito-compatible endpoint>", "region", "clientId", "issuer"},
//    "api"?: {"endpoint": "<API base URL>"}}   (api defaults to this page's origin)
// so the same files work from `invoices serve` and as static files in front of a real
// Cognito user pool and API Gateway.
import { Auth, CognitoError, friendlyAuthError } from './auth.js';
import { Api, ApiError } from './api.js';
import { barChart } from './chart.js';
import {
  FIELDS, MAIN_FIELDS, LOW_CONFIDENCE, validateField, totalsByCurrency, groupTotals, compareInvoices,
  filterQuery, validateFilters, formatBytes, parseAmount, formatUnits, randomId,
} from './util.js';

const PAGE_SIZE = 50;
const SUMMARY_PAGE = 200; // the API's largest page
const SUMMARY_MAX_PAGES = 50; // totals and chart cover at most the newest 10,000 of a filtered set
const UNDO_MS = 6000;
const PARALLEL_UPLOADS = 3;
const AUTO_RETRIES = 2;
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const ACCEPTED = /^(image\/|application\/pdf$)/;
const ACCEPTED_EXT = /\.(jpe?g|png|gif|webp|heic|heif|avif|tiff?|bmp|pdf)$/i;

// ---------------------------------------------------------------- DOM helpers
const $ = (sel, root = document) => root.querySelector(sel);

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k in e && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return e;
}

function show(el, on = true) { el.hidden = !on; }

function money(amount, currency) {
  if (amount === undefined || amount === null || amount === '') return '';
  const a = parseAmount(amount);
  const digits = String(amount).split('.')[1]?.length ?? 0;
  return `${a ? formatUnits(a.units, digits) : amount}${currency ? ' ' + currency : ''}`;
}

function localDate(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

const STATUS = { needs_review: ['Check', 'warn'], corrected: ['Corrected', 'ok'], extracted: ['Read', 'plain'] };
function statusBadge(status) {
  const [text, cls] = STATUS[status] ?? [status ?? '', 'plain'];
  return h('span', { class: `badge ${cls}` }, text);
}

// ---------------------------------------------------------------- toasts
function toast(message, { action, onAction, duration = 5000, error = false } = {}) {
  const box = $('#toasts');
  const close = () => { clearTimeout(timer); item.remove(); };
  const button = action ? h('button', { type: 'button', class: 'link', onclick: () => { close(); onAction(); } }, action) : null;
  const item = h('div', { class: `toast${error ? ' error' : ''}`, role: error ? 'alert' : null },
    h('span', {}, message), button,
    h('button', { type: 'button', class: 'icon', 'aria-label': 'Dismiss', onclick: close }, '×'));
  box.append(item);
  const timer = setTimeout(close, duration);
  return { close, button };
}

function reportError(e, what) {
  if (e?.status === -1) return; // cancelled, or signed out meanwhile
  const detail = e instanceof ApiError ? e.detail : e instanceof CognitoError ? friendlyAuthError(e) : String(e.message ?? e);
  toast(`${what}: ${detail}`, { error: true, duration: 10000 });
}

// ---------------------------------------------------------------- state
const state = {
  auth: null,
  api: null,
  filters: {},
  sort: 'newest',
  rows: [], // server pages, newest first
  cursor: null,
  listSeq: 0,
  summary: { items: [], complete: false, loading: false },
  summarySeq: 0,
  shown: PAGE_SIZE, // rows shown when sorting the whole summary set
  pendingDeletes: new Map(), // id -> timer
  uploads: [],
  chartBy: 'month',
  chartCurrency: null, // '' is the group of invoices without a currency
  review: null, // {id, invoice, etag, base, edits: Map, errors: Map, conflict: Set}
  pictures: new Map(), // id -> object URL
};

// ---------------------------------------------------------------- boot and auth views
async function boot() {
  let config;
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
    config = await res.json();
    if (!config.auth?.clientId) throw new Error('config.json has no auth.clientId');
  } catch (e) {
    $('#boot').textContent = `This page cannot start: ${e.message}.`;
    $('#boot').classList.add('error');
    return;
  }
  state.auth = new Auth(config.auth, { onChange: renderWho, onSignInRequired: askSignInAgain });
  state.api = new Api(config.api?.endpoint || location.origin, state.auth);
  wireAuthForm();
  wireApp();
  show($('#boot'), false);
  if (state.auth.signedIn && state.auth.session.expiresAt < Date.now() + 30_000) {
    try { await state.auth.refresh(); } catch { state.auth.clear(); }
  }
  if (state.auth.signedIn) { state.auth.schedule(); enterApp(); } else enterAuth();
}

function renderWho() {
  const on = state.auth?.signedIn;
  show($('#who'), !!on);
  $('#who-email').textContent = on ? state.auth.email : '';
}

function enterAuth() {
  show($('#app-view'), false);
  show($('#auth-view'), true);
  setAuthMode('signin');
  $('#auth-email').focus();
}

function enterApp() {
  show($('#auth-view'), false);
  show($('#app-view'), true);
  renderWho();
  reload();
  routeFromHash();
}

let authMode = 'signin';
function setAuthMode(mode) {
  authMode = mode;
  const titles = { signin: 'Sign in', signup: 'Create an account', confirm: 'Confirm your email' };
  $('#auth-title').textContent = titles[mode];
  $('#auth-submit').textContent = { signin: 'Sign in', signup: 'Create account', confirm: 'Confirm' }[mode];
  $('#auth-password').autocomplete = mode === 'signup' ? 'new-password' : 'current-password';
  show($('#auth-password-hint'), mode === 'signup');
  show($('#auth-confirm'), mode === 'confirm');
  $('#auth-code').required = mode === 'confirm';
  $('#auth-switch-text').firstChild.textContent = mode === 'signin' ? 'New here? ' : 'Have an account? ';
  $('#auth-switch').textContent = mode === 'signin' ? 'Create an account' : 'Sign in';
  $('#auth-error').textContent = '';
}

function wireAuthForm() {
  $('#auth-switch').addEventListener('click', () => setAuthMode(authMode === 'signin' ? 'signup' : 'signin'));
  $('#auth-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const email = $('#auth-email').value.trim();
    const password = $('#auth-password').value;
    const err = $('#auth-error');
    if (!email || !$('#auth-email').checkValidity()) { err.textContent = 'Enter your email address.'; $('#auth-email').focus(); return; }
    if (!password) { err.textContent = 'Enter your password.'; $('#auth-password').focus(); return; }
    err.textContent = '';
    const button = $('#auth-submit');
    button.disabled = true;
    try {
      if (authMode === 'signup') {
        const { confirmed } = await state.auth.signUp(email, password);
        if (!confirmed) { setAuthMode('confirm'); $('#auth-code').focus(); return; }
      } else if (authMode === 'confirm') {
        await state.auth.confirmSignUp(email, $('#auth-code').value);
      }
      await state.auth.signIn(email, password);
      $('#auth-password').value = '';
      enterApp();
    } catch (e) {
      if (e instanceof CognitoError && e.type === 'UserNotConfirmedException') { setAuthMode('confirm'); }
      err.textContent = friendlyAuthError(e);
    } finally {
      button.disabled = false;
    }
  });
}

// Shown when a refresh failed mid-work: everything on the page stays as it is.
function askSignInAgain() {
  const dialog = $('#reauth');
  $('#reauth-email').value = state.auth.username;
  $('#reauth-password').value = '';
  $('#reauth-error').textContent = '';
  return new Promise((resolve) => {
    const form = $('#reauth-form');
    const onSubmit = async (ev) => {
      ev.preventDefault();
      try {
        await state.auth.signIn($('#reauth-email').value, $('#reauth-password').value);
        form.removeEventListener('submit', onSubmit);
        dialog.close();
        resolve();
      } catch (e) {
        $('#reauth-error').textContent = friendlyAuthError(e);
      }
    };
    form.addEventListener('submit', onSubmit);
    if (!dialog.open) dialog.showModal();
    $('#reauth-password').focus();
  });
}

async function signOut() {
  const busy = state.uploads.some((u) => ['queued', 'uploading', 'reading'].includes(u.status));
  if (busy && !confirm('Uploads are still running. Sign out and stop them?')) return;
  if (state.review?.edits.size && !confirm('You have unsaved changes. Sign out and discard them?')) return;
  for (const u of state.uploads) u.abort?.();
  await flushDeletes(); // with the token, before it is revoked
  await state.auth.signOut();
  resetApp();
  history.replaceState(null, '', location.pathname + location.search);
  enterAuth();
  toast('Signed out.');
}

function resetApp() {
  state.rows = []; state.cursor = null; state.summary = { items: [], complete: false }; state.uploads = [];
  state.review = null; state.filters = {}; state.listSeq++; state.summarySeq++; state.chartCurrency = null;
  for (const url of state.pictures.values()) URL.revokeObjectURL(url);
  state.pictures.clear();
  $('#filters').reset();
  if ($('#review').open) $('#review').close();
  renderUploads(); renderTable(); renderSummary();
}

// ---------------------------------------------------------------- upload
const isDocument = (file) => ACCEPTED.test(file.type) || (!file.type && ACCEPTED_EXT.test(file.name));

function acceptable(file) {
  if (!isDocument(file)) return 'Not a photo or PDF.';
  if (file.size > MAX_FILE_BYTES) return `Too large (${formatBytes(file.size)}; the limit is ${formatBytes(MAX_FILE_BYTES)}).`;
  if (file.size === 0) return 'The file is empty.';
  return '';
}

function addFiles(files) {
  const fresh = state.uploads.every((u) => ['done', 'failed', 'rejected', 'cancelled'].includes(u.status));
  if (fresh) state.uploads = state.uploads.filter((u) => u.status === 'failed');
  for (const file of files) {
    const problem = acceptable(file);
    state.uploads.push({
      n: randomId(), file, key: randomId(), attempts: 0, loaded: 0, total: file.size,
      status: problem ? 'rejected' : 'queued', error: problem,
    });
  }
  renderUploads();
  pump();
}

function pump() {
  let running = state.uploads.filter((u) => u.status === 'uploading' || u.status === 'reading').length;
  for (const u of state.uploads) {
    if (running >= PARALLEL_UPLOADS) break;
    if (u.status === 'queued') { running++; startUpload(u); }
  }
  renderBatch();
}

async function startUpload(u) {
  u.status = 'uploading';
  u.loaded = 0;
  u.error = '';
  u.attempts++;
  renderUpload(u);
  const { promise, abort } = state.api.upload(u.file, {
    idempotencyKey: u.key,
    onProgress: (loaded, total) => {
      u.loaded = loaded; u.total = total || u.file.size;
      if (loaded >= u.total) u.status = 'reading';
      renderUpload(u); renderBatch();
    },
  });
  u.abort = abort;
  try {
    const { invoice } = await promise;
    u.abort = null;
    u.status = 'done';
    u.invoice = invoice;
    uploaded(invoice);
  } catch (e) {
    u.abort = null; // Cancel while waiting to try again just marks it cancelled
    if (e.status === -1) {
      u.status = 'cancelled';
    } else if (e.transient && u.attempts <= AUTO_RETRIES) {
      u.status = 'waiting';
      u.error = `${e.message} Trying again…`;
      renderUpload(u);
      await new Promise((r) => setTimeout(r, 1000 * 2 ** u.attempts * (0.75 + Math.random() / 2)));
      if (u.status === 'waiting') u.status = 'queued';
    } else {
      u.status = 'failed';
      u.error = e.detail ?? String(e);
    }
  }
  renderUpload(u);
  pump();
}

function retryUpload(u) {
  u.status = 'queued';
  u.attempts = 0;
  renderUpload(u);
  pump();
}

function uploaded(invoice) {
  // Show it at once when no filter hides it; the server's view follows when the batch settles.
  if (!Object.keys(state.filters).length) {
    const row = { id: invoice.id, created_at: invoice.created_at, status: invoice.status, fields: invoice.fields ?? {} };
    if (!state.rows.some((r) => r.id === row.id)) state.rows.unshift(row);
    if (!state.summary.items.some((r) => r.id === row.id)) state.summary.items.unshift(row);
    renderTable();
    renderSummary();
  }
  clearTimeout(uploaded.timer);
  state.refreshPending = true;
  markBusy();
  uploaded.timer = setTimeout(() => {
    state.refreshPending = false;
    if (Object.keys(state.filters).length) loadList();
    loadSummary();
  }, 700);
}

function renderUploads() {
  const list = $('#uploads');
  list.replaceChildren(...state.uploads.map((u) => { u.el = h('li', { class: 'upload' }); fillUpload(u); return u.el; }));
  renderBatch();
}

function renderUpload(u) { if (u.el) fillUpload(u); }

function fillUpload(u) {
  const f = u.invoice?.fields ?? {};
  const pct = u.total ? Math.round((u.loaded / u.total) * 100) : 0;
  const label = `upload-${u.n}`;
  const text = {
    queued: 'Waiting…',
    uploading: `Uploading ${pct}%`,
    reading: 'Reading…',
    waiting: u.error,
    done: [f.vendor_name, f.invoice_date, money(f.total, f.currency)].filter(Boolean).join(' · ') || 'Saved; nothing read',
    failed: u.error,
    rejected: u.error,
    cancelled: 'Cancelled',
  }[u.status];
  const progress = u.status === 'reading'
    ? h('progress', { 'aria-labelledby': label }) // indeterminate while the server reads it
    : h('progress', { max: 100, value: u.status === 'done' ? 100 : pct, 'aria-labelledby': label });
  u.el.className = `upload ${u.status}`;
  u.el.replaceChildren(
    h('div', { class: 'upload-name', id: label }, h('span', { class: 'file' }, u.file.name || 'photo'),
      h('span', { class: 'size' }, formatBytes(u.file.size))),
    ['rejected', 'failed', 'cancelled', 'done'].includes(u.status) ? '' : progress,
    h('div', { class: 'upload-status' },
      h('span', { class: u.status === 'failed' || u.status === 'rejected' ? 'error' : '' }, text),
      u.invoice?.duplicate_of ? h('span', { class: 'badge warn' }, 'Probable duplicate') : null,
      u.status === 'done' ? h('button', { type: 'button', class: 'small', onclick: () => openReview(u.invoice.id) }, 'Review') : null,
      ['failed', 'cancelled'].includes(u.status) ? h('button', { type: 'button', class: 'small', onclick: () => retryUpload(u) }, 'Retry') : null,
      ['queued', 'uploading', 'waiting'].includes(u.status)
        ? h('button', { type: 'button', class: 'small', onclick: () => { if (u.abort) u.abort(); else { u.status = 'cancelled'; renderUpload(u); renderBatch(); } } }, 'Cancel')
        : null));
}

function renderBatch() {
  const real = state.uploads.filter((u) => u.status !== 'rejected');
  show($('#batch'), state.uploads.length > 0);
  const count = (s) => real.filter((u) => s.includes(u.status)).length;
  const done = count(['done']), failed = count(['failed']), cancelled = count(['cancelled']);
  let sum = 0, part = 0;
  for (const u of real) {
    const size = Math.max(u.file.size, 1);
    sum += size;
    if (['done', 'failed', 'cancelled'].includes(u.status)) part += size;
    else if (u.status === 'reading') part += size * 0.9;
    else part += size * 0.9 * (u.total ? u.loaded / u.total : 0);
  }
  const bar = $('#batch-progress');
  bar.max = 1;
  bar.value = sum ? part / sum : 0;
  const running = real.length - done - failed - cancelled;
  const bits = [`${done} of ${real.length} done`];
  if (failed) bits.push(`${failed} failed`);
  if (cancelled) bits.push(`${cancelled} cancelled`);
  if (state.uploads.length - real.length) bits.push(`${state.uploads.length - real.length} skipped`);
  $('#batch-text').textContent = (running ? 'Uploading: ' : 'Finished: ') + bits.join(', ');
  show($('#retry-failed'), failed > 0);
  show($('#batch-clear'), running === 0);
}

// Files, including those in dropped folders.
async function droppedFiles(dt) {
  const entries = [...(dt.items ?? [])].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.length) return [...dt.files];
  const files = [];
  const walk = async (entry) => {
    if (entry.isFile) files.push(await new Promise((res, rej) => entry.file(res, rej)));
    else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const e of batch) await walk(e);
      }
    }
  };
  for (const e of entries) await walk(e);
  // In a folder, take what looks like a document and leave the rest (.DS_Store, notes) out quietly.
  return entries.some((e) => e.isDirectory) ? files.filter(isDocument) : files;
}

// ---------------------------------------------------------------- list, totals, chart
function readFilters() {
  const form = $('#filters');
  const f = {};
  for (const name of ['q', 'vendor', 'from', 'to', 'min_total', 'max_total', 'currency', 'status']) {
    let v = form.elements[name].value.trim();
    if (name === 'currency') v = v.toUpperCase();
    if (name === 'min_total' || name === 'max_total') v = v.replace(',', '.');
    if (v) f[name] = v;
  }
  return f;
}

let filterTimer = 0;
function applyFilters() {
  clearTimeout(filterTimer);
  const f = readFilters();
  const errors = validateFilters(f);
  for (const name of ['from', 'to', 'min_total', 'max_total', 'currency']) {
    const input = $('#filters').elements[name];
    input.setAttribute('aria-invalid', errors[name] ? 'true' : 'false');
    $(`#f-${name}-err`).textContent = errors[name] ?? '';
  }
  if (Object.keys(errors).length) return;
  state.filters = f;
  const n = Object.keys(f).filter((k) => k !== 'q').length;
  $('#filter-count').textContent = n ? ` (${n})` : '';
  reload();
}

function reload() {
  state.shown = PAGE_SIZE;
  loadList();
  loadSummary();
}

// aria-busy on the list while a page or the totals are loading.
function markBusy() {
  $('#list').setAttribute('aria-busy', String(!!(state.listLoading || state.summary.loading || state.refreshPending)));
}

async function loadList({ append = false } = {}) {
  const seq = ++state.listSeq;
  state.listLoading = true;
  markBusy();
  $('#list-status').textContent = 'Loading…';
  $('#more').disabled = true;
  try {
    let cursor = append ? state.cursor : null;
    const got = [];
    // A selective filter can give empty pages with a cursor: follow a few of them.
    for (let i = 0; i < 5; i++) {
      const page = await state.api.list(filterQuery(state.filters, { limit: PAGE_SIZE, cursor }));
      if (seq !== state.listSeq) return;
      got.push(...(page.items ?? []));
      cursor = page.next_cursor || null;
      if (!cursor || got.length) break;
    }
    state.rows = append ? [...state.rows, ...got.filter((r) => !state.rows.some((x) => x.id === r.id))] : got;
    state.cursor = cursor;
    $('#list-status').textContent = '';
  } catch (e) {
    if (seq !== state.listSeq) return;
    $('#list-status').textContent = '';
    reportError(e, 'Could not load invoices');
  }
  state.listLoading = false;
  renderTable();
  markBusy();
}

async function loadSummary() {
  const seq = ++state.summarySeq;
  state.summary.loading = true;
  markBusy();
  renderSummary();
  const items = [];
  let cursor = null;
  try {
    for (let page = 0; page < SUMMARY_MAX_PAGES; page++) {
      const r = await state.api.list(filterQuery(state.filters, { limit: SUMMARY_PAGE, cursor }));
      if (seq !== state.summarySeq) return;
      items.push(...(r.items ?? []));
      cursor = r.next_cursor || null;
      if (!cursor) break;
    }
  } catch (e) {
    if (seq !== state.summarySeq) return;
    state.summary = { items: [], complete: false, loading: false, failed: true };
    renderSummary();
    markBusy();
    return;
  }
  state.summary = { items, complete: !cursor, loading: false, filters: JSON.stringify(state.filters) };
  renderSummary();
  markBusy();
  if (state.sort !== 'newest') renderTable();
}

const live = (items) => items.filter((r) => !state.pendingDeletes.has(r.id));

const SORTS = {
  newest: ['created', -1], date_desc: ['date', -1], date_asc: ['date', 1],
  total_desc: ['total', -1], total_asc: ['total', 1], vendor: ['vendor', 1],
};

// The rows to show: server pages in server order, or, sorted otherwise, the whole filtered set
// when it is loaded (else the loaded pages).
function tableRows() {
  if (state.sort === 'newest') return { rows: live(state.rows), more: !!state.cursor, note: '' };
  const cmp = compareInvoices(...SORTS[state.sort]);
  if (state.summary.complete) {
    const all = live(state.summary.items).sort(cmp);
    return { rows: all.slice(0, state.shown), more: all.length > state.shown, note: '' };
  }
  return {
    rows: live(state.rows).sort(cmp), more: !!state.cursor,
    note: state.cursor ? `Sorted among the ${state.rows.length} loaded; load more to include older ones.` : '',
  };
}

function renderTable() {
  const { rows, more, note } = tableRows();
  const body = $('#rows');
  body.replaceChildren(...rows.map((r) => {
    const f = r.fields ?? {};
    const vendor = f.vendor_name || 'Unknown vendor';
    return h('tr', { 'data-id': r.id },
      h('td', { 'data-label': 'Date' }, f.invoice_date ?? h('span', { class: 'muted' }, '—')),
      h('td', { 'data-label': 'Vendor', class: 'vendor' },
        h('a', { href: `#/invoices/${encodeURIComponent(r.id)}`, class: 'open' }, vendor),
        h('span', { class: 'muted uploaded' }, `uploaded ${localDate(r.created_at)}`)),
      h('td', { 'data-label': 'Total', class: 'num' }, money(f.total, f.currency) || h('span', { class: 'muted' }, '—')),
      h('td', { 'data-label': 'Status' }, statusBadge(r.status)),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete ${vendor} ${f.invoice_date ?? ''}`.trim(), onclick: () => deleteInvoice(r) }, 'Delete')));
  }));
  const anyFilter = Object.keys(state.filters).length > 0;
  show($('#empty'), rows.length === 0 && !$('#list-status').textContent);
  $('#empty').textContent = anyFilter ? 'No invoices match these filters.' : 'No invoices yet. Add one above: take a photo or drop files.';
  show($('#table'), rows.length > 0);
  show($('#more'), more);
  $('#more').disabled = false;
  $('#sort-note').textContent = note;
}

function renderSummary() {
  const s = state.summary;
  const box = $('#totals');
  // While the totals of other filters are added up, the old ones are not shown as theirs.
  const stale = s.filters !== JSON.stringify(state.filters);
  if (s.loading && (!s.items.length || stale)) { box.replaceChildren(h('span', { class: 'muted' }, 'Adding up…')); show($('#chart-box'), false); return; }
  if (s.failed) { box.replaceChildren(h('span', { class: 'muted' }, 'Totals are not available right now.')); show($('#chart-box'), false); return; }
  const items = live(s.items);
  const { list, missing } = totalsByCurrency(items);
  const scope = s.complete ? '' : ` (the newest ${items.length})`;
  box.replaceChildren(
    h('span', { class: 'count' }, `${items.length} invoice${items.length === 1 ? '' : 's'}${scope}`),
    ...list.map((t) => h('span', { class: 'total', 'data-currency': t.currency },
      h('span', { class: 'visually-hidden' }, '; '),
      h('strong', {}, t.total), ` ${t.currency || 'no currency'}`, h('span', { class: 'muted' }, ` (${t.count})`))),
    missing ? h('span', { class: 'muted' }, `${missing} without a total`) : '');
  // Currencies to chart: one at a time, the most used first.
  const sel = $('#chart-currency');
  const currencies = list.map((t) => t.currency);
  if (!currencies.includes(state.chartCurrency)) state.chartCurrency = currencies[0] ?? '';
  sel.replaceChildren(...currencies.map((c) => h('option', { value: c, selected: c === state.chartCurrency }, c || 'no currency')));
  show($('#chart-currency-wrap'), currencies.length > 1);
  show($('#chart-box'), items.length > 0 && currencies.length > 0);
  renderChart();
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function renderChart() {
  const box = $('#chart');
  if ($('#chart-box').hidden) return;
  const groups = groupTotals(live(state.summary.items), state.chartCurrency, state.chartBy, 8);
  for (const b of document.querySelectorAll('#chart-by button')) b.setAttribute('aria-pressed', String(b.dataset.by === state.chartBy));
  if (!groups.length) {
    box.replaceChildren(h('p', { class: 'muted' }, state.chartBy === 'month' ? 'No invoice dates to chart.' : 'Nothing to chart.'));
    return;
  }
  const title = `Total${state.chartCurrency ? ' ' + state.chartCurrency : ''} by ${state.chartBy}${state.chartCurrency ? '' : ' (no currency read)'}`;
  $('#chart-title').textContent = title;
  const label = state.chartBy === 'month' ? (k) => `${MONTHS[Number(k.slice(5)) - 1]} ${k.slice(0, 4)}` : (k) => k;
  box.replaceChildren(barChart(groups, { width: Math.max(280, box.clientWidth || 600), currency: state.chartCurrency, title, label }));
}

// ---------------------------------------------------------------- delete with undo
function deleteInvoice(row) {
  if (state.pendingDeletes.has(row.id)) return;
  if (state.review?.id === row.id) closeReview(true);
  const vendor = row.fields?.vendor_name || 'the invoice';
  state.pendingDeletes.set(row.id, setTimeout(() => commitDelete(row.id), UNDO_MS));
  const next = document.activeElement?.closest('tr')?.nextElementSibling;
  renderTable(); renderSummary();
  const t = toast(`Deleted ${vendor}.`, { action: 'Undo', onAction: () => undoDelete(row.id), duration: UNDO_MS });
  (next?.querySelector('a') ?? t.button)?.focus();
}

function undoDelete(id) {
  clearTimeout(state.pendingDeletes.get(id));
  state.pendingDeletes.delete(id);
  renderTable(); renderSummary();
  toast('Restored.');
}

async function commitDelete(id) {
  try {
    await state.api.remove(id);
    state.rows = state.rows.filter((r) => r.id !== id);
    state.summary.items = state.summary.items.filter((r) => r.id !== id);
    state.pendingDeletes.delete(id);
  } catch (e) {
    state.pendingDeletes.delete(id);
    reportError(e, 'Could not delete');
  }
  renderTable(); renderSummary();
}

// Deletes still waiting for their undo time are done now (sign-out, leaving the page): keepalive
// requests started at once, which outlive the page.
function flushDeletes() {
  const token = state.auth?.session?.idToken;
  const sent = [];
  for (const [id, timer] of state.pendingDeletes) {
    clearTimeout(timer);
    if (token) {
      sent.push(fetch(state.api.url(`/invoices/${encodeURIComponent(id)}`), {
        method: 'DELETE', keepalive: true, headers: { Authorization: `Bearer ${token}` },
      }).catch(() => {}));
    }
  }
  state.pendingDeletes.clear();
  return Promise.all(sent);
}

// ---------------------------------------------------------------- export
async function exportCsv() {
  const button = $('#export');
  button.disabled = true;
  $('#list-status').textContent = 'Preparing CSV…';
  try {
    const blob = await state.api.exportCsv(filterQuery(state.filters));
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `invoices-${new Date().toISOString().slice(0, 10)}.csv`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    $('#list-status').textContent = 'CSV downloaded.';
  } catch (e) {
    $('#list-status').textContent = '';
    reportError(e, 'Could not export');
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- review
function routeFromHash() {
  const m = /^#\/invoices\/([^/?#]+)$/.exec(location.hash);
  if (m && state.auth?.signedIn) {
    const id = decodeURIComponent(m[1]);
    if (state.review?.id !== id || !$('#review').open) openReview(id, { fromHash: true });
  } else if ($('#review').open && !m) {
    closeReview();
  }
}

async function openReview(id, { fromHash = false } = {}) {
  if (state.review && state.review.id !== id && state.review.edits.size && !confirm('Discard your unsaved changes?')) {
    if (fromHash) history.replaceState(null, '', `#/invoices/${encodeURIComponent(state.review.id)}`);
    return;
  }
  if (!fromHash) { history.pushState(null, '', `#/invoices/${encodeURIComponent(id)}`); }
  const dialog = $('#review');
  state.review = { id, invoice: null, etag: null, base: {}, edits: new Map(), errors: new Map(), conflict: new Map(), loading: true };
  $('#review-title').textContent = 'Invoice';
  $('#review-alert').textContent = '';
  $('#save-status').textContent = '';
  $('#fields').replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  $('#fields-more').replaceChildren();
  $('#picture').replaceChildren(h('p', { class: 'muted picture-note' }, 'Loading the picture…'));
  if (!dialog.open) dialog.showModal();
  try {
    const { invoice, etag } = await state.api.get(id);
    if (state.review?.id !== id) return;
    Object.assign(state.review, { invoice, etag, base: { ...(invoice.fields ?? {}) }, loading: false });
    renderReview();
    loadPicture(id, invoice);
  } catch (e) {
    if (state.review?.id !== id) return;
    $('#fields').replaceChildren(h('p', { class: 'error' }, e instanceof ApiError ? e.detail : String(e)));
  }
}

function closeReview(force = false) {
  const dialog = $('#review');
  if (!force && state.review?.edits.size && !confirm('Discard your unsaved changes?')) return false;
  state.review = null;
  if (dialog.open) dialog.close();
  if (location.hash.startsWith('#/invoices/')) history.pushState(null, '', location.pathname + location.search);
  return true;
}

function fieldInfo(inv, name) {
  return inv.extraction?.fields?.[name];
}

function renderReview() {
  const r = state.review;
  const inv = r.invoice;
  const f = inv.fields ?? {};
  $('#review-title').textContent = f.vendor_name || 'Invoice';
  const meta = [`Uploaded ${localDate(inv.created_at)}`];
  if (inv.extraction?.file) meta.push(inv.extraction.file);
  $('#review-meta').replaceChildren(statusBadge(inv.status), ' ', meta.join(' · '),
    inv.duplicate_of ? h('span', {}, ' · ', h('a', { href: `#/invoices/${encodeURIComponent(inv.duplicate_of)}` }, 'probable duplicate of an earlier upload')) : '');
  const main = [], more = [];
  for (const def of FIELDS) {
    const present = f[def.name] !== undefined || fieldInfo(inv, def.name) || r.edits.has(def.name);
    (MAIN_FIELDS.has(def.name) || present ? main : more).push(fieldRow(def));
  }
  $('#fields').replaceChildren(...main);
  $('#fields-more').replaceChildren(...more);
  show($('#fields-more-box'), more.length > 0);
  const warnings = inv.extraction?.warnings ?? [];
  $('#warnings').replaceChildren(...warnings.map((w) => h('li', {}, w)));
  show($('#warnings'), warnings.length > 0);
  $('#ocr-text').textContent = inv.extraction?.text ?? '';
  show($('#ocr-box'), !!inv.extraction?.text);
  updateSave();
}

function fieldRow(def) {
  const r = state.review;
  const inv = r.invoice;
  const info = fieldInfo(inv, def.name);
  const corrected = inv.corrections?.[def.name] !== undefined;
  const id = `fld-${def.name}`;
  const value = r.edits.has(def.name) ? r.edits.get(def.name) : (inv.fields?.[def.name] ?? '');
  const attrs = { id, name: def.name, value, autocomplete: 'off', 'aria-describedby': `${id}-meta ${id}-err` };
  if (def.kind === 'date') Object.assign(attrs, { type: 'date' });
  else if (def.kind === 'amount') Object.assign(attrs, { type: 'text', inputmode: 'decimal' });
  else if (def.kind === 'currency') Object.assign(attrs, { type: 'text', maxlength: 3, class: 'upper', autocapitalize: 'characters' });
  else attrs.type = 'text';
  const input = h('input', attrs);
  input.addEventListener('input', () => onFieldInput(def, input));
  input.addEventListener('change', () => onFieldInput(def, input, true));

  const low = info && !corrected && info.confidence < LOW_CONFIDENCE;
  let metaText;
  if (corrected) metaText = info ? `Corrected by you (read: ${info.value})` : 'Entered by you';
  else if (info) metaText = `${Math.round(info.confidence * 100)}% sure${low ? ': please check' : ''}`;
  else metaText = 'Not found';
  const revert = corrected && !r.edits.has(def.name)
    ? h('button', { type: 'button', class: 'link small', onclick: () => { input.value = info?.value ?? ''; onFieldInput(def, input, true); } },
      info ? 'Use the value read' : 'Clear')
    : null;
  const conflict = r.conflict.get(def.name);
  const wide = /_(name|address)$/.test(def.name) ? ' wide' : '';
  const row = h('div', { class: `field${wide}${low ? ' low' : ''}${corrected ? ' corrected' : ''}${r.edits.has(def.name) ? ' edited' : ''}`, 'data-field': def.name },
    h('label', { for: id }, def.label),
    input,
    h('div', { class: 'field-meta', id: `${id}-meta` },
      info ? h('span', { class: 'conf', 'aria-hidden': 'true' }, h('span', { class: 'conf-bar' })) : null,
      h('span', { class: low ? 'warn-text' : 'muted' }, metaText), revert),
    conflict !== undefined ? h('p', { class: 'conflict-note' }, `Saved elsewhere meanwhile: ${conflict || '(empty)'}`) : null,
    h('p', { class: 'field-error', id: `${id}-err` }, r.errors.get(def.name) ?? ''));
  const bar = row.querySelector('.conf-bar');
  if (bar) bar.style.width = `${Math.round((info.confidence ?? 0) * 100)}%`;
  if (r.errors.has(def.name)) input.setAttribute('aria-invalid', 'true');
  const activate = () => highlight(def.name, true);
  const deactivate = () => highlight(def.name, false);
  row.addEventListener('pointerenter', activate);
  row.addEventListener('pointerleave', () => { if (!row.contains(document.activeElement)) deactivate(); });
  row.addEventListener('focusin', activate);
  row.addEventListener('focusout', deactivate);
  return row;
}

function onFieldInput(def, input, final = false) {
  const r = state.review;
  const row = input.closest('.field');
  const { value, error } = validateField(def.kind, input.value);
  if (error) {
    // While typing, only say so once the value cannot become valid by typing on.
    if (final || def.kind !== 'date') r.errors.set(def.name, error);
    r.edits.set(def.name, input.value);
  } else {
    r.errors.delete(def.name);
    if (final && value !== input.value) input.value = value;
    const current = r.invoice.fields?.[def.name] ?? '';
    if (value === current) r.edits.delete(def.name); else r.edits.set(def.name, value);
  }
  row.querySelector('.field-error').textContent = r.errors.get(def.name) ?? '';
  input.setAttribute('aria-invalid', r.errors.has(def.name) ? 'true' : 'false');
  row.classList.toggle('edited', r.edits.has(def.name));
  updateSave();
}

function updateSave() {
  const r = state.review;
  const n = r?.edits.size ?? 0;
  $('#save').disabled = !n;
  $('#save').textContent = n ? `Save ${n} change${n === 1 ? '' : 's'}` : 'Saved';
}

async function saveReview(ev) {
  ev?.preventDefault();
  const r = state.review;
  if (!r?.invoice || !r.edits.size) return;
  // Validate everything once more, as the final value.
  for (const input of document.querySelectorAll('#review .field input')) {
    const def = FIELDS.find((d) => d.name === input.name);
    if (r.edits.has(def.name)) onFieldInput(def, input, true);
  }
  if (r.errors.size) {
    $('#review-alert').textContent = 'Some values need fixing first.';
    document.querySelector(`#fld-${[...r.errors.keys()][0]}`)?.focus();
    return;
  }
  const patch = {};
  for (const [name, value] of r.edits) patch[name] = value === '' ? null : value;
  $('#save').disabled = true;
  $('#save-status').textContent = 'Saving…';
  $('#review-alert').textContent = '';
  try {
    const { invoice, etag } = await state.api.patch(r.id, r.etag, patch);
    if (state.review !== r) return;
    Object.assign(r, { invoice, etag: etag ?? r.etag, base: { ...(invoice.fields ?? {}) } });
    r.edits.clear();
    r.conflict.clear();
    renderReview();
    drawBoxes();
    $('#save-status').textContent = 'Saved.';
    updateRow(invoice);
  } catch (e) {
    if (state.review !== r) return;
    $('#save-status').textContent = '';
    if (e.status === 412) await onConflict(r);
    else if (e.status === 400) {
      const field = FIELDS.find((d) => e.message.includes(d.name));
      if (field) r.errors.set(field.name, e.message);
      $('#review-alert').textContent = e.detail;
      renderReview();
    } else {
      $('#review-alert').textContent = `Not saved: ${e.detail ?? e}. Your changes are kept; try again.`;
    }
    updateSave();
  }
}

// Someone saved in between: load their version, keep the person's edits on top and show what changed.
async function onConflict(r) {
  try {
    const { invoice, etag } = await state.api.get(r.id);
    if (state.review !== r) return;
    r.conflict.clear();
    const theirs = invoice.fields ?? {};
    for (const name of new Set([...Object.keys(theirs), ...Object.keys(r.base)])) {
      if ((theirs[name] ?? '') !== (r.base[name] ?? '')) r.conflict.set(name, theirs[name] ?? '');
    }
    for (const [name, value] of [...r.edits]) if ((theirs[name] ?? '') === value) r.edits.delete(name);
    Object.assign(r, { invoice, etag, base: { ...theirs } });
    renderReview();
    drawBoxes();
    updateRow(invoice);
    $('#review-alert').textContent = 'This invoice was changed elsewhere (another tab or device) while you edited it. '
      + 'Your changes are kept; the fields changed elsewhere are marked. Check them and save again.';
  } catch (e) {
    $('#review-alert').textContent = `Changed elsewhere, and the new version could not be loaded: ${e.detail ?? e}`;
  }
}

function updateRow(invoice) {
  const summary = { id: invoice.id, created_at: invoice.created_at, status: invoice.status, fields: invoice.fields ?? {} };
  for (const list of [state.rows, state.summary.items]) {
    const i = list.findIndex((x) => x.id === invoice.id);
    if (i >= 0) list[i] = summary;
  }
  renderTable(); renderSummary();
}

async function loadPicture(id, invoice) {
  const box = $('#picture');
  try {
    let url = state.pictures.get(id);
    let type = invoice.picture?.content_type ?? '';
    if (!url) {
      const blob = await state.api.picture(id);
      url = URL.createObjectURL(blob);
      type = blob.type || type;
      state.pictures.set(id, url);
      if (state.pictures.size > 30) { const [k, v] = state.pictures.entries().next().value; URL.revokeObjectURL(v); state.pictures.delete(k); }
    }
    if (state.review?.id !== id) return;
    if (/pdf/.test(type)) {
      box.replaceChildren(h('iframe', { src: url, title: 'The uploaded PDF', class: 'pdf' }),
        h('p', { class: 'picture-note' }, h('a', { href: url, target: '_blank', rel: 'noopener' }, 'Open the PDF'),
          ' (boxes are shown on photos only)'));
      return;
    }
    const img = h('img', { src: url, alt: `The uploaded ${invoice.extraction?.file ?? 'picture'}` });
    const frame = h('div', { class: 'frame' }, img);
    box.replaceChildren(frame);
    await img.decode().catch(() => {});
    drawBoxes();
  } catch (e) {
    if (state.review?.id !== id) return;
    box.replaceChildren(h('p', { class: 'error picture-note' }, `The picture could not be loaded: ${e.detail ?? e}`));
  }
}

const SVG = 'http://www.w3.org/2000/svg';
function drawBoxes() {
  const r = state.review;
  const frame = $('#picture .frame');
  if (!r?.invoice || !frame) return;
  frame.querySelector('svg')?.remove();
  const img = frame.querySelector('img');
  const doc = r.invoice.extraction?.document ?? {};
  const w = doc.width || img.naturalWidth, hgt = doc.height || img.naturalHeight;
  if (!w || !hgt) return;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'boxes');
  svg.setAttribute('aria-hidden', 'true');
  const pad = Math.max(2, w / 200); // a little room around the text
  for (const def of FIELDS) {
    const info = fieldInfo(r.invoice, def.name);
    if (!info?.bbox || (info.page ?? 1) !== 1) continue;
    const [x0, y0, x1, y1] = info.bbox;
    const corrected = r.invoice.corrections?.[def.name] !== undefined;
    const rect = document.createElementNS(SVG, 'rect');
    Object.entries({ x: x0 - pad, y: y0 - pad, width: x1 - x0 + 2 * pad, height: y1 - y0 + 2 * pad, rx: pad })
      .forEach(([k, v]) => rect.setAttribute(k, v));
    rect.setAttribute('class', `box${!corrected && info.confidence < LOW_CONFIDENCE ? ' low' : ''}`);
    rect.dataset.field = def.name;
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `${def.label}: ${info.text ?? info.value} (${Math.round(info.confidence * 100)}% sure)`;
    rect.append(title);
    rect.addEventListener('click', () => $(`#fld-${def.name}`)?.focus());
    svg.append(rect);
  }
  frame.append(svg);
}

function highlight(name, on) {
  const svg = $('#picture svg.boxes');
  document.querySelectorAll('#review .field.active').forEach((e) => e.classList.remove('active'));
  if (svg) {
    svg.classList.toggle('focus', on);
    svg.querySelectorAll('rect.active').forEach((e) => e.classList.remove('active'));
  }
  if (!on) return;
  $(`#review .field[data-field="${name}"]`)?.classList.add('active');
  const rect = svg?.querySelector(`rect[data-field="${name}"]`);
  if (!rect) return;
  rect.classList.add('active');
  // Bring the box into view inside the picture pane (it scrolls on small screens).
  const pane = $('#picture');
  const a = rect.getBoundingClientRect(), p = pane.getBoundingClientRect();
  if (a.top < p.top || a.bottom > p.bottom) pane.scrollTop += a.top - p.top - p.height / 2 + a.height / 2;
}

// ---------------------------------------------------------------- wiring
function wireApp() {
  $('#sign-out').addEventListener('click', signOut);
  $('#reauth-signout').addEventListener('click', () => { state.auth.clear(); location.reload(); });
  $('#reauth').addEventListener('cancel', (ev) => ev.preventDefault()); // requests wait on it

  // Upload: pickers, drop zone (the whole window takes drops too).
  for (const id of ['#camera', '#files']) {
    $(id).addEventListener('change', (ev) => { addFiles([...ev.target.files]); ev.target.value = ''; });
  }
  const drop = $('#drop');
  let depth = 0;
  document.addEventListener('dragenter', (ev) => {
    if (!ev.dataTransfer?.types?.includes('Files') || $('#app-view').hidden) return;
    depth++; drop.classList.add('over');
  });
  document.addEventListener('dragleave', () => { if (--depth <= 0) { depth = 0; drop.classList.remove('over'); } });
  document.addEventListener('dragover', (ev) => { if (ev.dataTransfer?.types?.includes('Files')) ev.preventDefault(); });
  document.addEventListener('drop', async (ev) => {
    if (!ev.dataTransfer?.types?.includes('Files')) return;
    ev.preventDefault();
    depth = 0; drop.classList.remove('over');
    if ($('#app-view').hidden) return;
    addFiles(await droppedFiles(ev.dataTransfer));
  });
  $('#retry-failed').addEventListener('click', () => state.uploads.filter((u) => u.status === 'failed').forEach(retryUpload));
  $('#batch-clear').addEventListener('click', () => {
    state.uploads = state.uploads.filter((u) => !['done', 'rejected', 'cancelled'].includes(u.status));
    renderUploads();
  });

  // List.
  const form = $('#filters');
  form.addEventListener('submit', (ev) => { ev.preventDefault(); applyFilters(); });
  form.addEventListener('reset', () => setTimeout(() => {
    if (!state.auth.signedIn) return;
    for (const e of form.querySelectorAll('[aria-invalid]')) e.setAttribute('aria-invalid', 'false');
    for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
    applyFilters();
  }));
  // Typing in search or a filter applies it after a pause; the button and Enter apply at once.
  form.addEventListener('input', (ev) => {
    if (ev.target.name === 'sort') return;
    clearTimeout(filterTimer);
    filterTimer = setTimeout(applyFilters, 400);
  });
  $('#sort').addEventListener('change', (ev) => { state.sort = ev.target.value; state.shown = PAGE_SIZE; renderTable(); });
  $('#more').addEventListener('click', () => {
    if (state.sort !== 'newest' && state.summary.complete) { state.shown += PAGE_SIZE; renderTable(); } else loadList({ append: true });
  });
  $('#export').addEventListener('click', exportCsv);
  $('#rows').addEventListener('click', (ev) => {
    const a = ev.target.closest('a.open');
    if (!a) return;
    ev.preventDefault();
    openReview(a.closest('tr').dataset.id);
  });
  for (const b of document.querySelectorAll('#chart-by button')) {
    b.addEventListener('click', () => { state.chartBy = b.dataset.by; renderChart(); });
  }
  $('#chart-currency').addEventListener('change', (ev) => { state.chartCurrency = ev.target.value; renderChart(); });
  let resize = 0;
  window.addEventListener('resize', () => { clearTimeout(resize); resize = setTimeout(renderChart, 150); });

  // Review.
  $('#review-form').addEventListener('submit', saveReview);
  $('#review-close').addEventListener('click', () => closeReview());
  $('#review').addEventListener('cancel', (ev) => { ev.preventDefault(); closeReview(); });
  $('#review-delete').addEventListener('click', () => {
    const r = state.review;
    if (r?.invoice) deleteInvoice({ id: r.id, fields: r.invoice.fields });
  });
  window.addEventListener('hashchange', routeFromHash);
  window.addEventListener('popstate', routeFromHash);

  // "/" jumps to the search box.
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== '/' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target.closest('input, textarea, select, dialog') || $('#app-view').hidden) return;
    ev.preventDefault();
    $('#f-q').focus();
  });

  window.addEventListener('beforeunload', (ev) => {
    const busy = state.uploads.some((u) => ['queued', 'uploading', 'reading', 'waiting'].includes(u.status));
    if (busy || state.review?.edits.size) { ev.preventDefault(); ev.returnValue = ''; }
  });
  window.addEventListener('pagehide', flushDeletes);
}

boot();
