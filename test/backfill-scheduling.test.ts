// The real backfill workflow on the real dev server, with stub activities: a hand-made plan, and a
// materializePartitions that records every call and fails the partitions a test names. What is
// tested is the workflow's scheduling: dependency order, its concurrency bound, per-partition
// failures, cancel, and continue-as-new.
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {
  BackfillInput,
  BackfillPlan,
  BackfillProgress,
  BackfillRequest,
  BackfillWorkflow,
  BatchFailureDetails,
  BatchInput,
} from '../contract/backfill.ts';
import { partitionsQuery, progressQuery } from '../contract/signals.ts';
import { WORKFLOW_TYPES } from '../contract/workflows.ts';
import { installRuntime } from '../runtime/index.ts';
import { allKeys, backfillPlan, lastKeys, plannedAsset, sameKey, upstreamOf } from './support/backfill-plan.ts';

interface Call {
  asset: string;
  partitions: string[];
  txnVersion: number;
  outcome?: 'ok' | 'failed' | 'cancelled';
}

/** One backfill's stub world, found by workflow id (it survives continue-as-new). */
interface Scenario {
  plan: BackfillPlan;
  /** `${asset}/${key}` that fail whenever they run */
  fail: Set<string>;
  /** `${asset}/${key}` that run until cancelled */
  block: Set<string>;
  delayMs: number;
  calls: Call[];
  /** `${asset}/${key}` whose activity has returned it done */
  completed: Set<string>;
  /** a batch that started before the upstream keys it reads completed */
  violations: string[];
  inFlight: number;
  maxInFlight: number;
}

const scenarios = new Map<string, Scenario>();
const id = (asset: string, key: string) => `${asset}/${key}`;

const activities = {
  async planBackfill(): Promise<BackfillPlan> {
    return scenario().plan;
  },

  async materializePartitions(input: BatchInput): Promise<string[]> {
    const s = scenario();
    const ctx = Context.current();
    const call: Call = { asset: input.asset, partitions: input.partitions, txnVersion: input.txnVersion };
    s.calls.push(call);
    const i = s.plan.assets.findIndex((a) => a.asset === input.asset);
    for (const key of input.partitions) {
      const k = s.plan.assets[i].keys.indexOf(key);
      for (const [u, j] of upstreamOf(s.plan, i, k)) {
        const up = s.plan.assets[u];
        if (up.initial[j] !== 's' && !s.completed.has(id(up.asset, up.keys[j])))
          s.violations.push(`${id(input.asset, key)} started before ${id(up.asset, up.keys[j])}`);
      }
    }
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    const done: string[] = [];
    try {
      for (const key of input.partitions) {
        if (s.block.has(id(input.asset, key)))
          for (;;) {
            ctx.heartbeat();
            await ctx.sleep(50);
          }
        await ctx.sleep(s.delayMs);
        if (s.fail.has(id(input.asset, key))) {
          const details: BatchFailureDetails = { done, error: `bad ${id(input.asset, key)}` };
          throw ApplicationFailure.create({ message: details.error, nonRetryable: true, details: [details] });
        }
        done.push(key);
      }
      call.outcome = 'ok';
      return done;
    } catch (err) {
      call.outcome = err instanceof CancelledFailure ? 'cancelled' : 'failed';
      throw err;
    } finally {
      for (const key of done) s.completed.add(id(input.asset, key));
      s.inFlight--;
    }
  },
};

function scenario(): Scenario {
  const wf = Context.current().info.workflowExecution?.workflowId ?? '';
  const s = scenarios.get(wf);
  if (!s) throw ApplicationFailure.nonRetryable(`no stub scenario for workflow ${wf}`);
  return s;
}

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `test-backfill-scheduling-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  installRuntime('ERROR');
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities,
    // as the freshet worker: a cancel reaches a heartbeating activity within a second
    maxHeartbeatThrottleInterval: '1 second',
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

async function start(name: string, plan: BackfillPlan, opts: Partial<Scenario> & { concurrency?: number; maxHistoryEvents?: number } = {}) {
  const workflowId = `sched-${name}-${process.pid}-${Date.now()}`;
  const s: Scenario = {
    plan,
    fail: new Set(),
    block: new Set(),
    delayMs: 20,
    calls: [],
    completed: new Set(),
    violations: [],
    inFlight: 0,
    maxInFlight: 0,
    ...opts,
  };
  scenarios.set(workflowId, s);
  const request: BackfillRequest = { assets: [plan.assets[0].asset], downstream: true, concurrency: opts.concurrency };
  const input: BackfillInput = { request, maxHistoryEvents: opts.maxHistoryEvents };
  // with the memo control/backfills.ts starts a backfill with
  const handle = await env.client.workflow.start<BackfillWorkflow>(WORKFLOW_TYPES.backfill, {
    taskQueue,
    workflowId,
    args: [input],
    memo: { request },
  });
  return { s, handle, result: () => handle.result() };
}

const keysCalled = (s: Scenario, asset: string) => s.calls.filter((c) => c.asset === asset).flatMap((c) => c.partitions);
const counts = (p: BackfillProgress) =>
  Object.fromEntries(p.assets.map((a) => [a.asset, Object.fromEntries(Object.entries(a.counts).filter(([, n]) => n > 0))]));

describe('backfill scheduling (stub activities)', () => {
  it('runs every task once, never a downstream batch before the upstream keys it reads, never more than `concurrency` at once', async () => {
    const n = 12;
    const plan = backfillPlan(
      plannedAsset('raw', 'ppsspppppppp', [], 2),
      plannedAsset('clean', 'p'.repeat(n), [sameKey(0, n)], 1),
      plannedAsset('rolling', 'p'.repeat(n), [lastKeys(1, n, 3)], 4),
      plannedAsset('summary', 'p', [allKeys(2, 1, n)], 1, ['']),
    );
    const { s, result } = await start('order', plan, { concurrency: 3 });
    const done = await result();

    expect(done.status).toBe('succeeded');
    expect(counts(done)).toEqual({
      raw: { materialized: 10, skipped: 2 },
      clean: { materialized: 12 },
      rolling: { materialized: 12 },
      summary: { materialized: 1 },
    });
    expect(s.violations).toEqual([]);
    expect(s.maxInFlight).toBe(3);
    for (const a of plan.assets) {
      // each key to run exactly once, skipped keys never
      expect(keysCalled(s, a.asset).sort()).toEqual(a.keys.filter((_, k) => a.initial[k] === 'p').sort());
      for (const c of s.calls.filter((x) => x.asset === a.asset)) {
        expect(c.partitions.length).toBeLessThanOrEqual(a.batchSize);
        const idx = c.partitions.map((p) => a.keys.indexOf(p));
        idx.forEach((k, j) => {
          if (j > 0) expect(k).toBe(idx[j - 1] + 1);
        });
      }
    }
    // the summary reads all of rolling: it is the last call
    expect(s.calls.at(-1)!.asset).toBe('summary');
    // batching: raw's runs are cut by the skipped keys
    expect(
      s.calls
        .filter((c) => c.asset === 'raw')
        .map((c) => c.partitions.join(' '))
        .sort(),
    ).toEqual(['k0 k1', 'k10 k11', 'k4 k5', 'k6 k7', 'k8 k9']);
  });

  it('cuts a batch to fill idle slots, never below minBatch; an asset without minBatch runs whole', async () => {
    const cut = (asset: string, initial: string, deps: Parameters<typeof plannedAsset>[2] = []) => ({
      ...plannedAsset(asset, initial, deps, 16),
      minBatch: 4,
    });
    // 16 ready keys and 4 slots: four batches of 4 at once, not one of 16 and three idle slots
    const chain = backfillPlan(cut('raw', 'p'.repeat(16)), cut('clean', 'p'.repeat(16), [sameKey(0, 16)]));
    const { s, result } = await start('cut', chain, { concurrency: 4, delayMs: 50 });
    expect((await result()).status).toBe('succeeded');
    expect(s.violations).toEqual([]);
    expect(s.maxInFlight).toBe(4);
    const raw = s.calls.filter((c) => c.asset === 'raw').map((c) => c.partitions.join(' '));
    expect(raw.sort()).toEqual(['k0 k1 k2 k3', 'k12 k13 k14 k15', 'k4 k5 k6 k7', 'k8 k9 k10 k11']);
    for (const a of chain.assets) expect(keysCalled(s, a.asset).sort()).toEqual([...a.keys].sort());

    // a Spark asset's batch is one application: whole, whatever the idle slots
    const spark = backfillPlan(plannedAsset('spark', 'p'.repeat(16), [], 16));
    const whole = await start('whole', spark, { concurrency: 4 });
    expect((await whole.result()).status).toBe('succeeded');
    expect(whole.s.calls.map((c) => c.partitions.length)).toEqual([16]);
  });

  it('ends when its last running task fails and only what reads it was left pending', async () => {
    // The last completion is a failure: nothing else runs to wake the workflow once it has
    // marked the downstream tasks failed, so it must see that it is finished by itself.
    const plan = backfillPlan(
      plannedAsset('raw', 'p'),
      plannedAsset('clean', 'pp', [allKeys(0, 2, 1)]),
      plannedAsset('top', 'p', [allKeys(1, 1, 2)]),
    );
    const { result } = await start('last-fails', plan, { concurrency: 1, fail: new Set(['raw/k0']) });
    const done = await Promise.race([result(), new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 15_000))]);
    expect(done === 'stuck' ? done : done.status).toBe('failed');
    expect(done === 'stuck' ? [] : counts(done)).toEqual({ raw: { failed: 1 }, clean: { failed: 2 }, top: { failed: 1 } });
  });

  it('reports failures per partition: a failed batch re-runs its rest one by one, and what reads a failure is not run', async () => {
    const n = 6;
    const plan = backfillPlan(
      plannedAsset('raw', 'p'.repeat(n), [], 3),
      plannedAsset('clean', 'p'.repeat(n), [sameKey(0, n)], 1),
      plannedAsset('rolling', 'p'.repeat(n), [lastKeys(1, n, 2)], 2),
    );
    const { s, handle, result } = await start('failures', plan, { concurrency: 2, fail: new Set(['raw/k1', 'clean/k4']) });
    const done = await result();

    expect(done.status).toBe('failed');
    const notRun = (up: string) => `not run: upstream '${up}' failed or was cancelled in this backfill`;
    expect(done.failures.map((f) => [f.asset, f.partition, f.error]).sort()).toEqual([
      ['clean', 'k1', notRun('raw')],
      ['clean', 'k4', 'bad clean/k4'],
      ['raw', 'k1', 'bad raw/k1'],
      // rolling k reads clean k-1 … k
      ['rolling', 'k1', notRun('clean')],
      ['rolling', 'k2', notRun('clean')],
      ['rolling', 'k4', notRun('clean')],
      ['rolling', 'k5', notRun('clean')],
    ]);
    const states = async (asset: string) => (await handle.query(partitionsQuery, asset)).states;
    expect(await states('raw')).toEqual(['materialized', 'failed', 'materialized', 'materialized', 'materialized', 'materialized']);
    expect(await states('clean')).toEqual(['materialized', 'failed', 'materialized', 'materialized', 'failed', 'materialized']);
    expect(await states('rolling')).toEqual(['materialized', 'failed', 'failed', 'materialized', 'failed', 'failed']);
    // raw [k0 k1 k2] failed at k1 with k0 done: k0 is kept, k1 and k2 are then run alone (k1 to get its own error)
    const raw = s.calls.filter((c) => c.asset === 'raw').map((c) => [c.partitions.join(' '), c.outcome]);
    expect([...raw].sort()).toEqual([
      ['k0 k1 k2', 'failed'],
      ['k1', 'failed'],
      ['k2', 'ok'],
      ['k3 k4 k5', 'ok'],
    ]);
    const at = (partitions: string) => raw.findIndex(([p]) => p === partitions);
    expect(at('k1')).toBeGreaterThan(at('k0 k1 k2'));
    expect(at('k2')).toBeGreaterThan(at('k0 k1 k2'));
    expect(keysCalled(s, 'clean').sort()).toEqual(['k0', 'k2', 'k3', 'k4', 'k5']);
    expect(keysCalled(s, 'rolling').sort()).toEqual(['k0', 'k3']);
    expect(s.violations).toEqual([]);
  });

  it('cancel stops the running batches and cancels everything pending; what finished stays materialized; the workflow ends CANCELLED', async () => {
    const n = 20;
    const plan = backfillPlan(plannedAsset('raw', 'p'.repeat(n), [], 1), plannedAsset('clean', 'p'.repeat(n), [sameKey(0, n)], 1));
    const block = new Set(plan.assets.flatMap((a) => a.keys.map((k) => id(a.asset, k))).filter((x) => x !== 'raw/k0'));
    const { s, handle, result } = await start('cancel', plan, { concurrency: 2, block });
    const deadline = Date.now() + 30_000;
    while (s.calls.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // raw k0 finished; k1 and k2 now hold both slots until cancelled
    await new Promise((r) => setTimeout(r, 300));
    const outcomes = () => s.calls.map((c) => `${c.asset}/${c.partitions.join(' ')} ${c.outcome ?? 'running'}`).sort();
    expect(outcomes()).toEqual(['raw/k0 ok', 'raw/k1 running', 'raw/k2 running']);

    await handle.cancel();
    await expect(result()).rejects.toThrow(/cancel/i);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const done = await handle.query(progressQuery);
    expect(done.status).toBe('cancelled');
    expect(done.endedAt).toBeGreaterThanOrEqual(done.startedAt);
    expect(counts(done)).toEqual({ raw: { materialized: 1, cancelled: 19 }, clean: { cancelled: 20 } });
    expect(outcomes()).toEqual(['raw/k0 ok', 'raw/k1 cancelled', 'raw/k2 cancelled']);
    expect(s.inFlight).toBe(0);
    expect(done.failures).toEqual([]);
    // nothing pending was started afterwards
    await new Promise((r) => setTimeout(r, 500));
    expect(s.calls).toHaveLength(3);
  });

  it('continues as new when its history grows, carrying states, failures, txn version and start time across runs', async () => {
    const n = 10;
    const plan = backfillPlan(plannedAsset('raw', 'ppppsppspp', [], 2), plannedAsset('clean', 'p'.repeat(n), [sameKey(0, n)], 1));
    const t0 = Date.now();
    const { s, handle, result } = await start('continue', plan, {
      concurrency: 2,
      maxHistoryEvents: 40,
      fail: new Set(['raw/k0', 'clean/k9']),
    });
    const done = await result();

    const first = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    const last = await env.client.workflow.getHandle(handle.workflowId).describe();
    expect(last.runId).not.toBe(handle.firstExecutionRunId);
    // the last run kept the request the list shows (the server starts a new run with no memo), and says how it ended
    expect(last.memo).toMatchObject({ request: { assets: ['raw'] }, status: 'failed', counts: { failed: 3, total: 20, left: 0 } });
    // started in the first run, carried (a fresh start would be after the first run closed)
    expect(done.startedAt).toBeGreaterThanOrEqual(t0 - 5_000);
    expect(done.startedAt).toBeLessThanOrEqual(first.closeTime!.getTime());

    expect(done.status).toBe('failed');
    expect(counts(done)).toEqual({ raw: { materialized: 7, skipped: 2, failed: 1 }, clean: { materialized: 8, failed: 2 } });
    expect(done.failures.map((f) => [f.asset, f.partition, f.error]).sort()).toEqual([
      ['clean', 'k0', "not run: upstream 'raw' failed or was cancelled in this backfill"],
      ['clean', 'k9', 'bad clean/k9'],
      ['raw', 'k0', 'bad raw/k0'],
    ]);
    // nothing re-run across runs: each clean key once; raw's batch [k0 k1] failed at k0, so k0 and k1 ran twice
    expect(keysCalled(s, 'clean').sort()).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
    expect(keysCalled(s, 'raw').sort()).toEqual(['k0', 'k0', 'k1', 'k1', 'k2', 'k3', 'k5', 'k6', 'k8', 'k9']);
    expect(new Set(s.calls.map((c) => c.txnVersion)).size).toBe(1);
    expect(s.violations).toEqual([]);
  });
});
