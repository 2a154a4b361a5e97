// The global per-asset pool (AssetSpec.concurrency) through a real Temporal dev server.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillOutcome, cancelBackfill, startBackfill, type ControlContext } from '../control/backfills.ts';
import { startWorkflow } from '../control/start-workflow.ts';
import { asset } from '../core/index.ts';
import { assetTable, materializations, type Materialization } from '../engine/index.ts';
import { openStore } from '../storage/index.ts';
import type { PoolState } from '../contract/pool.ts';
import { poolStateQuery } from '../contract/signals.ts';
import type { BackfillProgress } from '../contract/backfill.ts';
import { assetPoolWorkflowId } from '../contract/ids.ts';
import project from './fixtures/pool-project.ts';
import { materializeEach, startHarness, testConfig, type Harness } from './harness.ts';

let h: Harness;
let ctx: ControlContext;
beforeAll(async () => {
  h = await startHarness(project, testConfig('asset-pool', { project: path.resolve('test/fixtures/pool-project.ts') }));
  ctx = { client: h.client, taskQueue: h.config.taskQueue, graph: project, warehouse: openStore(h.config.warehouse) };
});
afterAll(async () => h?.stop());

/** Most commits of `list` whose compute intervals ([commit time - duration, commit time]) overlap at once. */
function maxOverlap(list: Materialization[]): number {
  const edges = list.flatMap(
    (m) =>
      [
        [m.timestamp - m.durationMs, 1],
        [m.timestamp, -1],
      ] as const,
  );
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]); // an end before a start at the same instant
  let now = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (now += d));
  return most;
}

async function twoBackfills(name: string): Promise<BackfillProgress[]> {
  const a = await startBackfill(ctx, { assets: [name], downstream: false, from: '2026-01-01', to: '2026-01-03', concurrency: 2 });
  const b = await startBackfill(ctx, { assets: [name], downstream: false, from: '2026-02-01', to: '2026-02-03', concurrency: 2 });
  return Promise.all([a, b].map((x) => h.client.workflow.getHandle(x.id).result() as Promise<BackfillProgress>));
}

describe('asset pool', () => {
  it('validates concurrency as a whole number >= 1', () => {
    for (const bad of [0, 1.5, -2]) {
      expect(() => asset({ name: 'x', sql: 'SELECT 1', concurrency: bad })).toThrow(/asset 'x': concurrency must be a whole number >= 1/);
    }
    expect(asset({ name: 'x', sql: 'SELECT 1', concurrency: 3 }).concurrency).toBe(3);
    expect(asset({ name: 'x', sql: 'SELECT 1' }).concurrency).toBeUndefined();
  });

  it('two concurrent backfills of an asset with concurrency 1 never compute two partitions at once', async () => {
    const done = await twoBackfills('pooled');
    for (const d of done) {
      expect(d.status).toBe('succeeded');
      expect(d.assets.map((a) => [a.asset, a.counts.materialized])).toEqual([['pooled', 3]]);
    }
    const list = await materializations(assetTable(ctx.warehouse, 'pooled'));
    expect(list).toHaveLength(6);
    expect(maxOverlap(list)).toBe(1);

    // No lease leaked: the pool is idle (it exits on its own after 10 idle minutes).
    const pool = await h.client.workflow.getHandle(assetPoolWorkflowId(h.config.taskQueue, 'pooled')).query(poolStateQuery);
    expect(pool).toMatchObject({ asset: 'pooled', limit: 1, holders: [], queue: [] });
  });

  it('control: the same backfills of an unpooled asset do overlap', async () => {
    const done = await twoBackfills('free');
    expect(done.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);
    expect(maxOverlap(await materializations(assetTable(ctx.warehouse, 'free')))).toBeGreaterThan(1);
  });

  it('single-partition materializations take a slot too: beside a backfill of a pooled asset, never two at once', async () => {
    const [done] = await Promise.all([
      startBackfill(ctx, { assets: ['pooled'], downstream: false, from: '2026-03-01', to: '2026-03-03', concurrency: 2 }).then(
        ({ id }) => h.client.workflow.getHandle(id).result() as Promise<BackfillProgress>,
      ),
      materializeEach(h, project.get('pooled'), ['2026-03-10', '2026-03-11', '2026-03-12'], 3),
    ]);
    expect(done.status).toBe('succeeded');
    const list = (await materializations(assetTable(ctx.warehouse, 'pooled'))).filter((m) => m.partition! >= '2026-03-01');
    expect(list).toHaveLength(6);
    expect(maxOverlap(list)).toBe(1);
    // control: the same three on the unpooled asset overlap
    await materializeEach(h, project.get('free'), ['2026-03-10', '2026-03-11', '2026-03-12'], 3);
    const free = (await materializations(assetTable(ctx.warehouse, 'free'))).filter((m) => m.partition! >= '2026-03-10');
    expect(maxOverlap(free)).toBeGreaterThan(1);
  });

  it('frees the slots of a terminated backfill (liveness ping) and of a cancelled one still queued', async () => {
    const poolId = assetPoolWorkflowId(h.config.taskQueue, 'leaky');
    const pool = h.client.workflow.getHandle(poolId);
    // Started ahead with a 1-second liveness check, so the test need not wait the default 5 minutes,
    // and a tiny history limit, so it continues as new with leases held and queued.
    const started = await startWorkflow(h.client, 'assetPool', {
      taskQueue: h.config.taskQueue,
      workflowId: poolId,
      args: [{ asset: 'leaky', limit: 1, leaseCheckMs: 1_000, maxHistoryEvents: 20 }],
    });
    const until = async (what: (s: PoolState) => boolean) => {
      for (let i = 0; i < 300; i++) {
        const s = await pool.query(poolStateQuery);
        if (what(s)) return s;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('pool never reached the expected state');
    };
    const a = await startBackfill(ctx, { assets: ['leaky'], downstream: false, from: '2026-01-01', to: '2026-01-05', concurrency: 1 });
    await until((s) => s.holders.some((x) => x.workflowId === a.id));
    const b = await startBackfill(ctx, { assets: ['leaky'], downstream: false, from: '2026-02-01', to: '2026-02-02', concurrency: 1 });
    const c = await startBackfill(ctx, { assets: ['leaky'], downstream: false, from: '2026-03-01', to: '2026-03-02', concurrency: 1 });
    await until((s) => s.queue.some((x) => x.workflowId === b.id) && s.queue.some((x) => x.workflowId === c.id));

    await h.client.workflow.getHandle(a.id).terminate('simulated crash while holding the slot');
    await cancelBackfill(ctx, c.id);
    const [doneB, doneC] = await Promise.all([b, c].map((x) => backfillOutcome(ctx, x.id)));
    expect(doneB.status).toBe('succeeded');
    expect(doneB.assets[0].counts.materialized).toBe(2);
    expect(doneC.status).toBe('cancelled');
    expect((await h.client.workflow.getHandle(c.id).describe()).status.name).toBe('CANCELLED');
    expect(await pool.query(poolStateQuery)).toMatchObject({ holders: [], queue: [] });
    expect((await h.client.workflow.getHandle(poolId, started.firstExecutionRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
  });
});
