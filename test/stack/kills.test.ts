// Kill each part of the production-shaped stack (test/stack/global-setup.ts) in the middle of a
// backfill into the MinIO warehouse with the stack's two workers, bring it back with `stackUp`
// (which must restart only what is down), and check the backfill completes with every partition
// in the Delta log exactly once and the data equal to a reference computed apart in DuckDB.
// Each case backfills its own asset (test/fixtures/kill-assets.ts), so none sees another's commits.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client } from '@temporalio/client';
// the default import: Node's ESM loader finds no named exports in this CommonJS package
import proto from '@temporalio/proto';
import { startBackfill, type ControlContext } from '../../control/backfills.ts';
import type { BackfillProgress } from '../../contract/backfill.ts';
import { loadSnapshot, readRows } from '../../delta/index.ts';
import { withDuck } from '../../delta/duck.ts';
import { assetTable } from '../../engine/index.ts';
import { connectClient, loadConfig, openWarehouse } from '../../runtime/index.ts';
import { isAlive, sleep } from '../../services/detached.ts';
import { stopPostgres } from '../../services/postgres.ts';
import { readStackState, stackEnv, stackStatus, stackUp, type StackState } from '../../services/stack.ts';
import { KILL_LAST, KILL_ROWS, KILL_START } from '../fixtures/kill-assets.ts';
import project from '../fixtures/stack-project.ts';
import { expectEachPartitionOnce } from '../support/backfill-checks.ts';

const { PENDING_ACTIVITY_STATE_STARTED } = proto.temporal.api.enums.v1.PendingActivityState;

const dir = inject('stackDir');
let state: StackState;
let client: Client;
let ctx: ControlContext;

beforeAll(async () => {
  state = readStackState(dir)!;
  const config = loadConfig(stackEnv(state));
  client = await connectClient(config);
  ctx = { client, taskQueue: config.taskQueue, graph: project, warehouse: openWarehouse(config) };
});
afterAll(async () => {
  await client?.connection.close();
});

const DAY_MS = 86_400_000;
const addDays = (day: string, i: number) => new Date(Date.parse(`${day}T00:00:00Z`) + i * DAY_MS).toISOString().slice(0, 10);
const days = (from: string, n: number) => Array.from({ length: n }, (_, i) => addDays(from, i));
const table = (asset: string) => assetTable(ctx.warehouse, asset);

/** The first of `n` days the asset does not have: a stack kept from an earlier run (FRESHET_TEST_KEEP_STACK) has some. */
async function freshStart(asset: string, n: number): Promise<string> {
  const snap = await loadSnapshot(table(asset));
  const have = (snap?.files ?? []).map((f) => String(f.partitionValues.day)).sort();
  return addDays(have.length ? addDays(have[0], -1) : KILL_LAST, 1 - n);
}

interface Case {
  asset: string;
  from: string;
  n: number;
}

/** Partitions of the case committed so far, read from the Delta table (works while Temporal is down). */
async function committed(c: Case): Promise<number> {
  const keys = new Set(days(c.from, c.n));
  return ((await loadSnapshot(table(c.asset)))?.files ?? []).filter((f) => keys.has(String(f.partitionValues.day))).length;
}

async function waitCommitted(c: Case, atLeast: number, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await committed(c);
    if (n >= atLeast) return n;
    if (Date.now() > deadline) throw new Error(`${c.asset}: only ${n} partitions committed after ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

const pids = (s: StackState) => Object.fromEntries(Object.entries(s.processes).map(([name, p]) => [name, p.pid]));

/** Brings the stack back with stackUp; returns the names of the processes it (re)started. */
async function restartStack(): Promise<string[]> {
  const before = pids(readStackState(dir)!);
  state = await stackUp({ dir, log: (m) => console.log(`[stack] ${m}`) });
  const after = pids(state);
  return Object.keys(after)
    .filter((name) => after[name] !== before[name])
    .sort();
}

async function expectStackUp(): Promise<void> {
  const { entries } = await stackStatus(dir);
  expect(entries.filter((e) => !e.alive || e.answers === false).map((e) => e.name)).toEqual([]);
}

async function result(id: string): Promise<BackfillProgress> {
  return (await client.workflow.getHandle(id).result()) as BackfillProgress;
}

/** The backfill completed, wrote each of its partitions once, and its data equals the DuckDB reference. */
async function expectExactlyOnce({ asset, from, n }: Case, done: BackfillProgress): Promise<void> {
  expect(done.failures).toEqual([]);
  expect(done.status).toBe('succeeded');
  expect(done.assets.map((a) => [a.asset, a.counts.materialized])).toEqual([[asset, n]]);
  const keys = days(from, n);
  await expectEachPartitionOnce(table(asset), keys, 'day');
  const snap = (await loadSnapshot(table(asset)))!;
  const ours = snap.files.filter((f) => keys.includes(String(f.partitionValues.day)));
  const actual = (await readRows(table(asset), snap, ours)).map((r) => `${String(r.day).slice(0, 10)}|${r.id}|${r.value}`).sort();
  // The same rows as the fixture's JS, written independently in SQL.
  const expected = await withDuck(async (c) =>
    (
      await c.runAndReadAll(`
        SELECT strftime(d::DATE, '%Y-%m-%d') || '|' || i || '|' || ((date_diff('day', DATE '${KILL_START}', d::DATE) * 37 + i * 11) % 1000) AS line
        FROM range(TIMESTAMP '${from}', TIMESTAMP '${from}' + INTERVAL ${n} DAY, INTERVAL 1 DAY) t(d), range(${KILL_ROWS}) r(i)`)
    )
      .getRowObjectsJS()
      .map((r) => String(r.line))
      .sort(),
  );
  expect(actual).toHaveLength(n * KILL_ROWS);
  expect(actual).toEqual(expected);
}

/** Starts a backfill of `n` days of `asset` that it does not have yet, over both workers. */
async function backfill(asset: string, n: number): Promise<{ c: Case; id: string }> {
  const c = { asset, from: await freshStart(asset, n), n };
  const { id } = await startBackfill(ctx, { assets: [asset], downstream: false, from: c.from, to: addDays(c.from, n - 1), concurrency: 8 });
  return { c, id };
}

describe('killing each part of the stack mid-backfill', () => {
  it('kill -9 of the Temporal server: stackUp restarts only it, the workers carry on, the backfill completes exactly once', async () => {
    const { c, id } = await backfill('kill_temporal', 200);
    await waitCommitted(c, 30);
    const workers = [state.processes['worker-1'].pid, state.processes['worker-2'].pid];
    process.kill(state.processes.temporal.pid, 'SIGKILL');
    const atKill = await committed(c);
    expect(atKill).toBeLessThan(c.n);
    await sleep(3000);
    expect(await restartStack()).toEqual(['temporal']);
    const done = await result(id);
    await expectExactlyOnce(c, done);
    // The workers outlived the server's absence: the same processes finished the backfill.
    for (const pid of workers) expect(isAlive(pid)).toBe(true);
    await expectStackUp();
  }, 240_000);

  it('kill -9 of one worker: the other finishes its share, both did work, and the backfill completes exactly once', async () => {
    const { c, id } = await backfill('kill_worker', 80);
    await waitCommitted(c, 20);
    const [killed, survivor] = [state.processes['worker-1'].pid, state.processes['worker-2'].pid];
    process.kill(killed, 'SIGKILL');
    const killedAt = Date.now();
    expect(await committed(c)).toBeLessThan(c.n);
    const done = await result(id);
    await expectExactlyOnce(c, done);

    // Who did the work, from the workflow history: each completed materializePartitions
    // activity records the identity (`pid@host`) of the worker that ran it.
    const history = await client.workflow.getHandle(id).fetchHistory();
    const completions = (history.events ?? []).flatMap((e) => {
      const a = e.activityTaskCompletedEventAttributes;
      return a ? [{ pid: Number(String(a.identity).split('@')[0]), at: Number(e.eventTime!.seconds) * 1000 }] : [];
    });
    const byPid = (pid: number) => completions.filter((c) => c.pid === pid);
    expect(byPid(killed).length).toBeGreaterThan(0);
    expect(byPid(survivor).length).toBeGreaterThan(0);
    // After the kill (with a second of slack for the event clock), only the survivor finished work.
    expect(completions.filter((c) => c.at > killedAt + 1000 && c.pid !== survivor)).toEqual([]);
    expect(byPid(killed).length + byPid(survivor).length).toBe(completions.length);

    expect(await restartStack()).toEqual(['worker-1']);
    await expectStackUp();
  }, 240_000);

  it('PostgreSQL stopped with pg_ctl -m immediate: Temporal recovers once it is back, the backfill completes exactly once', async () => {
    const { c, id } = await backfill('kill_postgres', 80);
    await waitCommitted(c, 20);
    const temporal = state.processes.temporal.pid;
    await stopPostgres(path.join(dir, 'pg'), 'immediate');
    expect(await committed(c)).toBeLessThan(c.n);
    await sleep(5000);
    expect(await restartStack()).toEqual(['postgres']);
    const done = await result(id);
    await expectExactlyOnce(c, done);
    expect(isAlive(temporal)).toBe(true);
    await expectStackUp();
  }, 240_000);

  it('kill -9 of MinIO while commits are in flight: retries complete the backfill, no commit lost or doubled', async () => {
    const { c, id } = await backfill('kill_minio', 80);
    await waitCommitted(c, 20);
    expect(await committed(c)).toBeLessThan(c.n);
    // The kill hits work in flight: activities the backfill's workflow has started and not finished.
    const pending = (await client.workflow.getHandle(id).describe()).raw.pendingActivities ?? [];
    process.kill(state.processes.minio.pid, 'SIGKILL');
    const killedAt = Date.now();
    await sleep(3000);
    expect(await restartStack()).toEqual(['minio']);
    const backAt = Date.now();
    console.log(`MinIO was away ${((backAt - killedAt) / 1000).toFixed(1)} s`);
    const done = await result(id);
    await expectExactlyOnce(c, done);
    expect(pending.filter((p) => p.state === PENDING_ACTIVITY_STATE_STARTED).length).toBeGreaterThan(0);
    await expectStackUp();
  }, 240_000);
});
