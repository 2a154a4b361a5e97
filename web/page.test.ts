// The page in Debian's Chromium, against a real worker and Temporal: what a person sees and does.
// Each test saves a screenshot of what it checked under test-results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot } from '../test/support/browser.ts';
import { startHarness, testConfig, type Harness } from '../test/harness.ts';
import { startWebServer, type WebServer } from './index.ts';
import project from '../test/fixtures/web-project.ts';

let h: Harness;
let web: WebServer;
let browser: Browser;
let page: Page;

const shot = (name: string) => screenshot(page, name);

beforeAll(async () => {
  h = await startHarness(project, testConfig('web-page'));
  web = await startWebServer({ config: h.config, graph: project, client: h.client, port: 0, temporalUiUrl: 'http://127.0.0.1:8233' });
  browser = await launchBrowser();
  page = await openPage(browser);
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await h?.stop();
});

/** The bodies of the launches (POST /api/backfills) the page sends from now on. */
function launchesSent(): Array<{ assets: string[]; force?: boolean; requestId?: string }> {
  const sent: Array<{ assets: string[]; force?: boolean; requestId?: string }> = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/backfills') sent.push(r.postDataJSON());
  });
  return sent;
}

async function backfills(): Promise<Array<{ id: string; request: { assets: string[] } }>> {
  return (
    (await (await fetch(`${web.url}/api/backfills?limit=500`)).json()) as {
      backfills: Array<{ id: string; request: { assets: string[] } }>;
    }
  ).backfills;
}

/** The count a grid legend shows for one state. */
async function legendCount(testId: string, state: string): Promise<number> {
  return Number(await page.getByTestId(testId).locator(`[data-state="${state}"]`).getAttribute('data-count'));
}

/** Centre of cell `col` in row `row` of a grid (cells 14 px on a 16 px pitch after an 88 px label). */
async function cell(testId: string, row: number, col: number): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId(testId).boundingBox())!;
  return { x: box.x + 88 + col * 16 + 7, y: box.y + row * 16 + 7 };
}

describe('the page', () => {
  it('the assets page shows the lineage graph and the list', async () => {
    await page.goto(web.url);
    await page.waitForURL('**/assets');
    const graph = page.getByTestId('lineage-graph');
    await graph.waitFor();
    for (const name of ['clicks', 'users', 'clicks_per_user', 'by_region', 'stuck', 'broken']) {
      await expect(graph.getByTestId(`node-${name}`).isVisible()).resolves.toBe(true);
    }
    // dagre puts clicks_per_user right of what it reads
    const [up, down] = await Promise.all([
      graph.getByTestId('node-clicks').boundingBox(),
      graph.getByTestId('node-clicks_per_user').boundingBox(),
    ]);
    expect(down!.x).toBeGreaterThan(up!.x + up!.width);
    expect(await graph.locator('path[marker-end]').count()).toBe(2);
    await page.getByLabel('search assets').fill('click');
    expect(await page.getByTestId('asset-list').locator('li').count()).toBe(2);
    await shot('assets');
  });

  it('an asset page shows its definition and one grid cell per partition', async () => {
    await page.getByTestId('node-clicks_per_user').click();
    await page.waitForURL('**/assets/clicks_per_user');
    const grid = page.getByTestId('partition-grid');
    await grid.waitFor();
    const total = Number(await grid.getAttribute('data-total'));
    const daysSinceStart = Math.floor((Date.now() - Date.UTC(2026, 0, 1)) / 86_400_000);
    expect(total).toBe(daysSinceStart);
    expect(await legendCount('grid-legend', 'missing')).toBe(total);
    await expect(page.getByText('GROUP BY u.name').isVisible()).resolves.toBe(true);
    await page.mouse.move(...(Object.values(await cell('partition-grid', 0, 2)) as [number, number]));
    await expect(page.getByRole('tooltip').textContent()).resolves.toBe('2026-01-03 missing');
    await shot('asset');
  });

  it('a double click on Launch starts one backfill', async () => {
    // users first: clicks_per_user reads it
    await page.goto(`${web.url}/assets/users`);
    await page.getByTestId('open-backfill').click();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('backfill-preview').waitFor();
    const launches = launchesSent();
    await page.getByRole('button', { name: 'Launch backfill' }).dblclick();
    await page.waitForURL('**/backfills/**');
    await page.getByTestId('backfill-status').getByText('succeeded').waitFor({ timeout: 30_000 });
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await new Promise((r) => setTimeout(r, 1_000)); // a second backfill would be listed by now
    const users = (await backfills()).filter((b) => b.request.assets.join() === 'users');
    expect(users.map((b) => b.id)).toEqual([id]);
    // every launch the page sent, if more than one, carried the same request id
    expect(new Set(launches.map((l) => l.requestId)).size).toBe(1);
    expect(launches[0].requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(id).toBe(`${h.config.taskQueue}/backfill/request-${launches[0].requestId}`);
  });

  it('a preview with nothing to run cannot launch, saying why; "recompute even if up to date" flows into the request', async () => {
    await page.goto(`${web.url}/assets/users`);
    await page.getByTestId('open-backfill').click();
    const dialog = page.getByTestId('backfill-dialog');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await expect(dialog.getByTestId('nothing-to-run').textContent()).resolves.toMatch(
      /^Nothing to run: the selected partition is up to date\. Recompute it anyway with force \(the dialog's 'recompute even if up to date'/,
    );
    const launch = dialog.getByRole('button', { name: 'Launch backfill' });
    await expect(launch.isDisabled()).resolves.toBe(true);
    await shot('backfill-nothing-to-run');

    await dialog.getByTestId('force').check();
    await expect.poll(() => dialog.getByTestId('backfill-preview').count()).toBe(0); // a change asks for a new preview
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByTestId('backfill-preview').waitFor();
    await expect(dialog.getByTestId('backfill-preview').locator('tbody tr').allTextContents()).resolves.toEqual(['users110']);
    await expect(dialog.getByTestId('nothing-to-run').count()).resolves.toBe(0);
    const launches = launchesSent();
    await launch.click();
    await page.waitForURL('**/backfills/**');
    await page.getByTestId('backfill-status').getByText('succeeded').waitFor({ timeout: 30_000 });
    expect(launches).toHaveLength(1);
    expect(launches[0]).toMatchObject({ assets: ['users'], force: true });
    expect(await legendCount('legend-users', 'materialized')).toBe(1);
  });

  it('a backfill of 5 partitions launched from the dialog turns 5 cells materialized', async () => {
    await page.goto(`${web.url}/assets/clicks`);
    await page.getByTestId('partition-grid').waitFor();
    const from = await cell('partition-grid', 0, 0);
    const to = await cell('partition-grid', 0, 4);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 5 });
    await page.mouse.up();
    await expect(page.getByTestId('selection').textContent()).resolves.toContain('2026-01-01 … 2026-01-05 (5)');
    await page.getByTestId('backfill-selection').click();
    const dialog = page.getByTestId('backfill-dialog');
    await expect(dialog.locator('input[name=from]').inputValue()).resolves.toBe('2026-01-01');
    await expect(dialog.locator('input[name=to]').inputValue()).resolves.toBe('2026-01-05');
    await dialog.getByTestId('downstream').check();
    await dialog.locator('input[name=concurrency]').fill('2');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const preview = dialog.getByTestId('backfill-preview');
    await preview.waitFor();
    await expect(preview.locator('tbody tr').allTextContents()).resolves.toEqual(['clicks550', 'clicks_per_user550']);
    await shot('backfill-dialog');
    await dialog.getByRole('button', { name: 'Launch backfill' }).click();

    await page.waitForURL('**/backfills/**');
    await page.getByTestId('backfill-status').getByText('succeeded').waitFor({ timeout: 30_000 });
    await expect.poll(() => legendCount('legend-clicks_per_user', 'materialized'), { timeout: 10_000 }).toBe(5);
    await shot('backfill-completed');

    await page.getByTestId('progress-clicks_per_user').getByRole('link', { name: 'clicks_per_user' }).click();
    await page.waitForURL('**/assets/clicks_per_user');
    await expect.poll(() => legendCount('grid-legend', 'materialized'), { timeout: 10_000 }).toBe(5);
    await page.mouse.move(...(Object.values(await cell('partition-grid', 0, 4)) as [number, number]));
    await expect(page.getByRole('tooltip').textContent()).resolves.toBe('2026-01-05 materialized');
    await page.getByTestId('materializations').waitFor();
    await page.getByTestId('lag-chart').waitFor();
    await shot('asset-materialized');
  });

  it('a second backfill is cancelled from its page', async () => {
    const res = await fetch(`${web.url}/api/backfills`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ assets: ['stuck'], from: '2026-03-01', to: '2026-03-31', concurrency: 1 }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await page.goto(`${web.url}/backfills/${encodeURIComponent(id)}`);
    await page.getByTestId('backfill-status').getByText('running').waitFor({ timeout: 30_000 });
    // concurrency 1: one activity, whose batch holds many partitions
    await expect
      .poll(() => page.getByTestId('running-activities').textContent(), { timeout: 15_000 })
      .toMatch(/^ \(1 activity running, computing (1[0-9]|[2-9][0-9]) partitions\)$/);
    // Cancel asks first; Escape answers no, and the focus goes back to the Cancel button.
    const cancel = page.getByTestId('cancel-backfill');
    const confirm = page.getByTestId('confirm-cancel');
    await cancel.click();
    await expect(confirm.isVisible()).resolves.toBe(true);
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Keep running');
    await shot('backfill-confirm-cancel');
    await page.keyboard.press('Escape');
    await expect.poll(() => confirm.isVisible()).toBe(false);
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe('cancel-backfill');
    await new Promise((r) => setTimeout(r, 1_000));
    await expect(page.getByTestId('backfill-status').textContent()).resolves.toBe('running');
    await cancel.click();
    await confirm.getByRole('button', { name: 'Keep running' }).click();
    await expect.poll(() => confirm.isVisible()).toBe(false);
    await expect(page.getByTestId('backfill-status').textContent()).resolves.toBe('running');
    await cancel.click();
    await confirm.getByRole('button', { name: 'Cancel backfill' }).click();
    await page.getByTestId('backfill-status').getByText('cancelled').waitFor({ timeout: 30_000 });
    expect(await legendCount('legend-stuck', 'cancelled')).toBeGreaterThan(20);
    await page.getByTestId('grid-stuck').waitFor();
    await expect(page.getByTestId('cancel-backfill').isDisabled()).resolves.toBe(true);
    await page.goto(`${web.url}/backfills`);
    await page.getByTestId('backfill-list').getByText(id).waitFor();
    await page.goto(`${web.url}/backfills/${encodeURIComponent(id)}`);
    await page.getByTestId('backfill-status').getByText('cancelled').waitFor();
    await shot('backfill-cancelled');

    // "Re-run" finishes what the cancel left, in a new backfill that links back; the parent lists it.
    const cancelled = await legendCount('legend-stuck', 'cancelled');
    const rerun = page.getByTestId('rerun');
    await expect(rerun.textContent()).resolves.toBe('Re-run failed and cancelled');
    await rerun.click();
    await page.waitForURL((url) => url.pathname !== `/backfills/${encodeURIComponent(id)}`);
    const child = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect(child).toMatch(new RegExp(`^${id}/rerun-[0-9a-f]{32}$`));
    await page.getByTestId('backfill-status').getByText('running').waitFor({ timeout: 30_000 });
    const pending = ['pending', 'running', 'failed'];
    const counts = await Promise.all(pending.map((s) => legendCount('legend-stuck', s)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(cancelled);
    try {
      await page.getByTestId('rerun-of').click();
      await page.waitForURL(`**/backfills/${encodeURIComponent(id)}`);
      const reruns = page.getByTestId('reruns');
      // a reload each time: the list of workflows may lag a moment
      await expect
        .poll(
          async () => {
            await page.reload();
            await page.getByTestId('backfill-status').waitFor();
            return reruns.locator('li').count();
          },
          { timeout: 15_000 },
        )
        .toBe(1);
      await expect(reruns.textContent()).resolves.toContain(child);
      await shot('backfill-reruns');
    } finally {
      await fetch(`${web.url}/api/backfills/${encodeURIComponent(child)}/cancel`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
    }
  });

  it('the schedules and streaming pages render their tables and empty states', async () => {
    await page.goto(`${web.url}/schedules`);
    await page.getByTestId('schedules').getByText('clicks_per_user').waitFor();
    await shot('schedules');
    await page.goto(`${web.url}/streams`);
    await page.getByTestId('streams-empty').waitFor();
  });

  it('an unreadable table shows its error on its own card; the other cards stay as they were', async () => {
    const log = path.join(h.config.warehouse, 'by_region', '_delta_log');
    mkdirSync(log, { recursive: true });
    writeFileSync(path.join(log, `${'0'.padStart(20, '0')}.json`), '{"protocol": {');
    await page.goto(`${web.url}/assets`);
    const list = page.getByTestId('asset-list');
    const card = list.locator('li', { hasText: 'by_region' });
    await expect
      .poll(() => card.getByTestId('asset-error').textContent(), { timeout: 15_000 })
      .toMatch(/^Its table cannot be read: corrupt commit file by_region\/_delta_log\/0{20}\.json, line 1: not valid JSON/);
    await expect(list.locator('li', { hasText: 'clicks_per_user' }).textContent()).resolves.toMatch(/5 of [\d,]+ daily/);
    await expect(list.getByTestId('asset-error').count()).resolves.toBe(1);
    await shot('assets-unreadable');
    await page.goto(`${web.url}/assets/by_region`);
    await expect(page.getByTestId('asset-error').textContent()).resolves.toContain(
      `corrupt commit file ${path.join(log, '0'.padStart(20, '0'))}.json`,
    );
  });
});
