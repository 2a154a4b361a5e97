// "Late" (the SLA's clock) and "outdated" (inputs changed since computed) named apart, as the
// API, the grid's summary and `freshet status` give them, after the issue's own steps: an
// upstream recomputed with `freshet backfill <source> --force`.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetDetail, AssetList, PartitionSummary, Schedules } from '../web/api-types.ts';
import { startBackfill } from '../control/backfills.ts';
import { openStore } from '../storage/index.ts';
import { startWebServer, type WebServer } from '../web/index.ts';
import { startHarness, testConfig, type Harness } from './harness.ts';
import project from './fixtures/outdated-project.ts';

let h: Harness;
let web: WebServer;
const run = promisify(execFile);
const cli = (...args: string[]) => run('node', ['bin/freshet.mjs', ...args], { env: h.env, timeout: 300_000 });

beforeAll(async () => {
  h = await startHarness(project, testConfig('outdated', { project: path.resolve('test/fixtures/outdated-project.ts') }));
  web = await startWebServer({ config: h.config, graph: project, client: h.client, port: 0, page: false });
  const ctx = { client: h.client, graph: project, warehouse: openStore(h.config.warehouse), taskQueue: h.config.taskQueue };
  for (const assets of [['events'], ['archive']]) {
    const { id } = await startBackfill(ctx, { assets, downstream: true, concurrency: 4 });
    await h.client.workflow.getHandle(id).result();
  }
}, 300_000);
afterAll(async () => {
  await web?.stop();
  await h?.stop();
});

const get = async <T>(p: string): Promise<T> => {
  const res = await fetch(web.url + p);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};
const byName = (list: AssetList, name: string) => list.assets.find((a) => a.name === name)!;

describe('late and outdated, apart', () => {
  it('before any change: the downstream is fresh and nothing is outdated; the asset past its SLA is late', async () => {
    const list = await get<AssetList>('/api/assets');
    expect(byName(list, 'daily_totals')).toMatchObject({ freshness: { status: 'fresh' }, outdated: 0, materialized: 4, total: 4 });
    expect(byName(list, 'archive')).toMatchObject({ freshness: { status: 'late' }, outdated: 0 });
  });

  it('after `backfill events --force` every partition of the downstream is outdated while its SLA status stays fresh', async () => {
    const { stdout } = await cli('backfill', 'events', '--force');
    expect(stdout).toMatch(/events\s+4\s+4\s+0/);

    const list = await get<AssetList>('/api/assets');
    const totals = byName(list, 'daily_totals');
    expect(totals).toMatchObject({ freshness: { status: 'fresh' }, outdated: 4, materialized: 4, total: 4 });
    // the recomputed source itself has no inputs to go out of date; the late one stays late, not outdated
    expect(byName(list, 'events')).toMatchObject({ outdated: 0 });
    expect(byName(list, 'archive')).toMatchObject({ freshness: { status: 'late' }, outdated: 0 });

    expect(await get<AssetDetail>('/api/assets/daily_totals')).toMatchObject({ freshness: { status: 'fresh' }, outdated: 4 });
    const grid = await get<PartitionSummary>('/api/assets/daily_totals/partitions');
    expect(grid.counts).toMatchObject({ outdated: 4, materialized: 0 });
    expect(grid.runs).toEqual([[2, 4]]); // code 2 = HEALTH_STATES' 'outdated'
    const one = await get<{ state: string; reason: string }>(`/api/assets/daily_totals/partitions/${grid.first}`);
    expect(one.state).toBe('outdated');
    expect(one.reason).toMatch(/events .* changed/);

    const schedules = await get<Schedules>('/api/schedules');
    expect(schedules.assets.find((r) => r.asset === 'daily_totals')).toMatchObject({ freshness: { status: 'fresh' }, outdated: 4 });
    expect(schedules.assets.find((r) => r.asset === 'archive')).toMatchObject({ freshness: { status: 'late' }, outdated: 0 });
  });

  it('`freshet status` names both: a late column apart from an outdated count, and each partition its state', async () => {
    const { stdout } = await cli('status');
    const line = (name: string) => stdout.split('\n').find((l) => l.startsWith(`${name} `))!;
    expect(stdout.split('\n')[0]).toMatch(/asset\s+freshness\s+lag\s+max lag\s+materialized\s+outdated\s+last materialization/);
    expect(line('daily_totals')).toMatch(/^daily_totals\s+fresh\s+.*\s4\/4\s+4\s/);
    expect(line('archive')).toMatch(/^archive\s+late\s+.*\s2\/2\s+0\s/);
    expect(stdout).not.toMatch(/\bstale\b/);

    const one = (await cli('status', 'daily_totals')).stdout;
    expect(one).toContain('freshness: fresh');
    expect(one).toContain('outdated: 4 partition(s) whose inputs changed since they were computed');
    expect(one.split('\n').filter((l) => /^\d{4}-\d{2}-\d{2}\s+outdated\s/.test(l))).toHaveLength(4);
    const late = (await cli('status', 'archive')).stdout;
    expect(late).toMatch(/freshness: late, lag \S+ \(SLA 1d\); outdated: 0 partition/);
  });

  it('`materialize --outdated` recomputes exactly the outdated partitions; then none is left', async () => {
    const { stdout } = await cli('materialize', 'daily_totals', '--outdated');
    expect(stdout).toContain('4 of 4 partitions to compute');
    expect(byName(await get<AssetList>('/api/assets'), 'daily_totals')).toMatchObject({ outdated: 0, freshness: { status: 'fresh' } });
  });
});
