// The asset page at 100,000 partitions in Chromium: time to the grid's first render and to
// interactive (a hover answered), the partitions API's time and size, and scroll frame times.
// The asset is hourly with exactly 100,000 partitions; a few hundred are materialized (blocks
// and scattered keys) so the run-length summary has real runs to encode.
// Usage: node --import tsx bench/web.ts [--materialized 600] [--runs 3]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { loadConfig } from '../runtime/index.ts';
import { definitions, hourlyPartitions, shiftKey, source } from '../core/index.ts';
import { materializeMany } from '../engine/index.ts';
import { requireChromium } from '../services/chromium.ts';
import { openStore } from '../storage/index.ts';
import { createContext, startWebServer } from '../web/index.ts';
import { summarize } from '../web/health.ts';

const { values } = parseArgs({ options: { materialized: { type: 'string', default: '600' }, runs: { type: 'string', default: '3' } } });
const PARTITIONS = 100_000;
const START = '2015-01-01-00';
const first = hourlyPartitions({ start: START });
const partitions = hourlyPartitions({ start: START, end: shiftKey(first, START, PARTITIONS - 1) });
const graph = definitions({
  assets: [source({ name: 'events_hourly', description: 'Bench: 100,000 hourly partitions.', partitions, sql: 'SELECT 1 AS n' })],
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 10) / 10;

const loadAtStart = os.loadavg().map(round);
const dir = mkdtempSync(path.join(tmpdir(), 'freshet-bench-web-'));
try {
  // Three blocks and one scattered stretch: what backfills and a flaky feed leave behind.
  const n = Number(values.materialized);
  const keys = new Set<string>();
  for (const at of [10_000, 50_000, PARTITIONS - n / 4 - 1]) for (let i = 0; i < n / 4; i++) keys.add(shiftKey(partitions, START, at + i));
  for (let i = 0; i < n / 4; i++) keys.add(shiftKey(partitions, START, 70_000 + i * 37));
  const warehouse = openStore(dir);
  let t = Date.now();
  await materializeMany({ graph, warehouse, asset: 'events_hourly', partitions: [...keys].sort(), engine: {} });
  console.log(`materialized ${keys.size} partitions in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const config = { ...loadConfig(), warehouse: dir };
  // Cold: the first read of the logs, as at server start (median of 3 fresh contexts).
  const cold: number[] = [];
  for (let i = 0; i < 3; i++) {
    const ctx = createContext({ config, graph });
    t = performance.now();
    summarize(await ctx.health(graph.get('events_hourly')));
    cold.push(performance.now() - t);
  }
  const web = await startWebServer({ config, graph, port: 0, log: console.log });
  const api = `${web.url}/api/assets/events_hourly/partitions`;
  const apiTimes: number[] = [];
  let bytes = 0;
  let runsEncoded = 0;
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    const text = await (await fetch(api)).text();
    apiTimes.push(performance.now() - t);
    bytes = text.length;
    runsEncoded = (JSON.parse(text) as { runs: unknown[] }).runs.length;
  }

  const browser = await chromium.launch({ executablePath: requireChromium(), headless: true });
  const firstRender: number[] = [];
  const interactive: number[] = [];
  const frames: number[] = [];
  for (let run = 0; run < Number(values.runs); run++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${web.url}/assets/events_hourly`);
    const grid = page.getByTestId('partition-grid');
    await page.waitForFunction(() => performance.getEntriesByName('freshet:grid-drawn').length > 0, undefined, { timeout: 30_000 });
    firstRender.push(await page.evaluate(() => performance.getEntriesByName('freshet:grid-drawn')[0].startTime));
    // Interactive: the first hover over a cell answered with its tooltip.
    const box = (await grid.boundingBox())!;
    await page.mouse.move(box.x + 88 + 5 * 16 + 7, box.y + 7);
    await page.getByRole('tooltip').waitFor();
    interactive.push(await page.evaluate(() => performance.now()));
    // Scrolling through 4,167 rows: time of each frame, redraw included.
    frames.push(
      ...(await page.evaluate(async () => {
        const s = document.querySelector('[data-testid="partition-grid"]') as HTMLElement;
        const out: number[] = [];
        let last = performance.now();
        for (let i = 0; i < 60; i++) {
          s.scrollTop -= 1_000;
          await new Promise((r) => requestAnimationFrame(() => r(null)));
          const now = performance.now();
          out.push(now - last);
          last = now;
        }
        return out;
      })),
    );
    if (run === 0) {
      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: 'test-results/bench-web-100k.png', fullPage: true });
    }
    await page.close();
  }
  await browser.close();
  await web.stop();

  frames.sort((a, b) => a - b);
  const result = {
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg().map(round),
    },
    when: new Date().toISOString(),
    partitions: PARTITIONS,
    materialized: keys.size,
    runs: Number(values.runs),
    first_render_ms: round(median(firstRender)),
    interactive_ms: round(median(interactive)),
    first_render_ms_all: firstRender.map(round),
    interactive_ms_all: interactive.map(round),
    api_partitions_cold_ms: round(median(cold)),
    api_partitions_ms: round(median(apiTimes)),
    api_partitions_bytes: bytes,
    api_partitions_runs: runsEncoded,
    scroll_frame_ms_p50: round(frames[Math.floor(frames.length * 0.5)]),
    scroll_frame_ms_p95: round(frames[Math.floor(frames.length * 0.95)]),
    note: 'first_render_ms and interactive_ms are from navigation start (performance.now in the page), median of runs; api_partitions_cold_ms reads the Delta log and computes every state; api_partitions_ms is an HTTP request with the logs unchanged (each request checks the table versions; the states are reused)',
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/web.json', JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
