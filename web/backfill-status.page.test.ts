// The backfill page in Debian's Chromium tells what happened: each outcome counted apart
// (materialized, up to date, failed, cancelled, left), the end, duration, throughput and time
// left, and the list says cancelled for a cancelled backfill. A real worker and Temporal.
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../test/support/browser.ts';
import { startHarness, testConfig, type Harness } from '../test/harness.ts';
import project from '../test/fixtures/web-project.ts';
import type { BackfillDetail } from './api-types.ts';
import { startWebServer, type WebServer } from './index.ts';
import { until } from '../test/support/until.ts';

let h: Harness;
let web: WebServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  h = await startHarness(project, testConfig('backfill-status-page'));
  web = await startWebServer({ config: h.config, graph: project, client: h.client, port: 0 });
  browser = await launchBrowser();
  page = await openPage(browser, { timezoneId: 'Pacific/Kiritimati' });
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await h?.stop();
});

async function launch(request: object): Promise<string> {
  const res = await fetch(`${web.url}/api/backfills`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}
const detail = async (id: string) => (await (await fetch(`${web.url}/api/backfills/${encodeURIComponent(id)}`)).json()) as BackfillDetail;
const shown = async (testId: string) => (await page.getByTestId(testId).locator('dd').textContent())?.trim();

describe('the backfill page', () => {
  it('shows materialized, up to date, failed, cancelled and left apart, with end, duration, throughput and time left', async () => {
    const first = await launch({ assets: ['clicks'], from: '2026-02-01', to: '2026-02-02' });
    await until(
      'clicks',
      () => detail(first),
      (d) => d.status === 'succeeded',
    );
    // clicks: 2 up to date, 2 to run; broken: 4 fail; stuck: runs until cancelled
    const id = await launch({ assets: ['clicks', 'broken', 'stuck'], from: '2026-02-01', to: '2026-02-04', concurrency: 4 });
    await until(
      'broken failed, stuck running',
      () => detail(id),
      (d) =>
        d.assets.find((a) => a.asset === 'broken')?.counts.failed === 4 &&
        (d.assets.find((a) => a.asset === 'stuck')?.counts.running ?? 0) > 0,
    );
    await page.goto(`${web.url}/backfills/${encodeURIComponent(id)}`);
    await page.getByTestId('backfill-counts').waitFor();
    await expect.poll(() => shown('count-failed')).toBe('4');
    expect(Number(await shown('count-left'))).toBeGreaterThan(0);
    await expect(shown('backfill-ended')).resolves.toBe('—');
    await expect(page.getByTestId('backfill-duration').locator('dt').textContent()).resolves.toBe('running for');
    await expect(shown('backfill-throughput')).resolves.toMatch(/^\d+(\.\d)? partitions\/min$/);
    await page.screenshot({ path: 'test-results/web-backfill-running-counts.png', fullPage: true });

    await page.getByTestId('cancel-backfill').click();
    await page.getByTestId('confirm-cancel').getByRole('button', { name: 'Cancel backfill' }).click();
    await page.getByTestId('backfill-status').getByText('cancelled').waitFor({ timeout: 30_000 });
    const counts = { materialized: '2', skipped: '2', failed: '4', cancelled: '4', left: '0', total: '12' };
    for (const [k, n] of Object.entries(counts)) await expect.poll(() => shown(`count-${k}`), { message: k }).toBe(n);
    await expect(page.getByTestId('counts-clicks').textContent()).resolves.toBe('2 materialized · 2 up to date of 4');
    await expect(page.getByTestId('counts-stuck').textContent()).resolves.toBe('4 cancelled of 4');
    const end = await detail(id);
    // in UTC whatever the browser's zone (the page runs in UTC+14 here)
    await expect(shown('backfill-ended')).resolves.toBe(new Date(end.endedAt!).toISOString().replace('T', ' ').slice(0, 19) + ' UTC');
    await expect(page.getByTestId('backfill-duration').locator('dt').textContent()).resolves.toBe('took');
    await expect(shown('backfill-duration')).resolves.toMatch(/^\d+(\.\d)? (ms|s|min)$/);
    await expect(shown('backfill-eta')).resolves.toBe('—');
    await page.screenshot({ path: 'test-results/web-backfill-cancelled-counts.png', fullPage: true });

    await page.goto(`${web.url}/backfills`);
    const row = page.getByTestId('backfill-list').locator('tr', { has: page.getByRole('link', { name: id }) });
    await expect(row.getByTestId(`status-${id}`).textContent()).resolves.toBe('cancelled');
    await expect(row.textContent()).resolves.toContain('2 materialized · 2 up to date · 4 failed · 4 cancelled');
  });
});
