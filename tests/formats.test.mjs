// Documents beyond photos through `invoices scan`: born-digital PDFs printed
// by Chromium (tools/make-test-invoices), official EN 16931 e-invoices, and a
// multi-page TIFF, each with the real pipeline (poppler, Tesseract, pugixml).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { runCli, repo, shared, tempDir } from './lib/invoices.mjs';

let pdfs;
before(() => {
  pdfs = tempDir();
  execFileSync(path.join(repo, 'tools', 'make-test-invoices'), [pdfs], { stdio: 'pipe' });
});

function scan(file) {
  const r = runCli(['scan', file]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const value = (json, name) => json.fields[name]?.value;

test('a born-digital English invoice is read from its text layer', () => {
  const json = scan(path.join(pdfs, 'invoice-en.pdf'));
  assert.equal(json.document.mime, 'application/pdf');
  assert.equal(json.document.source, 'pdf-text');
  assert.equal(value(json, 'vendor_name'), 'Northwind Supplies Ltd');
  assert.equal(value(json, 'invoice_date'), '2024-03-05');
  assert.equal(value(json, 'currency'), 'GBP');
  assert.equal(value(json, 'total'), '1276.20');
  assert.equal(value(json, 'tax'), '212.70');
  assert.equal(json.timings_ms.ocr, undefined, 'no OCR for a text PDF');
  assert.ok(json.timings_ms.text_layer >= 0);
});

test('German and French invoices with 1.234,50 and 1 234,50 amounts', () => {
  const de = scan(path.join(pdfs, 'rechnung-de.pdf'));
  assert.equal(value(de, 'vendor_name'), 'Müller & Söhne GmbH');
  assert.equal(value(de, 'currency'), 'EUR');
  assert.equal(value(de, 'total'), '1265.95');
  const fr = scan(path.join(pdfs, 'facture-fr.pdf'));
  assert.equal(value(fr, 'total'), '1234.50');
  assert.equal(value(fr, 'tax'), '205.75');
  assert.equal(value(fr, 'invoice_date'), '2024-03-12');
});

test('a three-page invoice gives one result with the total from its last page', () => {
  const json = scan(path.join(pdfs, 'invoice-en-2p.pdf'));
  assert.equal(json.document.pages, 3);
  assert.equal(value(json, 'total'), '7711.20');
  assert.equal(json.fields.total.page, 3);
  assert.equal(json.fields.vendor_name.page, 1);
});

test('every official EN 16931 example is read exactly as an e-invoice', () => {
  for (const syntax of ['ubl', 'cii']) {
    const dir = path.join(shared, 'testdata', 'en16931', syntax);
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.xml'))) {
      const json = scan(path.join(dir, name));
      assert.equal(json.document.source, 'e-invoice', name);
      assert.ok(value(json, 'total'), `${name}: a total`);
      assert.ok(value(json, 'invoice_id'), `${name}: an invoice id`);
      assert.ok(json.line_items.length > 0, `${name}: line items`);
      assert.ok(Object.values(json.fields).every((f) => f.confidence === 1), name);
    }
  }
  const ubl = scan(path.join(shared, 'testdata', 'en16931', 'ubl', 'ubl-tc434-example1.xml'));
  assert.equal(value(ubl, 'total'), '250.33');
  assert.equal(value(ubl, 'vendor_name'), 'De Koksmaat');
});

test('an XML bomb is refused with a clear error', () => {
  const dir = tempDir();
  const bomb = path.join(dir, 'bomb.xml');
  const entities = Array.from({ length: 10 }, (_, i) =>
    `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('');
  execFileSync('sh', ['-c', `cat > ${bomb}`], {
    input: `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY l0 "lol">${entities}]>` +
      '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&l10;</Invoice>',
  });
  const r = runCli(['scan', bomb]);
  assert.notEqual(r.status, 0);
  const json = JSON.parse(r.stdout);
  assert.equal(json.error.code, 'invalid_argument');
  assert.match(json.error.message, /DOCTYPE/);
});
