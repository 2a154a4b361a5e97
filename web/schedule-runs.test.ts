// Schedules operated from the API and the CLI against Temporal's own schedules: "run now" starts
// a run, its outcome and duration come back among the recent runs, pause and unpause show in
// Temporal's describe(), and bad requests are refused naming the field.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshnessScheduleId } from '../contract/ids.ts';
import { reconcileSchedules } from '../schedules/reconcile.ts';
import { startHarness, testConfig, type Harness } from '../test/harness.ts';
import project from '../test/fixtures/outdated-project.ts';
import type { Schedules } from './api-types.ts';
import { startWebServer, type WebServer } from './index.ts';

let h: Harness;
let web: WebServer;
const cli = (...args: string[]) => promisify(execFile)('node', ['bin/freshet.mjs', ...args], { env: h.env, timeout: 120_000 });

beforeAll(async () => {
  h = await startHarness(project, testConfig('schedule-runs', { project: path.resolve('test/fixtures/outdated-project.ts') }));
  expect(await reconcileSchedules(h.client, project, h.config.taskQueue)).toMatchObject({ created: ['daily_totals', 'archive'] });
  web = await startWebServer({ config: h.config, graph: project, client: h.client, port: 0, page: false });
}, 120_000);
afterAll(async () => {
  await web?.stop();
  for await (const s of h.client.schedule.list())
    if (s.scheduleId.startsWith(h.config.taskQueue)) await h.client.schedule.getHandle(s.scheduleId).delete();
  await h?.stop();
});

const post = async (p: string, body: unknown) => {
  const res = await fetch(web.url + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const schedules = async () => (await (await fetch(`${web.url}/api/schedules`)).json()) as Schedules;
const scheduleOf = async (asset: string) => (await schedules()).assets.find((r) => r.asset === asset)!.schedule!;
const describeOf = (asset: string) => h.client.schedule.getHandle(freshnessScheduleId(h.config.taskQueue, asset)).describe();

describe('schedules: runs, pause, run now', () => {
  it('a schedule that never ran lists no runs and is not paused', async () => {
    expect(await scheduleOf('daily_totals')).toMatchObject({ onServer: true, paused: false, note: null, recentRuns: [] });
  });

  it('run now starts the scheduled run; it comes back with its outcome and duration, newest first', async () => {
    const first = await post('/api/schedules/daily_totals/run', {});
    expect(first.status).toBe(202);
    const id = first.body.workflowId as string;
    expect(id).toMatch(new RegExp(`^${h.config.taskQueue}/backfill/refresh-daily_totals`));
    await h.client.workflow.getHandle(id).result();
    const s = await scheduleOf('daily_totals');
    expect(s.recentRuns).toHaveLength(1);
    const [run] = s.recentRuns;
    expect(run).toMatchObject({ workflowId: id, outcome: 'succeeded' });
    expect(run.durationMs).toBeGreaterThan(0);
    expect(run.closedAt! - run.durationMs!).toBeGreaterThanOrEqual(run.takenAt - 1_000);
    // what the run did, read at once: the newest partition of the asset, and what it reads, materialized
    const assets = (await (await fetch(`${web.url}/api/assets`)).json()) as { assets: Array<{ name: string; materialized: number }> };
    expect(assets.assets.find((a) => a.name === 'daily_totals')!.materialized).toBe(1);

    // a second run, from the CLI, is listed first, and the CLI lists both with their outcomes
    const { stdout } = await cli('schedules', 'run', 'daily_totals');
    const second = /schedule started (\S+)/.exec(stdout)![1];
    await h.client.workflow.getHandle(second).result();
    expect((await scheduleOf('daily_totals')).recentRuns.map((r) => [r.workflowId, r.outcome])).toEqual([
      [second, 'succeeded'],
      [id, 'succeeded'],
    ]);
    const listed = (await cli('schedules')).stdout;
    expect(listed).toMatch(new RegExp(`run \\S+ succeeded in \\S+\\s+${second.replaceAll('/', '\\/')}`));
    expect(listed).toContain(id);
  });

  it('pause and unpause show in Temporal’s describe(), from the API and from the CLI', async () => {
    expect((await post('/api/schedules/archive/pause', { note: 'feed moved' })).status).toBe(200);
    expect((await describeOf('archive')).state).toMatchObject({ paused: true, note: 'feed moved' });
    expect(await scheduleOf('archive')).toMatchObject({ paused: true, note: 'feed moved' });
    expect((await post('/api/schedules/archive/unpause', {})).status).toBe(200);
    expect((await describeOf('archive')).state.paused).toBe(false);
    expect((await scheduleOf('archive')).paused).toBe(false);

    await cli('schedules', 'pause', 'daily_totals', '--note', 'by hand');
    expect((await describeOf('daily_totals')).state).toMatchObject({ paused: true, note: 'by hand' });
    expect((await cli('schedules')).stdout).toContain('paused: by hand');
    await cli('schedules', 'unpause', 'daily_totals');
    expect((await describeOf('daily_totals')).state.paused).toBe(false);
  });

  it('bad requests are refused naming the field, and leave the schedule as it was', async () => {
    for (const [p, body, status, field, message] of [
      ['/api/schedules/archive/pause', { note: 5 }, 400, 'note', /note/],
      ['/api/schedules/archive/pause', { note: 'x'.repeat(501) }, 400, 'note', /at most 500/],
      ['/api/schedules/archive/pause', { paused: true }, 400, 'body', /paused/],
      ['/api/schedules/archive/run', { now: true }, 400, 'body', /now/],
      ['/api/schedules/archiv/pause', {}, 404, 'name', /Unknown asset 'archiv'.*archive/],
      ['/api/schedules/events/run', {}, 404, 'name', /'events' declares no freshness SLA/],
    ] as const) {
      const r = await post(p, body);
      expect({ p, status: r.status, field: r.body.field }).toEqual({ p, status, field });
      expect(r.body.error).toMatch(message);
    }
    expect((await describeOf('archive')).state.paused).toBe(false);

    await h.client.schedule.getHandle(freshnessScheduleId(h.config.taskQueue, 'archive')).delete();
    const gone = await post('/api/schedules/archive/pause', {});
    expect(gone.status).toBe(409);
    expect(gone.body.error).toMatch(/not on the Temporal server: start a worker/);
  });
});
