// Everyday quality of the page, in Debian's Chromium against a real worker and Temporal: state in
// the URL, the keyboard, the dialog's focus, the dark theme, a phone's width, a lost connection
// and a 500's body. Screenshots under test-results/.
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../test/support/browser.ts';
import { startMaterialize } from '../control/materialize.ts';
import { materializeEach, startHarness, testConfig, type Harness } from '../test/harness.ts';
import { startWebServer, type WebServer } from './index.ts';
import project from '../test/fixtures/web-project.ts';

let h: Harness;
let web: WebServer;
let browser: Browser;

const start = () => startWebServer({ config: h.config, graph: project, client: h.client, port: 0, temporalUiUrl: 'http://127.0.0.1:8233' });

beforeAll(async () => {
  h = await startHarness(project, testConfig('web-everyday'));
  await (await startMaterialize(h.client, h.config.taskQueue, project.get('users'))).result();
  await materializeEach(h, project.get('clicks'), ['2026-01-01', '2026-01-02', '2026-01-03']);
  await materializeEach(h, project.get('clicks_per_user'), ['2026-01-02']);
  web = await start();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await h?.stop();
});

async function open(opts: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return { context, page };
}

/** The colour (r, g, b) of the pixel at the centre of the grid's first cell in row `row`, column `col`. */
function cellPixel(page: Page, row: number, col: number): Promise<number[]> {
  return page.getByTestId('partition-grid').evaluate(
    (el, [r, c]) => {
      const canvas = el.querySelector('canvas')!;
      const dpr = window.devicePixelRatio || 1;
      const d = canvas.getContext('2d')!.getImageData((88 + c * 16 + 7) * dpr, (r * 16 + 7) * dpr, 1, 1).data;
      return [d[0], d[1], d[2]];
    },
    [row, col],
  );
}

const luminance = ([r, g, b]: number[]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
const rgb = (css: string) => css.match(/\d+/g)!.slice(0, 3).map(Number);

describe('state in the URL', () => {
  it('the search survives a reload, filters graph and list, and Enter opens the single match', async () => {
    const { context, page } = await open();
    await page.goto(`${web.url}/assets?q=click`);
    await page.getByTestId('asset-list').waitFor();
    await page.reload();
    await expect(page.getByLabel('search assets').inputValue()).resolves.toBe('click');
    await expect.poll(() => page.getByTestId('asset-list').locator('li').count()).toBe(2);
    await expect(page.getByTestId('node-users').getAttribute('opacity')).resolves.toBe('0.3');
    await page.getByLabel('search assets').fill('clicks_per');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('clicks_per');
    await page.getByLabel('search assets').press('Enter');
    await page.waitForURL('**/assets/clicks_per_user');
    // several matches: Enter stays
    await page.goto(`${web.url}/assets?q=click`);
    await page.getByLabel('search assets').press('Enter');
    await page.waitForTimeout(300);
    expect(new URL(page.url()).pathname).toBe('/assets');
    await context.close();
  });

  it('the grid selection is in the URL: a link shows it selected, a drag writes it', async () => {
    const { context, page } = await open();
    await page.goto(`${web.url}/assets/clicks?from=2026-01-02&to=2026-01-04`);
    await expect(page.getByTestId('selection').textContent()).resolves.toContain('2026-01-02 … 2026-01-04 (3)');
    await page.reload();
    await expect(page.getByTestId('selection').textContent()).resolves.toContain('2026-01-02 … 2026-01-04 (3)');
    const box = (await page.getByTestId('partition-grid').boundingBox())!;
    await page.mouse.move(box.x + 88 + 4 * 16 + 7, box.y + 7);
    await page.mouse.down();
    await page.mouse.move(box.x + 88 + 6 * 16 + 7, box.y + 7, { steps: 3 });
    await page.mouse.up();
    await expect.poll(() => new URL(page.url()).search).toBe('?from=2026-01-05&to=2026-01-07');
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => new URL(page.url()).search).toBe('');
    await context.close();
  });
});

describe('the keyboard', () => {
  it('Tab reaches the graph nodes, Enter opens one', async () => {
    const { context, page } = await open();
    await page.goto(`${web.url}/assets`);
    await page.getByTestId('lineage-graph').waitFor();
    let focused = '';
    for (let i = 0; i < 30 && !focused.startsWith('node-'); i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    }
    expect(focused).toMatch(/^node-/);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/assets/${focused.slice(5)}`);
    await context.close();
  });

  it('the grid: Tab to it, arrows move the cursor, Enter selects, Shift+Enter extends; the axis numbers the days', async () => {
    const { context, page } = await open();
    await page.goto(`${web.url}/assets/clicks`);
    const grid = page.getByTestId('partition-grid');
    await grid.waitFor();
    const axis = await page.getByTestId('grid-axis').locator('span').allTextContents();
    expect(axis).toEqual(Array.from({ length: 31 }, (_, i) => String(i + 1)));
    await page.getByRole('button', { name: 'Materialize…' }).focus();
    await page.keyboard.press('Tab'); // past the graph-free page, the grid is next after the button and definition links
    for (let i = 0; i < 20 && !(await grid.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    await expect(grid.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('Home');
    await expect(grid.getAttribute('data-cursor')).resolves.toBe('2026-01-01');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('grid-tip').textContent()).resolves.toBe('2026-01-02 materialized');
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowDown'); // the same day a month later
    await expect(grid.getAttribute('data-cursor')).resolves.toBe('2026-02-02');
    await page.keyboard.press('Shift+Enter');
    await expect(page.getByTestId('selection').textContent()).resolves.toContain('2026-01-02 … 2026-02-02 (32)');
    expect(new URL(page.url()).search).toBe('?from=2026-01-02&to=2026-02-02');
    await context.close();
  });

  it('the backfill dialog takes the focus, Escape closes it, and the focus goes back', async () => {
    const { context, page } = await open();
    await page.goto(`${web.url}/assets/clicks`);
    const opener = page.getByTestId('open-backfill');
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('backfill-dialog');
    await dialog.waitFor();
    await expect(dialog.evaluate((el) => el.contains(document.activeElement))).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect(opener.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await context.close();
  });
});

describe('themes and widths', () => {
  it('follows prefers-color-scheme: dark on the page, the graph and the grid canvas', async () => {
    const colours: Record<string, { bg: number[]; node: number[]; missing: number[] }> = {};
    for (const colorScheme of ['light', 'dark'] as const) {
      const { context, page } = await open({ colorScheme });
      await page.goto(`${web.url}/assets`);
      await page.getByTestId('lineage-graph').waitFor();
      const node = rgb(
        await page
          .getByTestId('node-users')
          .locator('rect')
          .first()
          .evaluate((el) => getComputedStyle(el).fill),
      );
      await page.goto(`${web.url}/assets/clicks`);
      await page.getByTestId('partition-grid').waitFor();
      await page.waitForTimeout(200);
      const bg = rgb(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor));
      // row 0, column 20: 2026-01-21, never materialized
      colours[colorScheme] = { bg, node, missing: await cellPixel(page, 0, 20) };
      await page.screenshot({ path: `test-results/web-everyday-${colorScheme}.png`, fullPage: true });
      await context.close();
    }
    expect(luminance(colours.light.bg)).toBeGreaterThan(200);
    expect(luminance(colours.dark.bg)).toBeLessThan(60);
    expect(luminance(colours.light.node)).toBeGreaterThan(200);
    expect(luminance(colours.dark.node)).toBeLessThan(60);
    // the canvas draws with the theme's palette too, not with colours fixed in code
    expect(luminance(colours.light.missing)).toBeGreaterThan(180);
    expect(luminance(colours.dark.missing)).toBeLessThan(90);
  });

  it('nothing overflows sideways at 390 px, dark or light', async () => {
    const { context, page } = await open({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const paths = ['/assets', '/assets/clicks', '/assets/clicks_per_user', '/backfills', '/schedules', '/streams'];
    for (const p of paths) {
      await page.goto(`${web.url}${p}`);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, p).toBeLessThanOrEqual(390);
    }
    await page.goto(`${web.url}/assets/clicks`);
    await page.getByTestId('open-backfill').click();
    await page.getByTestId('backfill-dialog').waitFor();
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await page.screenshot({ path: 'test-results/web-everyday-390.png', fullPage: true });
    await context.close();
  });
});

describe('the asset page', () => {
  it('a source with a SQL function shows its SQL for a partition, the lags share one unit, and the inputs column is whole', async () => {
    const { context, page } = await open();
    await page.goto(`${web.url}/assets/clicks`);
    // clicks lags months behind a 1-day SLA: the title's lag, its SLA and the chart's axis all in days
    const title = await page.locator('.title-row .sub').first().textContent();
    expect(title).toMatch(/^lag \d+ d · SLA 1\.0 d$/);
    await expect(page.getByTestId('lag-chart').getAttribute('data-unit')).resolves.toBe('days');
    const sql = await page.locator('pre.sql').textContent();
    expect(sql).toMatch(/SELECT i AS click_id, i % 7 AS user_id, '\d{4}-\d{2}-\d{2}' AS label FROM range\(50\)/);
    expect(sql).not.toContain('=>');
    await page.goto(`${web.url}/assets/clicks_per_user`);
    const table = page.getByTestId('materializations');
    await table.waitFor();
    const inputs = table.locator('td.inputs').first();
    await expect(inputs.textContent()).resolves.toMatch(/clicks@v\d+.*users@v\d+/);
    // the cell ends inside its card, not behind the card's edge
    const card = (await table.evaluate((el) => {
      const c = el.closest('.card')!.getBoundingClientRect();
      const cells = Array.from(el.querySelectorAll('td.inputs'), (td) => td.getBoundingClientRect().right);
      return { right: c.right, cells };
    }))!;
    for (const right of card.cells) expect(right).toBeLessThanOrEqual(card.right);
    await context.close();
  });
});

describe('degraded states', () => {
  it("a 500 shows the server's error body, JSON or text, not only its status line", async () => {
    const { context, page } = await open();
    await page.route('**/api/assets', (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'Internal error: the disk is full' }) }),
    );
    await page.goto(`${web.url}/assets`);
    await page.getByText('Internal error: the disk is full').waitFor();
    await page.unroute('**/api/assets');
    await page.route('**/api/assets', (route) =>
      route.fulfill({ status: 500, contentType: 'text/plain', body: 'proxy: upstream crashed while reading warehouse' }),
    );
    await page.reload();
    await page.getByText('500 Internal Server Error: proxy: upstream crashed while reading warehouse').waitFor();
    await context.close();
  });

  it('when the server goes away the page keeps its data under a "connection lost" banner with a Retry button', async () => {
    const own = await start();
    const { context, page } = await open();
    await page.goto(`${own.url}/assets`);
    const list = page.getByTestId('asset-list');
    await expect.poll(() => list.locator('li').count()).toBe(6);
    await own.stop();
    const banner = page.getByTestId('connection-lost');
    await banner.waitFor({ timeout: 20_000 });
    await expect(banner.textContent()).resolves.toMatch(/Connection lost, retrying/);
    expect(await list.locator('li').count()).toBe(6);
    await page.screenshot({ path: 'test-results/web-everyday-connection-lost.png', fullPage: true });
    // Retry now asks at once; still down, so the banner and the data stay
    await page.getByTestId('retry-now').click();
    await page.waitForTimeout(500);
    await expect(banner.isVisible()).resolves.toBe(true);
    expect(await list.locator('li').count()).toBe(6);
    await context.close();
  });
});
