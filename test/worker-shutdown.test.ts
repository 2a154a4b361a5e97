// SIGTERM to a `freshet worker` mid-backfill: it stops polling, lets its running partitions finish
// within FRESHET_SHUTDOWN_GRACE and exits 0; a partition longer than the grace is cancelled and
// retried on the other worker. Either way every partition is in the Delta log exactly once.
import { temporal } from '@temporalio/proto';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backfillProgress, startBackfill, type ControlContext } from '../control/backfills.ts';
import type { AssetGraph } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { assetTable, materializations } from '../engine/index.ts';
import { openStore } from '../storage/index.ts';
import type { BackfillProgress } from '../contract/backfill.ts';
import { startHarness, testConfig, type Harness } from './harness.ts';
import { spawnWorker, type WorkerProcess } from './processes.ts';

const { default: project } = (await import('./fixtures/chain-project.ts')) as { default: AssetGraph };

let h: Harness;
let ctx: ControlContext;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  h = await startHarness(project, testConfig('shutdown', { project: path.resolve('test/fixtures/chain-project.ts') }), { worker: false });
  ctx = { client: h.client, taskQueue: h.config.taskQueue, graph: project, warehouse: openStore(h.config.warehouse) };
});
// each test's workers leave with it: a leftover one would take the next test's partitions
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
});
afterAll(async () => {
  await h?.stop();
});

async function worker(env: { slowMs: number; grace: string; deafMs?: number }): Promise<WorkerProcess> {
  const w = await spawnWorker({
    ...h.env,
    FRESHET_TEST_SLOW_MS: String(env.slowMs),
    FRESHET_TEST_DEAF_MS: String(env.deafMs ?? 0),
    FRESHET_SHUTDOWN_GRACE: env.grace,
    FRESHET_WORKER_ACTIVITIES: '2',
  });
  workers.push(w);
  return w;
}

const identityPid = (identity: string | null | undefined) => Number(identity?.split('@')[0]);

/** The backfill's partition activities as its history records them: the attempt that ended and the worker it ran on. */
async function partitionActivities(id: string) {
  const history = await h.client.workflow.getHandle(id).fetchHistory();
  const events = history.events ?? [];
  const type = new Map<string, string>();
  const started = new Map<string, temporal.api.history.v1.IHistoryEvent>();
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes)
      type.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
    if (e.activityTaskStartedEventAttributes) started.set(String(e.eventId), e);
  }
  return events
    .filter((e) => e.activityTaskCompletedEventAttributes)
    .map((e) => {
      const a = e.activityTaskCompletedEventAttributes!;
      const s = started.get(String(a.startedEventId))!.activityTaskStartedEventAttributes!;
      return {
        type: type.get(String(a.scheduledEventId)),
        attempt: s.attempt ?? 1,
        pid: identityPid(a.identity),
        completedAt: Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6),
      };
    })
    .filter((a) => a.type === 'materializePartitions');
}

async function waitFor(id: string, pred: (p: BackfillProgress) => boolean, timeoutMs = 120_000): Promise<BackfillProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await backfillProgress(ctx, id);
    if (pred(p)) return p;
    if (Date.now() > deadline) throw new Error(`timed out waiting; last progress ${JSON.stringify(p.assets)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The pid of a worker that started one of the backfill's partition activities less than `withinMs` ago (so it is mid-partition). */
async function busyWorker(id: string, withinMs = Infinity): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const d = await h.client.workflow.getHandle(id).describe();
    const startedMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
      Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
    const running = (d.raw.pendingActivities ?? []).find(
      (a) =>
        a.activityType?.name === 'materializePartitions' &&
        a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED &&
        a.lastWorkerIdentity &&
        Date.now() - startedMs(a.lastStartedTime) < withinMs,
    );
    if (running) return identityPid(running.lastWorkerIdentity);
    if (Date.now() > deadline) throw new Error('no running activity within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Each of `keys` committed once: one materialization and one live file each. */
async function expectExactlyOnce(asset: string, keys: string[]) {
  const table = assetTable(ctx.warehouse, asset);
  const list = (await materializations(table)).filter((m) => keys.includes(m.partition!));
  expect(list.map((m) => m.partition).sort()).toEqual(keys);
  const live = (await loadSnapshot(table))!.files.filter((f) => Object.values(f.partitionValues).some((v) => keys.includes(String(v))));
  expect(live).toHaveLength(keys.length);
}

const days = (month: string, n: number) => Array.from({ length: n }, (_, i) => `2026-${month}-${String(i + 1).padStart(2, '0')}`);

describe('SIGTERM to a worker', () => {
  it('lets its running partitions finish within the grace period, exits 0, and the other worker completes the backfill', async () => {
    const env = { slowMs: 3_000, grace: '20s' };
    const pair = [await worker(env), await worker(env)];
    const { id } = await startBackfill(ctx, { assets: ['raw'], downstream: false, from: '2026-02-01', to: '2026-02-12', concurrency: 4 });
    await waitFor(id, (p) => (p.assets[0]?.counts.materialized ?? 0) >= 2);
    // SIGTERM early in a partition: finishing it takes more than a second of the grace
    const busy = await busyWorker(id, 1_000);
    const stopping = pair.find((w) => w.pid === busy)!;
    const termAt = Date.now();
    const exit = await stopping.term();
    expect({ code: exit.code, signal: exit.signal }, stopping.output().slice(-2000)).toEqual({ code: 0, signal: null });
    // its running partitions (3 s each) finished, then it left: well inside the 20 s grace
    expect(exit.ms).toBeGreaterThan(1_000);
    expect(exit.ms).toBeLessThan(10_000);

    const done = (await h.client.workflow.getHandle(id).result()) as BackfillProgress;
    expect(done.status).toBe('succeeded');
    expect(done.assets[0].counts.materialized).toBe(12);
    await expectExactlyOnce('raw', days('02', 12));
    const acts = await partitionActivities(id);
    // nothing was cancelled and retried: every partition ran once, on its first attempt
    expect(acts.map((a) => a.attempt)).toEqual(acts.map(() => 1));
    // the stopped worker finished what it held after SIGTERM; the other did the rest
    expect(acts.filter((a) => a.pid === stopping.pid && a.completedAt >= termAt + 1_000).length).toBeGreaterThan(0);
    expect(acts.filter((a) => a.completedAt > termAt + exit.ms).every((a) => a.pid !== stopping.pid)).toBe(true);
    expect(new Set(acts.map((a) => a.pid))).toEqual(new Set(pair.map((w) => w.pid)));
  });

  it('hands back a partition longer than the grace period: cancelled, retried on the other worker, committed once', async () => {
    const env = { slowMs: 8_000, grace: '1s' };
    const pair = [await worker(env), await worker(env)];
    const { id } = await startBackfill(ctx, { assets: ['raw'], downstream: false, from: '2026-03-01', to: '2026-03-02', concurrency: 2 });
    const busy = await busyWorker(id);
    const stopping = pair.find((w) => w.pid === busy)!;
    const other = pair.find((w) => w !== stopping)!;
    await new Promise((r) => setTimeout(r, 500));
    const exit = await stopping.term();
    expect({ code: exit.code, signal: exit.signal }, stopping.output().slice(-2000)).toEqual({ code: 0, signal: null });
    // 1 s of grace, then the cancellation stops the partition: long before its 8 s were up
    expect(exit.ms).toBeGreaterThanOrEqual(1_000);
    expect(exit.ms).toBeLessThan(5_000);

    const done = (await h.client.workflow.getHandle(id).result()) as BackfillProgress;
    expect(done.status).toBe('succeeded');
    expect(done.failures).toEqual([]);
    await expectExactlyOnce('raw', days('03', 2));
    const acts = await partitionActivities(id);
    // the handed-back partition ran again on its second attempt, on the worker still up; the
    // stopped worker completed nothing (and its cancelled attempt committed nothing: one commit each above)
    expect(acts.filter((a) => a.attempt > 1).length).toBeGreaterThan(0);
    expect(acts.map((a) => a.pid)).toEqual(acts.map(() => other.pid));
  });

  it('gives up on a partition deaf to its cancellation 15 s after the grace: exits 1 instead of hanging', async () => {
    const w = await worker({ slowMs: 0, deafMs: 120_000, grace: '1s' });
    const { id } = await startBackfill(ctx, { assets: ['raw'], downstream: false, from: '2026-04-01', to: '2026-04-01', concurrency: 1 });
    try {
      expect(await busyWorker(id)).toBe(w.pid);
      const exit = await w.term();
      expect(exit.code, w.output().slice(-2000)).toBe(1);
      expect(w.output()).toMatch(/ignored their cancellation after the shutdown grace period/);
      // 1 s of grace, 15 s for the cancellation to take, then out: not the 120 s the partition would hold it
      expect(exit.ms).toBeGreaterThanOrEqual(15_000);
      expect(exit.ms).toBeLessThan(30_000);
    } finally {
      await h.client.workflow.getHandle(id).terminate('test over');
    }
  });
});
