// The runs list and a partition's history in Debian's Chromium, against a real worker and
// Temporal: a grid cell leads to its partition's page, which shows the attempts with their inputs,
// and a failure's error, log lines and own Temporal link; the runs list filters.
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMaterialize } from '../control/materialize.ts';
import { launchBrowser, openPage, screenshot } from '../test/support/browser.ts';
import { startHarness, testConfig, type Harness } from '../test/harness.ts';
import project from '../test/fixtures/web-project.ts';
import { startWebServer, type WebServer } from './index.ts';

let h: Harness;
let web: WebServer;
let browser: Browser;
let page: Page;
const UI = 'http://127.0.0.1:8233';

const shot = (name: string) => screenshot(page, name);

beforeAll(async () => {
  h = await startHarness(project, testConfig('web-runs-page'));
  web = await startWebServer({ config: h.config, graph: project, client: h.client, port: 0, temporalUiUrl: UI });
  browser = await launchBrowser();
  page = await openPage(browser);
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await h?.stop();
});

async function materialize(name: string, key: string | undefined): Promise<{ workflowId: string; runId: string }> {
  const handle = await startMaterialize(h.client, h.config.taskQueue, project.get(name), key);
  await handle.result().catch(() => undefined);
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}

/** Centre of cell `col` in row `row` of a grid (cells 14 px on a 16 px pitch after an 88 px label). */
async function cell(testId: string, row: number, col: number): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId(testId).boundingBox())!;
  return { x: box.x + 88 + col * 16 + 7, y: box.y + row * 16 + 7 };
}

describe('runs and partition pages', () => {
  it("clicking a grid cell leads to its partition's page: attempts newest first, inputs linked", async () => {
    await materialize('users', undefined);
    await materialize('clicks', '2026-01-03');
    await materialize('clicks_per_user', '2026-01-03');
    await materialize('clicks_per_user', '2026-01-03');

    await page.goto(`${web.url}/assets/clicks_per_user`);
    await page.getByTestId('partition-grid').waitFor();
    const c = await cell('partition-grid', 0, 2);
    await page.mouse.click(c.x, c.y);
    await page.getByTestId('open-partition').click();
    await page.waitForURL('**/assets/clicks_per_user/history?key=2026-01-03');
    await expect(page.getByTestId('partition-key').textContent()).resolves.toBe('2026-01-03');
    const attempts = page.getByTestId('attempt');
    await expect.poll(() => attempts.count()).toBe(2);
    await expect(page.getByTestId('history-total').textContent()).resolves.toBe('2');
    for (const i of [0, 1]) await expect(attempts.nth(i).getAttribute('data-status')).resolves.toBe('succeeded');
    const head = await attempts.first().textContent();
    expect(head).toMatch(/attempt 1/);
    expect(head).toMatch(/materialize/);
    const inputs = attempts.first().getByTestId('inputs');
    await expect(inputs.getByRole('link').allTextContents()).resolves.toEqual(['clicks@v0', 'users@v0']);
    await shot('partition-history');
    await inputs.getByRole('link', { name: 'clicks@v0' }).click();
    await page.waitForURL('**/assets/clicks');
  });

  it("a double click on a cell, or Ctrl+Enter on the keyboard's cursor, opens that cell's partition page", async () => {
    await page.goto(`${web.url}/assets/clicks_per_user`);
    await page.getByTestId('partition-grid').waitFor();
    const c = await cell('partition-grid', 0, 1);
    const before = await page.getByTestId('partition-grid').boundingBox();
    await page.mouse.click(c.x, c.y);
    await page.getByTestId('selection').waitFor();
    // the selection's buttons appear above the grid without moving it from under the pointer
    expect(await page.getByTestId('partition-grid').boundingBox()).toEqual(before);
    await page.mouse.dblclick(c.x, c.y);
    await page.waitForURL('**/assets/clicks_per_user/history?key=2026-01-02');
    await expect(page.getByTestId('partition-key').textContent()).resolves.toBe('2026-01-02');

    await page.goto(`${web.url}/assets/clicks_per_user`);
    const grid = page.getByTestId('partition-grid');
    await grid.focus();
    await page.keyboard.press('Home'); // the first partition
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Control+Enter');
    await page.waitForURL('**/assets/clicks_per_user/history?key=2026-01-03');
    await expect(page.getByTestId('partition-key').textContent()).resolves.toBe('2026-01-03');
  });

  it('a failed attempt shows its error, stack and log lines, and links to its own workflow run', async () => {
    const run = await materialize('broken', '2026-01-04');
    await page.goto(`${web.url}/assets/broken/history?key=2026-01-04`);
    const attempt = page.getByTestId('attempt').first();
    await attempt.waitFor();
    await expect(attempt.getAttribute('data-status')).resolves.toBe('failed');
    await expect(attempt.getByTestId('error').textContent()).resolves.toMatch(/Error: bad data in 2026-01-04\n\s+at /);
    await expect(attempt.getByTestId('log-lines').textContent()).resolves.toContain('materialization attempt failed');
    await expect(attempt.getByTestId('temporal-link').getAttribute('href')).resolves.toBe(
      `${UI}/namespaces/default/workflows/${encodeURIComponent(run.workflowId)}/${run.runId}/history`,
    );
    await shot('partition-failure');
  });

  it('the runs list shows every attempt and filters by status and trigger', async () => {
    await page.goto(`${web.url}/runs`);
    const rows = page.getByTestId('runs').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(5);
    await page.getByLabel('filter by status').selectOption('failed');
    await expect.poll(() => rows.count()).toBe(1);
    await expect(rows.first().textContent()).resolves.toContain('bad data in 2026-01-04');
    expect(page.url()).toContain('status=failed');
    await page.getByLabel('filter by status').selectOption('');
    await page.getByLabel('filter by trigger').selectOption('backfill');
    await page.getByText('No run matches.').waitFor();
    await page.getByLabel('filter by trigger').selectOption('materialize');
    await expect.poll(() => rows.count()).toBe(5);
    await shot('runs');
  });
  it("a backfill's failure links to its partition's history, whose Temporal link opens the backfill's own run", async () => {
    const res = await fetch(`${web.url}/api/backfills`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ assets: ['broken'], from: '2026-01-08', to: '2026-01-08' }),
    });
    const { id } = (await res.json()) as { id: string };
    const handle = h.client.workflow.getHandle(id);
    await handle.result();
    const { runId } = await handle.describe();
    await page.goto(`${web.url}/backfills/${encodeURIComponent(id)}`);
    await page.getByTestId('failures').getByRole('link', { name: '2026-01-08' }).click();
    await page.waitForURL('**/assets/broken/history?key=2026-01-08');
    const attempt = page.getByTestId('attempt').first();
    await attempt.waitFor();
    await expect(attempt.getByTestId('temporal-link').getAttribute('href')).resolves.toBe(
      `${UI}/namespaces/default/workflows/${encodeURIComponent(id)}/${runId}/history`,
    );
    await expect(attempt.getByTestId('error').textContent()).resolves.toContain('bad data in 2026-01-08');
  });
});
