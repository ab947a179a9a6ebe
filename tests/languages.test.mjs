// OCR languages chosen per request on a real `invoices serve` (default
// `eng`): a German receipt, printed by Chromium to a PNG here, read with
// `lang=deu` keeps its umlauts and ß; unknown languages are refused with 400.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, tempDir } from './lib/invoices.mjs';
import { newUser } from './lib/auth.mjs';

const RECEIPT = `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; background: #fff; }
  .r { width: 520px; margin: 30px auto; color: #000; line-height: 1.5; font-size: 22px;
       font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; }
  h1 { font-size: 30px; text-align: center; margin: 0 0 10px; }
  .row { display: flex; justify-content: space-between; }
  .c { text-align: center; }
</style></head><body><div class="r">
  <h1>Bäckerei Müller</h1>
  <div class="c">Hauptstraße 12, 80331 München</div>
  <div class="c">Tel. 089 123456</div><br>
  <div>Datum: 14.03.2024 08:12</div><br>
  <div class="row"><span>2x Brötchen</span><span>1,20</span></div>
  <div class="row"><span>1x Käsekuchen</span><span>3,80</span></div>
  <div class="row"><span>1x Nussschnecke groß</span><span>2,40</span></div>
  <div class="row"><span>1x Kaffee süß</span><span>2,90</span></div>
  <div class="row"><span>1x Würstchen</span><span>3,50</span></div><br>
  <div class="row"><b>Summe EUR</b><b>13,80</b></div>
  <div class="row"><span>enth. MwSt 7%</span><span>0,90</span></div><br>
  <div class="c">Vielen Dank für Ihren Einkauf!</div>
  <div class="c">Schöne Grüße und bis bald</div>
</div></body></html>`;

// The receipt as a screenshot of Debian's chromium (scripts/install-deps).
function germanReceiptPng() {
  const browser = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
  assert.ok(existsSync(browser), `no browser at ${browser}: install Debian's chromium or set CHROMIUM_BIN`);
  const dir = tempDir();
  const html = path.join(dir, 'beleg.html');
  const png = path.join(dir, 'beleg.png');
  writeFileSync(html, RECEIPT);
  const r = spawnSync(browser, [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--hide-scrollbars', `--user-data-dir=${path.join(dir, 'profile')}`,
    '--window-size=600,820', `--screenshot=${png}`, `file://${html}`,
  ], { encoding: 'utf8', timeout: 60000 });
  assert.ok(existsSync(png), `chromium wrote no screenshot: ${r.stderr}`);
  return readFileSync(png);
}

let server;
let user;
let receipt;
before(async () => {
  receipt = germanReceiptPng();
  server = await startServer(['--store', `file://${tempDir()}`]);
  user = await newUser(server.url);
});
after(async () => { assert.equal(await server.stop(), 0); });

async function scan(query = '', body = receipt, contentType = 'image/png') {
  const res = await fetch(`${server.url}/scan${query}`, {
    method: 'POST', body, headers: { ...user.headers, ...(contentType ? { 'content-type': contentType } : {}) },
  });
  return { res, json: await res.json() };
}

const umlauts = (text) => (text.match(/[äöüÄÖÜß]/g) ?? []).length;

test('a German receipt read with lang=deu keeps its umlauts', async () => {
  const { res, json } = await scan('?lang=deu');
  assert.equal(res.status, 200, JSON.stringify(json));
  assert.equal(json.document.language, 'deu');
  assert.equal(json.fields.vendor_name?.value, 'Bäckerei Müller', json.text);
  assert.match(json.fields.vendor_address?.value ?? '', /Hauptstraße 12, 80331 München/, json.text);
  for (const word of ['Brötchen', 'Käsekuchen', 'Würstchen', 'süß', 'für', 'Grüße']) {
    assert.ok(json.text.includes(word), `${word} in:\n${json.text}`);
  }
  assert.equal(json.fields.total?.value, '13.80');
  assert.equal(json.fields.invoice_date?.value, '2024-03-14');

  // The server's default (eng) reads again in German only the vendor's name
  // and address and the items' descriptions: the running text keeps what
  // eng made of it. That is why the request chooses.
  const plain = await scan();
  assert.equal(plain.res.status, 200);
  assert.equal(plain.json.document.language, 'eng');
  assert.ok(umlauts(plain.json.text) < umlauts(json.text),
    `eng read ${umlauts(plain.json.text)} umlauts, deu ${umlauts(json.text)}`);
  for (const word of ['für', 'Grüße']) {
    assert.ok(!plain.json.text.includes(word), `${word} read by eng in:\n${plain.json.text}`);
  }
});

test('the multipart field lang chooses too, and languages combine', async () => {
  const form = new FormData();
  form.append('lang', 'deu+eng');
  form.append('file', new Blob([receipt], { type: 'image/png' }), 'beleg.png');
  const res = await fetch(`${server.url}/scan`, { method: 'POST', body: form, headers: user.headers });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  assert.equal(json.file, 'beleg.png');
  assert.equal(json.document.language, 'deu+eng');
  assert.equal(json.fields.vendor_name?.value, 'Bäckerei Müller', json.text);
});

test('an unknown or malformed language is 400 with the installed ones named', async () => {
  const unknown = await scan('?lang=xyz');
  assert.equal(unknown.res.status, 400);
  assert.equal(unknown.json.error.code, 'invalid_argument');
  assert.match(unknown.json.error.message, /OCR language "xyz" is not installed \(installed: .*\bdeu\b.*\)/);
  assert.doesNotMatch(unknown.json.error.message, /\bosd\b/);
  for (const lang of ['deu;eng', '../../etc/passwd', 'deu++eng', 'a+b+c+d+e']) {
    const bad = await scan(`?lang=${encodeURIComponent(lang)}`);
    assert.equal(bad.res.status, 400, lang);
    assert.match(bad.json.error.message, /OCR language/, lang);
  }
  // Checked before the document: a bad language with a bad body is still
  // about the language.
  const both = await scan('?lang=xyz', 'not an image');
  assert.equal(both.res.status, 400);
  assert.match(both.json.error.message, /xyz/);
  // The server still reads in its default language.
  assert.equal((await scan()).res.status, 200);
});
