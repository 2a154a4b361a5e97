// Schedules derived from SLAs really fire; the freshness monitor sees staleness and catches up.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, source, type AssetGraph, type FreshnessStatus } from '../core/index.ts';
import { assetTable, freshnessReport, materializations } from '../engine/index.ts';
import { reconcileSchedules } from '../schedules/reconcile.ts';
import { openStore } from '../storage/index.ts';
import { startHarness, testConfig, type Harness } from './harness.ts';
import { spawnWorker, type WorkerProcess } from './processes.ts';

const { default: project } = await import('./fixtures/sla-project.ts') as { default: AssetGraph };
let h: Harness;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  h = await startHarness(project, testConfig('sla', { project: path.resolve('test/fixtures/sla-project.ts') }), { worker: false });
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  for await (const s of h.client.schedule.list()) if (s.scheduleId.startsWith(h.config.taskQueue)) await h.client.schedule.getHandle(s.scheduleId).delete();
  await h.client.workflow.getHandle(`${h.config.taskQueue}/freshness-monitor`).terminate().catch(() => {});
  await h?.stop();
});

const warehouse = () => openStore(h.config.warehouse);
async function status(name: string): Promise<FreshnessStatus> {
  return (await freshnessReport(project, warehouse())).find((f) => f.asset === name)!.status;
}
async function until(what: string, pred: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('freshness SLAs', () => {
  it('a 10-second SLA is kept by its schedule unasked; stale with the worker stopped; caught up when it returns', async () => {
    const env = { ...h.env, FRESHET_MONITOR_INTERVAL: '1s' };
    let w = await spawnWorker(env);
    workers.push(w);
    expect(w.output()).toMatch(/schedules: created pulse/);
    const table = assetTable(warehouse(), 'pulse');
    await until('the schedule to materialize pulse', async () => (await materializations(table)).length >= 2, 40_000);
    expect(await status('pulse')).not.toBe('stale');

    await w.stop();
    await until('pulse to turn stale with no worker', async () => (await status('pulse')) === 'stale', 30_000);

    // Only the monitor may fix it now: the schedule is paused.
    const schedule = h.client.schedule.getHandle(`${h.config.taskQueue}/freshness/pulse`);
    await schedule.pause('test: leave the catch-up to the monitor');
    const before = (await materializations(table)).length;
    w = await spawnWorker(env);
    workers.push(w);
    await until('the monitor to catch pulse up', async () => (await status('pulse')) === 'fresh', 30_000);
    expect((await materializations(table)).length).toBeGreaterThan(before);
    const events = readdirSync(path.join(h.config.warehouse, '_freshet', 'freshness-events'));
    expect(events.some((e) => e.endsWith('-pulse.json'))).toBe(true);
    await schedule.unpause();
  });

  it('changing an SLA and restarting updates the server schedule; removing it deletes the schedule', async () => {
    const tq = `${h.config.taskQueue}-reconcile`;
    const graph = (lag?: string) => definitions({ assets: [source({ name: 'pulse', sql: 'SELECT 1 AS x', ...(lag ? { freshness: { maxLag: lag } } : {}) })] });
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
