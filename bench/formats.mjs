#!/usr/bin/env node
// Time per document and accuracy for the formats beyond photos: born-digital
// PDFs printed by Chromium (tools/make-test-invoices, whose values are known)
// and the official EN 16931 e-invoice examples (whose values are in the XML).
// Each document is read ROUNDS times by one `invoices scan` process per round;
// the times are the pipeline's own (timings_ms.total), so process start-up is
// not counted.
//
//   node bench/formats.mjs [--bin build/release/invoices] [--rounds 5]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const bin = path.resolve(opt('--bin', path.join(repo, 'build', 'release', 'invoices')));
const rounds = Number(opt('--rounds', '5'));
const shared = path.resolve(repo, '..', 'shared');

// What the generator prints on each invoice (tools/make-test-invoices).
const expected = {
  'invoice-en.pdf': { vendor_name: 'Northwind Supplies Ltd', invoice_date: '2024-03-05', currency: 'GBP',
    subtotal: '1063.50', tax: '212.70', total: '1276.20' },
  'invoice-en-2p.pdf': { vendor_name: 'Contoso Industrial Parts LLC', invoice_date: '2024-03-12',
    currency: 'USD', total: '7711.20' },
  'rechnung-de.pdf': { vendor_name: 'Müller & Söhne GmbH', invoice_date: '2024-03-12', currency: 'EUR',
    subtotal: '1063.82', tax: '202.13', total: '1265.95' },
  'facture-fr.pdf': { vendor_name: 'Boulangerie Dupont SARL', invoice_date: '2024-03-12', currency: 'EUR',
    subtotal: '1028.75', tax: '205.75', total: '1234.50' },
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'formats-bench-'));
execFileSync(path.join(repo, 'tools', 'make-test-invoices'), [dir], { stdio: 'pipe' });
const pdfs = Object.keys(expected).map((name) => path.join(dir, name));
const xmls = ['ubl', 'cii'].flatMap((syntax) => {
  const d = path.join(shared, 'testdata', 'en16931', syntax);
  return readdirSync(d).filter((n) => n.endsWith('.xml')).map((n) => path.join(d, n));
});

function scanAll(files) {
  const out = execFileSync(bin, ['scan', '--format', 'jsonl', ...files], { maxBuffer: 1 << 28 });
  return out.toString().trim().split('\n').map((l) => JSON.parse(l));
}

const times = new Map();
let last = [];
for (let r = 0; r < rounds; ++r) {
  last = scanAll([...pdfs, ...xmls]);
  for (const doc of last) {
    if (!times.has(doc.file)) times.set(doc.file, []);
    times.get(doc.file).push(doc.timings_ms?.total ?? NaN);
  }
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

console.log(`| document | pages | source | median ms | fields right |`);
console.log(`| --- | --- | --- | --- | --- |`);
let right = 0, asked = 0;
for (const doc of last) {
  const name = path.basename(doc.file);
  const want = expected[name];
  let score = '';
  if (want) {
    const ok = Object.entries(want).filter(([k, v]) => doc.fields?.[k]?.value === v).length;
    right += ok;
    asked += Object.keys(want).length;
    score = `${ok} / ${Object.keys(want).length}`;
  } else {
    score = doc.error ? `error ${doc.error.code}` : `${Object.keys(doc.fields).length} fields, ` +
      `${doc.line_items.length} items`;
  }
  console.log(`| ${name} | ${doc.document?.pages ?? ''} | ${doc.document?.source ?? ''} | ` +
    `${median(times.get(doc.file)).toFixed(1)} | ${score} |`);
}
console.log(`\nPDF fields right: ${right} of ${asked}; ${rounds} rounds`);
