// Backfills survive `kill -9` of the worker, and cancel stops running work quickly.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillOutcome, cancelBackfill, startBackfill, type ControlContext } from '../control/backfills.ts';
import type { AssetGraph } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { assetTable, materializations } from '../engine/index.ts';
import { openStore } from '../storage/index.ts';
import type { BackfillProgress } from '../contract/backfill.ts';
import { expectEachPartitionOnce, materialized, waitForProgress } from './support/backfill-checks.ts';
import { startHarness, testConfig, type Harness } from './harness.ts';
import { spawnWorker, type WorkerProcess } from './processes.ts';

process.env.FRESHET_TEST_SLOW_MS = '150';
const { default: project } = (await import('./fixtures/chain-project.ts')) as { default: AssetGraph };

let h: Harness;
let ctx: ControlContext;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  // No in-process worker: the workers here are separate processes that the test kills.
  h = await startHarness(project, testConfig('crash', { project: path.resolve('test/fixtures/chain-project.ts') }), { worker: false });
  ctx = { client: h.client, taskQueue: h.config.taskQueue, graph: project, warehouse: openStore(h.config.warehouse) };
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await h?.stop();
});

async function worker(): Promise<WorkerProcess> {
  const w = await spawnWorker({ ...h.env, FRESHET_TEST_SLOW_MS: '150' });
  workers.push(w);
  return w;
}

describe('backfills and crashes', () => {
  it('completes a 200-partition backfill through two kill -9 of the worker, each partition committed exactly once', async () => {
    let w = await worker();
    const { id } = await startBackfill(ctx, {
      assets: ['raw', 'clean'],
      downstream: false,
      from: '2026-01-01',
      to: '2026-04-10',
      concurrency: 2,
    });
    for (const threshold of [30, 100]) {
      await waitForProgress(ctx, id, (p) => materialized(p) >= threshold);
      await w.kill9();
      w = await worker();
    }
    const done = (await h.client.workflow.getHandle(id).result()) as BackfillProgress;
    expect(done.status).toBe('succeeded');
    expect(done.assets.map((a) => [a.asset, a.counts.materialized])).toEqual([
      ['raw', 100],
      ['clean', 100],
    ]);
    const days = Array.from({ length: 100 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10));
    for (const asset of ['raw', 'clean']) await expectEachPartitionOnce(assetTable(ctx.warehouse, asset), days);
  });

  it('cancel stops running activities within the heartbeat timeout, keeps what committed, and a re-run finishes the rest', async () => {
    await worker();
    const range = { assets: ['raw', 'clean'], downstream: false, from: '2026-06-01', to: '2026-07-30', concurrency: 2 };
    const { id } = await startBackfill(ctx, range);
    await waitForProgress(ctx, id, (p) => materialized(p) >= 10);
    const asked = Date.now();
    await cancelBackfill(ctx, id);
    const result = await backfillOutcome(ctx, id);
    const tookMs = Date.now() - asked;
    expect(result.status).toBe('cancelled');
    expect(tookMs).toBeLessThan(10_000); // the batch activities' heartbeat timeout
    const versions = await Promise.all(
      ['raw', 'clean', 'rolling'].map(async (a) => (await loadSnapshot(assetTable(ctx.warehouse, a)))?.version),
    );
    await new Promise((r) => setTimeout(r, 3000));
    const later = await Promise.all(
      ['raw', 'clean', 'rolling'].map(async (a) => (await loadSnapshot(assetTable(ctx.warehouse, a)))?.version),
    );
    expect(later).toEqual(versions); // nothing kept running after the cancel
    const committedRaw = (await materializations(assetTable(ctx.warehouse, 'raw'))).filter((m) => m.partition! >= '2026-06-01');
    expect(committedRaw.length).toBeGreaterThanOrEqual(10);
    expect(committedRaw.length).toBeLessThan(60);

    const rerun = (await h.client.workflow.getHandle((await startBackfill(ctx, range)).id).result()) as BackfillProgress;
    expect(rerun.failures).toEqual([]);
    expect(rerun.status).toBe('succeeded');
    const raw = rerun.assets.find((a) => a.asset === 'raw')!.counts;
    expect(raw.skipped).toBe(committedRaw.length);
    expect(raw.materialized).toBe(60 - committedRaw.length);
    const all = (await materializations(assetTable(ctx.warehouse, 'raw'))).filter((m) => m.partition! >= '2026-06-01');
    expect(new Set(all.map((m) => m.partition)).size).toBe(60);
    expect(all).toHaveLength(60);
  });
});
