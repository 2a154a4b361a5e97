// In Chromium: an outdated downstream (its input recomputed with --force) shows as outdated on
// the graph node, the list, the asset page and the grid, apart from its SLA status; the
// schedules page pauses (after a confirmation), unpauses and runs a schedule now, and lists the run.
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../control/backfills.ts';
import { freshnessScheduleId } from '../contract/ids.ts';
import { reconcileSchedules } from '../schedules/reconcile.ts';
import { launchBrowser, openPage, screenshot } from '../test/support/browser.ts';
import { openStore } from '../storage/index.ts';
import { startHarness, testConfig, type Harness } from '../test/harness.ts';
import project from '../test/fixtures/outdated-project.ts';
import { startWebServer, type WebServer } from './index.ts';

let h: Harness;
let web: WebServer;
let browser: Browser;
let page: Page;
const shot = (name: string) => screenshot(page, name);

beforeAll(async () => {
  h = await startHarness(project, testConfig('schedules-page'));
  const ctx = { client: h.client, graph: project, warehouse: openStore(h.config.warehouse), taskQueue: h.config.taskQueue };
  // everything computed, then the source recomputed alone: what reads it is outdated
  for (const request of [
    { assets: ['events', 'archive'], downstream: true, concurrency: 4 },
    { assets: ['events'], downstream: false, force: true, concurrency: 4 },
  ]) {
    const { id } = await startBackfill(ctx, request);
    await h.client.workflow.getHandle(id).result();
  }
  await reconcileSchedules(h.client, project, h.config.taskQueue);
  web = await startWebServer({ config: h.config, graph: project, client: h.client, port: 0 });
  browser = await launchBrowser();
  page = await openPage(browser);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  for await (const s of h.client.schedule.list())
    if (s.scheduleId.startsWith(h.config.taskQueue)) await h.client.schedule.getHandle(s.scheduleId).delete();
  await h?.stop();
});

const paused = async (asset: string) =>
  (await h.client.schedule.getHandle(freshnessScheduleId(h.config.taskQueue, asset)).describe()).state.paused;

describe('outdated apart from late, on the page', () => {
  it('the graph node, the list, the asset page and the grid show the downstream outdated while its SLA status is fresh', async () => {
    await page.goto(`${web.url}/assets`);
    const node = page.getByTestId('node-daily_totals');
    await node.waitFor();
    expect(await node.getAttribute('data-freshness')).toBe('fresh');
    expect(await node.getAttribute('data-outdated')).toBe('4');
    expect(await page.getByTestId('outdated-daily_totals').textContent()).toContain('4 outdated');
    expect(await page.getByTestId('list-outdated-daily_totals').textContent()).toBe('4 outdated');
    // late is the SLA's: the archive is late and nothing of it is outdated
    expect(await page.getByTestId('node-archive').getAttribute('data-freshness')).toBe('late');
    expect(await page.getByTestId('outdated-archive').count()).toBe(0);
    expect(await page.getByTestId('outdated-events').count()).toBe(0);
    await shot('outdated-graph');

    await node.click();
    await page.waitForURL('**/assets/daily_totals');
    expect(await page.getByTestId('freshness').textContent()).toBe('fresh');
    expect(await page.getByTestId('outdated').textContent()).toBe('4 outdated');
    const legend = page.getByTestId('grid-legend').locator('[data-state="outdated"]');
    await legend.waitFor();
    expect(await legend.getAttribute('data-count')).toBe('4');
    await shot('outdated-asset');
  });
});

describe('the schedules page', () => {
  it('pauses after a confirmation (and not when dismissed), unpauses, and runs a schedule now, listing the run', async () => {
    await page.goto(`${web.url}/schedules`);
    expect(await page.getByTestId('schedule-outdated-daily_totals').textContent()).toBe('4');

    await page.getByTestId('pause-archive').click();
    const dialog = page.getByTestId('confirm-pause');
    await dialog.getByRole('button', { name: 'Keep it running' }).click();
    expect(await paused('archive')).toBe(false);

    await page.getByTestId('pause-archive').click();
    await dialog.getByRole('button', { name: 'Pause schedule' }).click();
    await page.getByTestId('paused-archive').waitFor();
    expect(await paused('archive')).toBe(true);

    await page.getByTestId('unpause-archive').click();
    await page.getByTestId('pause-archive').waitFor();
    expect(await paused('archive')).toBe(false);

    expect(await page.getByTestId('run-daily_totals').count()).toBe(0);
    await page.getByTestId('run-now-daily_totals').click();
    await page.locator('[data-testid="run-daily_totals"][data-outcome="succeeded"]').waitFor({ timeout: 90_000 });
    const row = page.getByTestId('run-daily_totals');
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').nth(3).textContent()).toMatch(/\d/); // a duration
    await shot('schedules-runs');
  });
});
