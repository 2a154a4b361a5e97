// Schedules derived from SLAs really fire; the freshness monitor sees an asset turn late and catches up.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, lastCompleteKey, source, type AssetGraph, type FreshnessStatus, type TimePartitions } from '../core/index.ts';
import { assetTable, freshnessReport, materializations } from '../engine/index.ts';
import { reconcileSchedules } from '../schedules/reconcile.ts';
import { freshnessMonitorWorkflowId as monitorWorkflowId } from '../contract/ids.ts';
import { openStore } from '../storage/index.ts';
import { envFor, startHarness, testConfig, type Harness } from './harness.ts';
import { spawnWorker, type WorkerProcess } from './processes.ts';
import { untilTrue } from './support/until.ts';

const { default: project } = (await import('./fixtures/sla-project.ts')) as { default: AssetGraph };
let h: Harness;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  h = await startHarness(project, testConfig('sla', { project: path.resolve('test/fixtures/sla-project.ts') }), { worker: false });
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await removeSchedulesAndMonitor(h.config.taskQueue);
  await h?.stop();
});

/** What a worker's start left on the server for `taskQueue`: SLA schedules and the freshness monitor. */
async function removeSchedulesAndMonitor(taskQueue: string): Promise<void> {
  for await (const s of h.client.schedule.list())
    if (s.scheduleId.startsWith(taskQueue)) await h.client.schedule.getHandle(s.scheduleId).delete();
  await h.client.workflow
    .getHandle(monitorWorkflowId(taskQueue))
    .terminate()
    .catch(() => {});
}

const warehouse = () => openStore(h.config.warehouse);
async function status(name: string): Promise<FreshnessStatus> {
  return (await freshnessReport(project, warehouse())).find((f) => f.asset === name)!.status;
}

describe('freshness SLAs', () => {
  it('a 10-second SLA is kept by its schedule unasked; late with the worker stopped; caught up when it returns', async () => {
    const env = { ...h.env, FRESHET_MONITOR_INTERVAL: '1s' };
    let w = await spawnWorker(env);
    workers.push(w);
    expect(w.output()).toMatch(/schedules: created pulse/);
    const table = assetTable(warehouse(), 'pulse');
    await untilTrue('the schedule to materialize pulse', async () => (await materializations(table)).length >= 2, 40_000);
    expect(await status('pulse')).not.toBe('late');

    await w.stop();
    await untilTrue('pulse to turn late with no worker', async () => (await status('pulse')) === 'late', 30_000);

    // Only the monitor may fix it now: the schedule is paused.
    const schedule = h.client.schedule.getHandle(`${h.config.taskQueue}/freshness/pulse`);
    await schedule.pause('test: leave the catch-up to the monitor');
    const before = (await materializations(table)).length;
    w = await spawnWorker(env);
    workers.push(w);
    await untilTrue('the monitor to catch pulse up', async () => (await status('pulse')) === 'fresh', 30_000);
    expect((await materializations(table)).length).toBeGreaterThan(before);
    const events = readdirSync(path.join(h.config.warehouse, '_freshet', 'freshness-events'));
    expect(events.some((e) => e.endsWith('-pulse.json'))).toBe(true);
    await schedule.unpause();
  });

  it('an asset with an SLA and no data is caught up by the monitor on the first start, upstream included, no schedule needed', async () => {
    // The example project on a new warehouse, as a first `npm start` sees it: daily SLAs, whose
    // schedules would not fire before midnight UTC.
    const { default: example } = await import('../assets/index.ts');
    const config = testConfig('sla-first-start');
    const w = await spawnWorker({ ...envFor(config), FRESHET_MONITOR_INTERVAL: '1s' });
    workers.push(w);
    const wh = openStore(config.warehouse);
    const newest = lastCompleteKey(example.get('user_purchases_30d').partitions as TimePartitions, Date.now())!;
    await untilTrue(
      'the monitor to catch the example up',
      async () => {
        const report = await freshnessReport(example, wh);
        return report.filter((f) => f.maxLagMs !== undefined).every((f) => f.status === 'fresh');
      },
      90_000,
    );
    // the newest complete day of the feature, and the 30 days of transactions it reads
    const features = (await materializations(assetTable(wh, 'user_purchases_30d'))).map((m) => m.partition);
    expect(features).toEqual([newest]);
    const days = (await materializations(assetTable(wh, 'transactions'))).map((m) => m.partition!).sort();
    expect(days).toHaveLength(30);
    expect(days.at(-1)).toBe(newest);
    expect((await materializations(assetTable(wh, 'user_profiles'))).length).toBe(1);
    await removeSchedulesAndMonitor(config.taskQueue);
  });

  it('changing an SLA and restarting updates the server schedule; removing it deletes the schedule', async () => {
    const tq = `${h.config.taskQueue}-reconcile`;
    const graph = (lag?: string) =>
      definitions({ assets: [source({ name: 'pulse', sql: 'SELECT 1 AS x', ...(lag ? { freshness: { maxLag: lag } } : {}) })] });
    expect(await reconcileSchedules(h.client, graph('10s'), tq)).toMatchObject({ created: ['pulse'] });
    expect(await reconcileSchedules(h.client, graph('10s'), tq)).toMatchObject({ unchanged: ['pulse'] });
    expect(await reconcileSchedules(h.client, graph('30s'), tq)).toMatchObject({ updated: ['pulse'] });
    const desc = await h.client.schedule.getHandle(`${tq}/freshness/pulse`).describe();
    expect(desc.spec.intervals?.[0].every).toBe(30_000);
    expect(desc.action.type === 'startWorkflow' && desc.action.workflowExecutionTimeout).toBe(7_500);
    expect(desc.policies.overlap).toBe('SKIP');
    expect(await reconcileSchedules(h.client, graph(undefined), tq)).toMatchObject({ deleted: ['pulse'] });
    await expect(h.client.schedule.getHandle(`${tq}/freshness/pulse`).describe()).rejects.toThrow(/not found/i);
  });
});
