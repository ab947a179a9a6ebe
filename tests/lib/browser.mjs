// Browser tests of the web page: Debian's chromium driven by playwright-core.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { repo } from './invoices.mjs';

export const screenshots = path.join(repo, 'test-output', 'screenshots');

export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`no browser at ${executablePath}: install Debian's chromium (scripts/install-deps) or set CHROMIUM_BIN`);
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function screenshotPath(name) {
  mkdirSync(screenshots, { recursive: true });
  return path.join(screenshots, `${name}.png`);
}

// Collects what the page logs as errors, so that a test can assert there were none.
export function watchConsole(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  return errors;
}
