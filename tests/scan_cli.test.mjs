// `invoices scan` from the command line, with real Tesseract OCR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, devImages, devLabels, tempDir } from './lib/invoices.mjs';

test('several files print one JSON line each, in argument order', () => {
  const labels = devLabels().slice(0, 4);
  const files = labels.map((l) => path.join(devImages, path.basename(l.file)));
  const r = runCli(['scan', '--jobs', '2', ...files]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, files.length);
  lines.forEach((line, i) => {
    const json = JSON.parse(line);
    assert.equal(json.file, files[i]);
    assert.equal(json.document.mime, 'image/jpeg');
    assert.ok(json.text.length > 20);
  });
});

test('one file prints one pretty object', () => {
  const r = runCli(['scan', path.join(devImages, 'X00016469676.jpg')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\{\n  "file"/);
  assert.equal(JSON.parse(r.stdout).fields.total.value, '20.00');
});

test('a failed file gives an error object, the others still print, exit non-zero', () => {
  const dir = tempDir();
  const bad = path.join(dir, 'notes.txt');
  writeFileSync(bad, 'not a receipt');
  const good = path.join(devImages, 'X00016469676.jpg');
  const missing = path.join(dir, 'missing.jpg');
  const r = runCli(['scan', '--format', 'jsonl', bad, good, missing]);
  assert.notEqual(r.status, 0);
  const [first, second, third] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(first.file, bad);
  assert.equal(first.error.code, 'invalid_argument');
  assert.equal(second.fields.total.value, '20.00');
  assert.equal(third.error.code, 'invalid_argument');
  assert.match(r.stderr, /2 of 3 files failed/);
});

test('--help explains the command', () => {
  const r = runCli(['scan', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--jobs/);
  assert.match(r.stdout, /--format/);
  assert.match(r.stdout, /INVOICES_LANG/);
});
