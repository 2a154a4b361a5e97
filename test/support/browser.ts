// What every browser test starts from: Debian's Chromium (a clear error when it is missing), a
// page of the desktop size the screenshots use that reports the page's own errors, and a
// screenshot under test-results/.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { requireChromium } from '../../services/chromium.ts';

export async function launchBrowser(): Promise<Browser> {
  mkdirSync('test-results', { recursive: true });
  return chromium.launch({ executablePath: requireChromium(), headless: true });
}

export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, ...options });
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return page;
}

/** test-results/web-<name>.png, the whole page */
export const screenshot = (page: Page, name: string) => page.screenshot({ path: `test-results/web-${name}.png`, fullPage: true });
