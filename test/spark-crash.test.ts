// A Spark asset's backfill when its worker dies (kill -9) or the backfill is cancelled while the
// Spark application runs: no orphaned application keeps computing, the retry on a new worker
// commits each partition exactly once, and a cancel ends the backfill `cancelled` with nothing
// committed. Workers run in child processes; each test starts as few Spark applications as it can.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillOutcome, cancelBackfill, startBackfill, type ControlContext } from '../control/backfills.ts';
import type { BackfillProgress } from '../contract/backfill.ts';
import { keysBetween, shiftKey, type AssetGraph, type TimePartitions } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { assetTable, materializations } from '../engine/index.ts';
import { txnAppId } from '../engine/commit.ts';
import { sparkSettings } from '../engine/spark/settings.ts';
import { openStore } from '../storage/index.ts';
import project, { SPARK_ASSET } from './fixtures/spark-crash-project.ts';
import { startHarness, testConfig, type Harness } from './harness.ts';
import { spawnWorker, type WorkerProcess } from './processes.ts';
import { expectEachPartitionOnce } from './support/backfill-checks.ts';
import { sparkApplication, untilPythonDriver, untilSparkGone } from './support/spark-processes.ts';

const graph: AssetGraph = project;

let h: Harness;
let ctx: ControlContext;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  // A test that needs Spark fails, with how to get it, when it is not installed.
  sparkSettings(undefined);
  // No in-process worker: the workers here are separate processes that the test kills.
  h = await startHarness(graph, testConfig('spark-crash', { project: path.resolve('test/fixtures/spark-crash-project.ts') }), {
    worker: false,
  });
  ctx = { client: h.client, taskQueue: h.config.taskQueue, graph, warehouse: openStore(h.config.warehouse) };
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await h?.stop();
});

async function worker(): Promise<WorkerProcess> {
  const w = await spawnWorker(h.env);
  workers.push(w);
  return w;
}

/** Backfills the source and the Spark asset over `from` and the day after. */
async function backfillTwoDays(from: string): Promise<{ id: string; days: string[] }> {
  const def = graph.get(SPARK_ASSET).partitions as TimePartitions;
  const days = keysBetween(def, from, shiftKey(def, from, 1));
  const { id } = await startBackfill(ctx, { assets: ['raw', SPARK_ASSET], downstream: false, from: days[0], to: days[1], concurrency: 2 });
  return { id, days };
}

describe('Spark assets and dying workers', { timeout: 600_000 }, () => {
  it('kill -9 of the worker while its Spark job runs: the orphaned application stops, and a new worker commits each partition exactly once', async () => {
    const first = await worker();
    const { id, days } = await backfillTwoDays('2026-01-01');
    const app = await untilPythonDriver(SPARK_ASSET);
    // the application runs under the worker being killed, not some other one
    const launcher = app.find((p) => p.pid === p.pgid)!;
    expect(launcher.ppid).toBe(first.pid);
    const table = assetTable(ctx.warehouse, SPARK_ASSET);
    await first.kill9();
    const killedAt = Date.now();
    const committedBeforeKill = await loadSnapshot(table);

    // No worker runs now: only the driver's own watch of its parent can stop the orphan.
    await untilSparkGone(SPARK_ASSET, 30_000);
    const stoppedMs = Date.now() - killedAt;
    expect(stoppedMs).toBeLessThan(30_000);
    // and it committed nothing after its worker died
    expect((await loadSnapshot(table))?.version).toBe(committedBeforeKill?.version);

    await worker();
    const done = (await h.client.workflow.getHandle(id).result()) as BackfillProgress;
    expect(done.failures).toEqual([]);
    expect(done.status).toBe('succeeded');
    expect(done.assets.map((a) => [a.asset, a.counts.materialized])).toEqual([
      ['raw', 2],
      [SPARK_ASSET, 2],
    ]);

    await expectEachPartitionOnce(table, days, 'day');
    const list = await materializations(table);
    // the kill came before any commit (the driver had just started): every commit is the retry's
    expect(committedBeforeKill).toBeUndefined();
    expect(list.map((m) => [m.partition, m.mode, m.rows, m.run?.workflowId, m.run?.trigger])).toEqual(
      days.map((d) => [d, 'spark', 20, id, 'backfill']),
    );
    for (const m of list) expect(m.run!.attempt).toBeGreaterThan(1);
    // Spark's writer recorded the backfill's txn for each partition: a further retry writes nothing
    const snapshot = (await loadSnapshot(table))!;
    const txns = days.map((d) => snapshot.txns.get(txnAppId(SPARK_ASSET, d)));
    expect(txns[0]).toBeGreaterThan(0);
    expect(txns).toEqual([txns[0], txns[0]]);
  });

  it('cancelling a backfill while Spark runs stops the application within seconds, ends it cancelled, and commits nothing', async () => {
    if (workers.every((w) => w.child.exitCode !== null)) await worker();
    const table = assetTable(ctx.warehouse, SPARK_ASSET);
    const before = await materializations(table);
    const { id } = await backfillTwoDays('2026-02-01');
    await untilPythonDriver(SPARK_ASSET);
    const version = (await loadSnapshot(table))?.version;
    const asked = Date.now();
    await cancelBackfill(ctx, id);
    await untilSparkGone(SPARK_ASSET, 15_000);
    expect(Date.now() - asked).toBeLessThan(15_000);

    const outcome = await backfillOutcome(ctx, id);
    expect(outcome.status).toBe('cancelled');
    expect((await h.client.workflow.getHandle(id).describe()).status.name).toBe('CANCELLED');
    const spark = outcome.assets.find((a) => a.asset === SPARK_ASSET)!.counts;
    expect(spark).toMatchObject({ materialized: 0, cancelled: 2, running: 0, pending: 0 });
    // nothing committed for the cancelled partitions, then or later
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await loadSnapshot(table))?.version).toBe(version);
    expect(await materializations(table)).toEqual(before);
    expect(sparkApplication(SPARK_ASSET)).toEqual([]);
  });
});
