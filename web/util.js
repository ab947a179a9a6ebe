// Pure helpers (no DOM): field catalogue, validation, exact decimal sums, formatting.
// Imported by the page and by the Node tests.

// The fields of SCHEMA.md, in the order the review form shows them.
export const FIELDS = [
  ['vendor_name', 'Vendor', 'text'],
  ['invoice_date', 'Invoice date', 'date'],
  ['total', 'Total', 'amount'],
  ['currency', 'Currency', 'currency'],
  ['subtotal', 'Subtotal', 'amount'],
  ['tax', 'Tax', 'amount'],
  ['invoice_id', 'Invoice number', 'text'],
  ['due_date', 'Due date', 'date'],
  ['amount_due', 'Amount due', 'amount'],
  ['discount', 'Discount', 'amount'],
  ['tip', 'Tip', 'amount'],
  ['vendor_address', 'Vendor address', 'text'],
  ['vendor_tax_id', 'Vendor tax id', 'text'],
  ['vendor_phone', 'Vendor phone', 'text'],
  ['receiver_name', 'Receiver', 'text'],
  ['receiver_address', 'Receiver address', 'text'],
  ['receiver_tax_id', 'Receiver tax id', 'text'],
  ['purchase_order', 'Purchase order', 'text'],
  ['payment_terms', 'Payment terms', 'text'],
].map(([name, label, kind]) => ({ name, label, kind }));

// Shown even when nothing was read, so that the user can fill them in.
export const MAIN_FIELDS = new Set(['vendor_name', 'invoice_date', 'total', 'currency', 'subtotal', 'tax']);

// Below this confidence a field is marked for the user to check.
export const LOW_CONFIDENCE = 0.6;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const AMOUNT_RE = /^-?\d+(\.\d+)?$/;
const CURRENCY_RE = /^[A-Z]{3}$/;

export function isDate(s) {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

// Normalises what a user typed for a field of `kind`: {value} or {error}.
// An empty value is allowed (it removes the user's correction).
export function validateField(kind, raw) {
  let value = String(raw ?? '').trim().replace(/\s+/g, ' ');
  if (value === '') return { value: '' };
  switch (kind) {
    case 'date':
      return isDate(value) ? { value } : { error: 'Use a real date as YYYY-MM-DD, e.g. 2019-01-23.' };
    case 'amount':
      value = value.replace(/\s/g, '');
      // A decimal comma alone ("12,50") is taken as a decimal point; thousands separators are not.
      if (/^-?\d+,\d{1,3}$/.test(value) && !/^-?\d{1,3},\d{3}$/.test(value)) value = value.replace(',', '.');
      return AMOUNT_RE.test(value) ? { value } : { error: 'Use a decimal number with a point, e.g. 1234.50.' };
    case 'currency':
      value = value.toUpperCase();
      return CURRENCY_RE.test(value) ? { value } : { error: 'Use a 3-letter currency code, e.g. EUR.' };
    default:
      return { value };
  }
}

// Exact decimal arithmetic on strings: amounts are BigInt at a fixed scale.
const SCALE = 4;
const SCALE_N = 10n ** BigInt(SCALE);

export function parseAmount(s) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(s ?? '').trim());
  if (!m) return null;
  const frac = (m[3] ?? '').padEnd(SCALE, '0').slice(0, SCALE);
  const v = BigInt(m[2]) * SCALE_N + BigInt(frac);
  return { units: m[1] ? -v : v, digits: Math.min((m[3] ?? '').length, SCALE) };
}

export function formatUnits(units, digits = 2) {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const int = (abs / SCALE_N).toString();
  let frac = (abs % SCALE_N).toString().padStart(SCALE, '0').slice(0, Math.max(digits, 0));
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + grouped + (frac ? '.' + frac : '');
}

// Sum of `total` per currency: [{currency, total (string), count, units}] by
// descending count. Invoices without a total are counted under `missing`.
export function totalsByCurrency(items) {
  const by = new Map();
  let missing = 0;
  for (const it of items) {
    const f = it.fields ?? {};
    const a = parseAmount(f.total);
    if (!a) { missing++; continue; }
    const cur = f.currency || '';
    const t = by.get(cur) ?? { currency: cur, units: 0n, count: 0, digits: 2 };
    t.units += a.units;
    t.count++;
    t.digits = Math.max(t.digits, a.digits);
    by.set(cur, t);
  }
  // Most used first; invoices without a currency after those with one.
  const list = [...by.values()].sort((a, b) => b.count - a.count || !a.currency - !b.currency
    || a.currency.localeCompare(b.currency));
  return { list: list.map((t) => ({ ...t, total: formatUnits(t.units, t.digits) })), missing };
}

// Sums of `total` in one currency grouped by a key: month ("YYYY-MM" of
// invoice_date) or vendor. Returns [{key, units, count}] (months in order,
// vendors by descending sum, the rest folded into "Others").
export function groupTotals(items, currency, by, maxBars = 8) {
  const groups = new Map();
  for (const it of items) {
    const f = it.fields ?? {};
    if ((f.currency || '') !== currency) continue;
    const a = parseAmount(f.total);
    if (!a) continue;
    let key;
    if (by === 'month') {
      if (!isDate(f.invoice_date ?? '')) continue;
      key = f.invoice_date.slice(0, 7);
    } else {
      key = (f.vendor_name || 'Unknown vendor').trim();
    }
    const g = groups.get(key) ?? { key, units: 0n, count: 0 };
    g.units += a.units;
    g.count++;
    groups.set(key, g);
  }
  let list = [...groups.values()];
  if (by === 'month') {
    list.sort((a, b) => a.key.localeCompare(b.key));
    return list.slice(-Math.max(maxBars, 12));
  }
  list.sort((a, b) => (b.units > a.units ? 1 : b.units < a.units ? -1 : a.key.localeCompare(b.key)));
  if (list.length > maxBars) {
    const rest = list.slice(maxBars - 1);
    const others = { key: `Others (${rest.length})`, units: 0n, count: 0 };
    for (const g of rest) { others.units += g.units; others.count += g.count; }
    list = [...list.slice(0, maxBars - 1), others];
  }
  return list;
}

// Client-side ordering of loaded rows. `key` is one of date, vendor, total, created.
export function compareInvoices(key, dir = 1) {
  const val = (it) => {
    const f = it.fields ?? {};
    switch (key) {
      case 'date': return f.invoice_date ?? '';
      case 'vendor': return (f.vendor_name ?? '').toLowerCase();
      case 'total': return parseAmount(f.total)?.units ?? null;
      default: return it.created_at ?? '';
    }
  };
  return (a, b) => {
    const x = val(a), y = val(b);
    // Missing values go last whatever the direction.
    const ex = x === null || x === '', ey = y === null || y === '';
    if (ex || ey) return ex === ey ? 0 : ex ? 1 : -1;
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  };
}

// The query string of the list filters (empty values left out).
export function filterQuery(filters, extra = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...extra })) {
    if (v !== undefined && v !== null && String(v).trim() !== '') p.set(k, String(v).trim());
  }
  return p.toString();
}

// Errors of a filter form, by parameter name.
export function validateFilters(f) {
  const errors = {};
  for (const k of ['from', 'to']) if (f[k] && !isDate(f[k])) errors[k] = 'Use YYYY-MM-DD.';
  for (const k of ['min_total', 'max_total']) if (f[k] && !AMOUNT_RE.test(f[k])) errors[k] = 'Use a decimal number.';
  if (f.currency && !CURRENCY_RE.test(f.currency)) errors.currency = 'Use a 3-letter code.';
  if (f.from && f.to && isDate(f.from) && isDate(f.to) && f.from > f.to) errors.to = 'Must not be before "from".';
  return errors;
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// The claims of a JWT, unverified (only to show who is signed in and when the token expires).
export function jwtClaims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '='));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}

// A random id that also works outside a secure context (a phone on the LAN over http).
export function randomId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
