// The web page (web/) in a real browser against a real `invoices serve`: Debian's chromium driven
// by playwright-core. Screenshots go to test-output/screenshots/ (desktop 1280x800, phone 390x844).
// The server serves the copy of web/ built into the binary; to try changes to the page without
// rebuilding, run with INVOICES_WEB_ROOT=web (the server then reads the folder).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, devImages, tempDir } from './lib/invoices.mjs';
import { launchBrowser, screenshotPath, watchConsole } from './lib/browser.mjs';
import {
  validateField, totalsByCurrency, groupTotals, compareInvoices, filterQuery, validateFilters, isDate,
} from '../web/util.js';

// ------------------------------------------------------------------ the page's pure helpers
describe('web/util.js', () => {
  test('field validation: dates, amounts, currencies', () => {
    assert.deepEqual(validateField('date', '2019-01-23'), { value: '2019-01-23' });
    assert.ok(validateField('date', '2019-02-30').error, 'no 30 February');
    assert.ok(validateField('date', '23/01/2019').error);
    assert.deepEqual(validateField('amount', ' 1234.50 '), { value: '1234.50' });
    assert.deepEqual(validateField('amount', '-3'), { value: '-3' });
    assert.deepEqual(validateField('amount', '12,50'), { value: '12.50' }, 'a decimal comma alone');
    assert.ok(validateField('amount', '1,234').error, 'a thousands separator is ambiguous');
    assert.ok(validateField('amount', '12.5O').error);
    assert.deepEqual(validateField('currency', 'myr'), { value: 'MYR' });
    assert.ok(validateField('currency', 'RM').error);
    assert.deepEqual(validateField('text', '  A   B '), { value: 'A B' });
    assert.deepEqual(validateField('amount', ''), { value: '' }, 'empty removes a correction');
    assert.ok(isDate('2024-02-29') && !isDate('2023-02-29'));
  });

  test('totals per currency are exact decimals', () => {
    const items = [
      { fields: { total: '0.10', currency: 'EUR' } }, { fields: { total: '0.20', currency: 'EUR' } },
      { fields: { total: '1000000.005', currency: 'BHD' } }, { fields: { total: '20', currency: 'EUR' } },
      { fields: { currency: 'EUR' } }, { fields: { total: '5.00' } },
    ];
    const { list, missing } = totalsByCurrency(items);
    assert.equal(missing, 1);
    assert.deepEqual(list.map((t) => [t.currency, t.total, t.count]),
      [['EUR', '20.30', 3], ['BHD', '1,000,000.005', 1], ['', '5.00', 1]], 'no currency last among equals');
  });

  test('chart groups by month and by vendor', () => {
    const items = [
      { fields: { total: '1.00', currency: 'EUR', invoice_date: '2024-02-03', vendor_name: 'A' } },
      { fields: { total: '2.50', currency: 'EUR', invoice_date: '2024-01-09', vendor_name: 'B' } },
      { fields: { total: '3.00', currency: 'EUR', invoice_date: '2024-02-28', vendor_name: 'B' } },
      { fields: { total: '9.00', currency: 'USD', invoice_date: '2024-02-28', vendor_name: 'C' } },
    ];
    assert.deepEqual(groupTotals(items, 'EUR', 'month').map((g) => [g.key, g.units, g.count]),
      [['2024-01', 25000n, 1], ['2024-02', 40000n, 2]]);
    assert.deepEqual(groupTotals(items, 'EUR', 'vendor').map((g) => g.key), ['B', 'A']);
    const many = Array.from({ length: 12 }, (_, i) => ({ fields: { total: String(i + 1), currency: 'X', vendor_name: `v${i}` } }));
    const bars = groupTotals(many, 'X', 'vendor', 8);
    assert.equal(bars.length, 8);
    assert.equal(bars.at(-1).key, 'Others (5)');
  });

  test('sorting keeps missing values last; filters become a query', () => {
    const rows = [{ fields: { total: '10' } }, { fields: {} }, { fields: { total: '9.5' } }];
    assert.deepEqual([...rows].sort(compareInvoices('total', -1)).map((r) => r.fields.total), ['10', '9.5', undefined]);
    assert.deepEqual([...rows].sort(compareInvoices('total', 1)).map((r) => r.fields.total), ['9.5', '10', undefined]);
    assert.equal(filterQuery({ q: ' coffee ', vendor: '', min_total: '5' }, { limit: 50, cursor: null }),
      'q=coffee&min_total=5&limit=50');
    assert.deepEqual(Object.keys(validateFilters({ from: '2024-02-01', to: '2024-01-01', currency: 'eu', min_total: 'x' })),
      ['min_total', 'currency', 'to']);
  });
});

// ------------------------------------------------------------------ the page end to end
const RECEIPT = path.join(devImages, 'X00016469676.jpg'); // total 20.00, date 2019-01-23
const VENDOR = 'S.H.H. Motor (Sungai Rengit) Sdn. Bhd.';
const EMAIL = `web-${Date.now()}@example.com`;
const PASSWORD = 'Correct-horse-battery-9';
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

// RFC 4180 records.
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

describe('the web page in chromium', { timeout: 240_000 }, () => {
  let server, browser, desktop, page, errors;
  let invoiceId;

  const token = (p = page) => p.evaluate(() => JSON.parse(localStorage.getItem('invoices.session.v1')).idToken);
  const api = async (pathname, init = {}) => fetch(`${server.url}${pathname}`, {
    ...init, headers: { authorization: `Bearer ${await token()}`, ...(init.headers ?? {}) },
  });
  // Waits for the list and its totals to finish loading, then for n rows.
  const waitRows = async (n, p = page) => {
    await p.waitForFunction((k) => document.querySelector('#list').getAttribute('aria-busy') === 'false'
      && document.querySelectorAll('#rows tr').length === k
      && (k > 0 || !document.querySelector('#empty').hidden), n);
  };

  before(async () => {
    server = await startServer(['--store', `file://${tempDir('invoices-web-')}`]);
    browser = await launchBrowser();
    desktop = await browser.newContext(DESKTOP);
    page = await desktop.newPage();
    errors = watchConsole(page);
  });

  after(async () => {
    await browser?.close();
    assert.equal(await server?.stop(), 0, 'graceful exit');
  });

  test('the server serves the page and its configuration', async () => {
    const html = await fetch(`${server.url}/`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type'), /^text\/html/);
    assert.match(await html.text(), /<script type="module" src="app.js">/);
    for (const [file, type] of [['app.js', /javascript/], ['style.css', /^text\/css/], ['icon.svg', /^image\/svg\+xml/]]) {
      const res = await fetch(`${server.url}/${file}`);
      assert.equal(res.status, 200, file);
      assert.match(res.headers.get('content-type'), type, file);
    }
    const config = await (await fetch(`${server.url}/config.json`)).json();
    assert.ok(config.auth.clientId, 'config.json names the app client');
    assert.match(config.auth.endpoint, /^https?:\/\/.+\/$/, 'an absolute endpoint URL');
  });

  test('sign up', async () => {
    await page.goto(server.url);
    await page.locator('#auth-email').waitFor();
    assert.equal(await page.title(), 'Invoices');
    await page.screenshot({ path: screenshotPath('desktop-sign-in') });
    await page.click('#auth-switch');
    assert.equal(await page.textContent('#auth-title'), 'Create an account');
    await page.fill('#auth-email', EMAIL);
    await page.fill('#auth-password', 'short');
    await page.click('#auth-submit');
    await page.locator('#auth-error:not(:empty)').waitFor();
    await page.fill('#auth-password', PASSWORD);
    await page.click('#auth-submit');
    await page.locator('#app-view').waitFor();
    assert.equal(await page.textContent('#who-email'), EMAIL);
    await page.locator('#empty:has-text("No invoices yet")').waitFor();
  });

  test('every control has an accessible name', async () => {
    const unnamed = await page.evaluate(() => [...document.querySelectorAll('input, select, button, a[href]')]
      .filter((e) => {
        if (e.type === 'file') return !e.labels.length; // shown through its label
        if (!e.checkVisibility()) return false;
        return !(e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.textContent.trim());
      }).map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(unnamed, []);
  });

  test('upload a receipt: progress, then the result as it arrives', async () => {
    await page.setInputFiles('#files', RECEIPT);
    await page.locator('#uploads li').waitFor();
    const done = page.locator('.upload.done');
    await done.waitFor({ timeout: 60_000 });
    const text = await done.textContent();
    assert.match(text, /X00016469676\.jpg/);
    assert.match(text, /2019-01-23/);
    assert.match(text, /20\.00/);
    assert.match(await page.textContent('#batch-text'), /1 of 1 done/);
    assert.equal(await page.$eval('#batch-progress', (p) => p.value), 1);
    await waitRows(1);
    assert.match(await page.textContent('#rows tr'), /20\.00/);
    invoiceId = await page.getAttribute('#rows tr', 'data-id');
    assert.ok(invoiceId);
    await page.locator('#totals .total').waitFor();
    assert.equal(await page.textContent('#totals .count'), '1 invoice');
    assert.match(await page.textContent('#totals'), /20\.00/);
    await page.locator('#chart svg.chart').waitFor();
    assert.match(await page.getAttribute('#chart svg', 'aria-label'), /Jan 2019 20\.00/);
    await page.screenshot({ path: screenshotPath('desktop-list'), fullPage: true });
  });

  test('review: the total, its box on the picture, confidence', async () => {
    await page.click('.upload.done button:has-text("Review")');
    await page.locator('#review[open]').waitFor();
    await page.locator('#fld-total').waitFor();
    assert.equal(await page.inputValue('#fld-total'), '20.00');
    assert.equal(await page.inputValue('#fld-invoice_date'), '2019-01-23');
    assert.match(await page.textContent('.field[data-field="total"] .field-meta'), /\d+% sure/);
    assert.match(page.url(), new RegExp(`#/invoices/${invoiceId}$`));

    const img = page.locator('#picture img');
    await page.waitForFunction(() => document.querySelector('#picture img')?.naturalWidth > 0 && document.querySelector('#picture svg.boxes'));
    assert.equal(await img.evaluate((i) => i.naturalWidth), 463);

    await page.hover('.field[data-field="total"] label');
    const box = page.locator('#picture rect.active');
    assert.equal(await box.getAttribute('data-field'), 'total');
    // The highlighted box sits where the API says the total was read.
    const invoice = await (await api(`/invoices/${invoiceId}`)).json();
    const [x0, y0, x1, y1] = invoice.extraction.fields.total.bbox;
    const { width, height } = invoice.extraction.document;
    const ib = await img.boundingBox();
    const bb = await box.boundingBox();
    const scale = ib.width / width;
    assert.ok(Math.abs(ib.height / height - scale) < 0.01, 'the picture keeps its aspect ratio');
    assert.ok(Math.abs(bb.x + bb.width / 2 - (ib.x + ((x0 + x1) / 2) * scale)) < 2, 'box centre x');
    assert.ok(Math.abs(bb.y + bb.height / 2 - (ib.y + ((y0 + y1) / 2) * scale)) < 2, 'box centre y');
    assert.ok(bb.width >= (x1 - x0) * scale && bb.width < (x1 - x0) * scale + 12, 'box width');
    await page.screenshot({ path: screenshotPath('desktop-review') });
  });

  test('review: every field is validated', async () => {
    const currency = await page.inputValue('#fld-currency');
    await page.fill('#fld-total', '20.OO');
    await page.press('#fld-total', 'Tab');
    assert.match(await page.textContent('#fld-total-err'), /decimal number/);
    assert.equal(await page.getAttribute('#fld-total', 'aria-invalid'), 'true');
    await page.fill('#fld-currency', 'RM');
    assert.match(await page.textContent('#fld-currency-err'), /3-letter/);
    await page.click('#save');
    assert.match(await page.textContent('#review-alert'), /need fixing/);
    await page.fill('#fld-total', '20.00');
    await page.fill('#fld-currency', currency);
    await page.press('#fld-currency', 'Tab');
    assert.equal(await page.textContent('#fld-total-err'), '');
    assert.equal(await page.isDisabled('#save'), true, 'nothing left to save');
  });

  test('correct the vendor; an expired token is refreshed without losing the edit', async () => {
    const refreshes = [];
    page.on('request', (r) => { if (/REFRESH_TOKEN_AUTH/.test(r.postData() ?? '')) refreshes.push(r); });
    let rejected = false;
    await page.route('**/invoices/*', (route) => {
      if (route.request().method() === 'PATCH' && !rejected) {
        rejected = true;
        return route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":{"code":"unauthenticated","message":"token expired","request_id":"t"}}' });
      }
      return route.fallback();
    });
    await page.fill('#fld-vendor_name', VENDOR);
    assert.equal(await page.textContent('#save'), 'Save 1 change');
    await page.click('#save');
    await page.locator('#save-status:has-text("Saved.")').waitFor();
    await page.unrouteAll();
    assert.ok(rejected, 'the first PATCH was refused');
    assert.equal(refreshes.length, 1, 'one refresh');
    assert.match(await page.textContent('.field[data-field="vendor_name"] .field-meta'), /Corrected by you/);
    assert.equal(await page.textContent('#review-title'), VENDOR);
    const saved = await (await api(`/invoices/${invoiceId}`)).json();
    assert.equal(saved.fields.vendor_name, VENDOR);
    assert.equal(saved.corrections.vendor_name, VENDOR);
    assert.equal(saved.fields.total, '20.00');
  });

  test('a save that meets a change made elsewhere (412) keeps the edit and shows the change', async () => {
    const current = await api(`/invoices/${invoiceId}`);
    const elsewhere = await api(`/invoices/${invoiceId}`, {
      method: 'PATCH', body: JSON.stringify({ fields: { invoice_id: 'INV-22497' } }),
      headers: { 'content-type': 'application/json', 'if-match': current.headers.get('etag') },
    });
    assert.equal(elsewhere.status, 200);
    await page.fill('#fld-tax', '1.00');
    await page.click('#save');
    await page.locator('#review-alert:has-text("changed elsewhere")').waitFor();
    assert.match(await page.textContent('.field[data-field="invoice_id"] .conflict-note'), /INV-22497/);
    assert.equal(await page.inputValue('#fld-tax'), '1.00', 'the edit is kept');
    assert.equal(await page.inputValue('#fld-invoice_id'), 'INV-22497');
    await page.click('#save');
    await page.locator('#save-status:has-text("Saved.")').waitFor();
    const saved = await (await api(`/invoices/${invoiceId}`)).json();
    assert.equal(saved.fields.tax, '1.00');
    assert.equal(saved.fields.invoice_id, 'INV-22497');
  });

  test('when the session cannot be refreshed, signing in again finishes the save', async () => {
    await page.route('**/cognito/**', (route) => (/REFRESH_TOKEN_AUTH/.test(route.request().postData() ?? '')
      ? route.fulfill({ status: 400, contentType: 'application/x-amz-json-1.1', body: '{"__type":"NotAuthorizedException","message":"Refresh Token has been revoked"}' })
      : route.fallback()));
    let rejected = false;
    await page.route('**/invoices/*', (route) => {
      if (route.request().method() === 'PATCH' && !rejected) {
        rejected = true;
        return route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":{"code":"unauthenticated","message":"expired","request_id":"t"}}' });
      }
      return route.fallback();
    });
    if (!(await page.isVisible('#fld-payment_terms'))) await page.click('#fields-more-box summary');
    await page.fill('#fld-payment_terms', 'Cash');
    await page.click('#save');
    await page.locator('#reauth[open]').waitFor();
    assert.equal(await page.inputValue('#reauth-email'), EMAIL);
    await page.unrouteAll();
    await page.fill('#reauth-password', PASSWORD);
    await page.press('#reauth-password', 'Enter');
    await page.locator('#save-status:has-text("Saved.")').waitFor();
    assert.equal(await page.locator('#reauth[open]').count(), 0);
    const saved = await (await api(`/invoices/${invoiceId}`)).json();
    assert.equal(saved.fields.payment_terms, 'Cash');
  });

  test('keyboard: Escape closes the review, Enter on a row opens it', async () => {
    await page.keyboard.press('Escape');
    await page.locator('#review[open]').waitFor({ state: 'detached' }).catch(() => {});
    assert.equal(await page.locator('#review[open]').count(), 0);
    assert.doesNotMatch(page.url(), /#\/invoices\//);
    await page.focus('#rows a.open');
    assert.equal(await page.textContent('#rows a.open'), VENDOR, 'the list shows the correction');
    await page.keyboard.press('Enter');
    await page.locator('#review[open] #fld-total').waitFor();
    await page.click('#review-close');
    assert.equal(await page.locator('#review[open]').count(), 0);
  });

  test('search and filters find it', async () => {
    await page.fill('#f-q', 'motor rengit');
    await page.press('#f-q', 'Enter');
    await waitRows(1);
    await page.fill('#f-q', 'nosuchvendorxyz');
    await page.press('#f-q', 'Enter');
    await page.locator('#empty:has-text("No invoices match")').waitFor();
    // The totals are added up apart from the list: never the last filter's meanwhile.
    assert.doesNotMatch(await page.textContent('#totals'), /1 invoice/);
    await page.locator('#totals:has-text("0 invoices")').waitFor();
    await page.fill('#f-q', '');
    await page.click('.more-filters summary');
    const apply = async (values) => {
      for (const [name, value] of Object.entries(values)) await page.fill(`#f-${name}`, value);
      await page.click('.filter-buttons button[type="submit"]');
    };
    await apply({ vendor: 'S.H.H. Motor', min_total: '10', max_total: '30', from: '2019-01-01', to: '2019-01-31' });
    await waitRows(1);
    assert.match(await page.textContent('#filter-count'), /5/);
    await apply({ min_total: '20.01' });
    await waitRows(0);
    await apply({ min_total: '', from: '2019-02-01', to: '' });
    await waitRows(0);
    await apply({ from: '2019-01-23', to: '2019-01-22' });
    assert.match(await page.textContent('#f-to-err'), /before/);
    await page.click('.filter-buttons button[type="reset"]');
    await waitRows(1);
    await page.fill('#f-vendor', 'motor');
    await page.click('.filter-buttons button[type="submit"]');
    await waitRows(1);
  });

  test('export the filtered set as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    assert.match(download.suggestedFilename(), /^invoices-\d{4}-\d{2}-\d{2}\.csv$/);
    const records = parseCsv(readFileSync(await download.path(), 'utf8')).filter((r) => r.some((c) => c !== ''));
    assert.equal(records.length, 2, 'a header and one invoice');
    const [header, row] = records;
    const cell = (name) => row[header.indexOf(name)];
    assert.ok(header.includes('vendor_name'), `header: ${header}`);
    assert.equal(cell('vendor_name'), VENDOR);
    assert.equal(cell('total'), '20.00');
    assert.equal(cell('invoice_date'), '2019-01-23');
    assert.ok(row.includes(invoiceId), 'the id is in the row');
    await page.click('.filter-buttons button[type="reset"]');
    await waitRows(1);
  });

  test('a failed upload is retried with the same idempotency key; a second copy is flagged', async () => {
    const keys = [];
    let failed = false;
    await page.route('**/invoices', (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      keys.push(route.request().headers()['idempotency-key']);
      if (!failed) {
        failed = true;
        return route.fulfill({ status: 400, contentType: 'application/json', body: '{"error":{"code":"invalid_argument","message":"Injected failure","request_id":"r-1"}}' });
      }
      return route.fallback();
    });
    await page.setInputFiles('#files', RECEIPT);
    const item = page.locator('#uploads li').first();
    await page.locator('.upload.failed').waitFor();
    assert.match(await item.textContent(), /Injected failure \(request r-1\)/);
    assert.match(await page.textContent('#batch-text'), /1 failed/);
    await item.locator('button:has-text("Retry")').click();
    await page.locator('.upload.done').waitFor({ timeout: 60_000 });
    await page.unrouteAll();
    assert.equal(keys.length, 2);
    assert.ok(keys[0] && keys[0] === keys[1], 'the same Idempotency-Key');
    assert.match(await item.textContent(), /Probable duplicate/);
    await waitRows(2);
  });

  test('delete with undo', async () => {
    const deletes = [];
    page.on('request', (r) => { if (r.method() === 'DELETE') deletes.push(r.url()); });
    const copy = page.locator('#rows tr').filter({ hasNot: page.locator(`a:text-is("${VENDOR}")`) });
    const copyId = await copy.getAttribute('data-id');
    await copy.locator('button:has-text("Delete")').click();
    await waitRows(1);
    await page.click('.toast button:has-text("Undo")');
    await waitRows(2);
    await page.waitForTimeout(500);
    assert.equal(deletes.length, 0, 'nothing deleted before the undo time');
    await page.locator(`#rows tr[data-id="${copyId}"] button:has-text("Delete")`).click();
    await waitRows(1);
    await page.waitForResponse((r) => r.request().method() === 'DELETE', { timeout: 10_000 });
    await page.waitForFunction(() => !document.querySelector('.toast'));
    assert.equal(deletes.length, 1);
    assert.match(deletes[0], new RegExp(`/invoices/${copyId}$`));
    const list = await (await api('/invoices')).json();
    assert.deepEqual(list.items.map((i) => i.id), [invoiceId]);
  });

  test('drop several files: each its own progress and result, a batch total, others refused', async () => {
    const files = ['X51005268400.jpg', 'X51005361907.jpg'].map((name) => ({
      name, type: 'image/jpeg', data: readFileSync(path.join(devImages, name)).toString('base64'),
    }));
    files.push({ name: 'notes.txt', type: 'text/plain', data: Buffer.from('not a receipt').toString('base64') });
    await page.click('#batch-clear');
    const dataTransfer = await page.evaluateHandle((list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      return dt;
    }, files);
    await page.dispatchEvent('#drop', 'dragenter', { dataTransfer });
    assert.match(await page.getAttribute('#drop', 'class'), /over/);
    await page.dispatchEvent('#drop', 'drop', { dataTransfer });
    await page.locator('.upload.rejected:has-text("notes.txt")').waitFor();
    assert.match(await page.textContent('.upload.rejected'), /Not a photo or PDF/);
    await page.waitForFunction(() => document.querySelectorAll('.upload.done').length === 2, null, { timeout: 90_000 });
    assert.match(await page.textContent('#batch-text'), /Finished: 2 of 2 done, 1 skipped/);
    for (const name of ['X51005268400.jpg', 'X51005361907.jpg']) {
      assert.match(await page.textContent(`.upload.done:has-text("${name}") .upload-status`), /\d{4}-\d{2}-\d{2}/, `${name}: its result`);
    }
    await waitRows(3);
    assert.match(await page.textContent('#totals .count'), /^3 invoices/);
  });

  test('sort, chart by vendor, and pages by cursor', async () => {
    await page.selectOption('#sort', 'total_desc');
    const totals = await page.$$eval('#rows td.num', (tds) => tds.map((td) => td.textContent));
    const numbers = totals.filter((t) => /\d/.test(t)).map((t) => Number(t.replace(/[^\d.-]/g, '')));
    assert.ok(numbers.length >= 2, `totals: ${totals}`);
    assert.deepEqual(numbers, [...numbers].sort((a, b) => b - a), `highest first: ${totals}`);
    assert.ok(totals.findIndex((t) => !/\d/.test(t)) === -1 || !/\d/.test(totals.at(-1)), 'missing totals last');
    await page.selectOption('#sort', 'newest');

    const { fields } = await (await api(`/invoices/${invoiceId}`)).json();
    if (await page.isVisible('#chart-currency')) await page.selectOption('#chart-currency', fields.currency ?? '');
    await page.click('#chart-by button[data-by="vendor"]');
    assert.equal(await page.getAttribute('#chart-by button[data-by="vendor"]', 'aria-pressed'), 'true');
    assert.match(await page.getAttribute('#chart svg', 'aria-label'), /by vendor[^:]*: .*S\.H\.H\. Motor/);
    await page.click('#chart-by button[data-by="month"]');

    // Pages of two: the page follows next_cursor when asked for more.
    await page.route('**/invoices?*', (route) => {
      const url = new URL(route.request().url());
      if (url.searchParams.get('limit') !== '50') return route.fallback();
      url.searchParams.set('limit', '2');
      return route.fallback({ url: url.toString() });
    });
    await page.fill('#f-q', '');
    await page.press('#f-q', 'Enter');
    await waitRows(2);
    assert.ok(await page.isVisible('#more'));
    const firstTwo = await page.$$eval('#rows tr', (trs) => trs.map((tr) => tr.dataset.id));
    await page.click('#more');
    await waitRows(3);
    assert.equal(await page.isVisible('#more'), false);
    const all = await page.$$eval('#rows tr', (trs) => trs.map((tr) => tr.dataset.id));
    assert.deepEqual(all.slice(0, 2), firstTwo);
    assert.equal(new Set(all).size, 3);
    await page.unrouteAll();
  });

  test('on a phone: sign in, list, review, sign out', async () => {
    const phone = await browser.newContext(PHONE);
    const mobile = await phone.newPage();
    const phoneErrors = watchConsole(mobile);
    await mobile.goto(server.url);
    await mobile.fill('#auth-email', EMAIL);
    await mobile.fill('#auth-password', 'wrong-password-1');
    await mobile.click('#auth-submit');
    await mobile.locator('#auth-error:not(:empty)').waitFor();
    await mobile.screenshot({ path: screenshotPath('phone-sign-in') });
    await mobile.fill('#auth-password', PASSWORD);
    await mobile.click('#auth-submit');
    await mobile.locator('#rows tr').first().waitFor();
    await mobile.locator('#chart svg.chart').waitFor();
    assert.ok(await mobile.isVisible('label[for="camera"]'), 'the camera button on a touch screen');
    assert.equal(await mobile.getAttribute('#camera', 'capture'), 'environment');
    const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
    // Viewport shots: a full-page capture loses the touch emulation (and the camera button).
    await mobile.screenshot({ path: screenshotPath('phone-upload') });
    await mobile.locator('#list-title').scrollIntoViewIfNeeded();
    await mobile.evaluate(() => document.querySelector('#list').scrollIntoView());
    await mobile.screenshot({ path: screenshotPath('phone-list') });
    await mobile.tap(`#rows a.open:text-is("${VENDOR}")`);
    await mobile.locator('#review[open] #fld-total').waitFor();
    await mobile.waitForFunction(() => document.querySelector('#picture svg.boxes'));
    await mobile.tap('#fld-total');
    assert.equal(await mobile.getAttribute('#picture rect.active', 'data-field'), 'total');
    await mobile.screenshot({ path: screenshotPath('phone-review') });
    // Down to 360 px wide nothing needs sideways scrolling, the review included.
    await mobile.setViewportSize({ width: 360, height: 740 });
    const wide = await mobile.evaluate(() => [document.documentElement, ...document.querySelectorAll('#review, #review .review-fields')]
      .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => `${e.id || e.className || e.tagName}: ${e.scrollWidth} > ${e.clientWidth}`));
    assert.deepEqual(wide, []);
    await mobile.click('#review-close');
    assert.equal(await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0);
    await mobile.click('#sign-out');
    await mobile.locator('#auth-view').waitFor();
    assert.equal(await mobile.evaluate(() => localStorage.getItem('invoices.session.v1')), null);
    assert.deepEqual(phoneErrors.filter((e) => !/Failed to load resource/.test(e)), []);
    await phone.close();
  });

  test('sign out, finishing a delete that was waiting for its undo time', async () => {
    const other = page.locator('#rows tr').filter({ hasNot: page.locator(`a:text-is("${VENDOR}")`) }).first();
    const otherId = await other.getAttribute('data-id');
    await other.locator('button:has-text("Delete")').click();
    await page.click('#sign-out');
    await page.locator('#auth-view').waitFor();
    assert.equal(await page.isVisible('#app-view'), false);
    assert.equal(await page.textContent('#rows'), '', 'nothing of the account is left on the page');
    await page.reload();
    await page.locator('#auth-email').waitFor();
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);

    // Signed in again from elsewhere: the delete was done, the rest is kept.
    const { auth } = await (await fetch(`${server.url}/config.json`)).json();
    const res = await fetch(auth.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
      body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: auth.clientId, AuthParameters: { USERNAME: EMAIL, PASSWORD } }),
    });
    const fresh = (await res.json()).AuthenticationResult.IdToken;
    const list = await (await fetch(`${server.url}/invoices`, { headers: { authorization: `Bearer ${fresh}` } })).json();
    const ids = list.items.map((i) => i.id);
    assert.ok(ids.includes(invoiceId));
    assert.ok(!ids.includes(otherId), 'the pending delete was sent before signing out');
    assert.equal(ids.length, 2);
  });
});
