// planBackfill's batch sizes: what one activity gets, and that a pooled batch never holds more slots than the pool.
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asset, dailyPartitions, definitions, source } from '../core/index.ts';
import { LocalStore } from '../storage/local.ts';
import { readyBatches } from '../test/support/ready-batches.ts';
import type { BackfillPlan } from '../contract/backfill.ts';
import { createBackfillActivities } from './backfill.ts';

const daily = dailyPartitions({ start: '2026-01-01' });
const graph = definitions({
  assets: [
    source({ name: 'wide', partitions: daily, sql: 'SELECT 1 AS x' }),
    asset({ name: 'pooled_small', deps: ['wide'], partitions: daily, concurrency: 3, sql: 'SELECT 1 AS x' }),
    asset({ name: 'pooled_big', deps: ['wide'], partitions: daily, concurrency: 40, sql: 'SELECT 1 AS x' }),
    asset({
      name: 'per_key',
      deps: ['wide'],
      partitions: daily,
      concurrency: 2,
      schema: { x: 'INTEGER' },
      transform: async function* () {
        yield [{ x: 1 }];
      },
    }),
    asset({ name: 'whole', deps: ['wide'], concurrency: 2, sql: 'SELECT 1 AS x' }),
  ],
});
const dir = mkdtempSync(path.join(tmpdir(), 'freshet-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function planned(rangeBatch?: number): Promise<BackfillPlan> {
  const { planBackfill } = createBackfillActivities({
    graph,
    warehouse: new LocalStore(dir),
    engine: rangeBatch ? { rangeBatch } : undefined,
  });
  // force: every task runs, so the plan reads no partition state from the (empty) warehouse
  return new MockActivityEnvironment().run(planBackfill, {
    assets: ['wide'],
    downstream: true,
    from: '2026-01-01',
    to: '2026-01-20',
    force: true,
  });
}

describe('planBackfill', () => {
  it.each([
    ['a range past the newest complete partition', { from: '2026-01-01', to: '9999-12-31' }],
    ['an unknown asset', { assets: ['nope'] }],
    ['a malformed key', { from: '2026-13-01', to: '2026-13-02' }],
  ])('fails %s at once, not after three attempts', async (_what, change) => {
    const { planBackfill } = createBackfillActivities({ graph, warehouse: new LocalStore(dir) });
    const request = { assets: ['wide'], downstream: false, from: '2026-01-01', to: '2026-01-02', ...change };
    const err = await new MockActivityEnvironment().run(planBackfill, request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('gives a range-batching asset the range batch, a pooled one at most its pool, a transform or unpartitioned asset 1', async () => {
    const plan = await planned();
    expect(plan.tasks).toBe(4 * 20 + 1);
    expect(plan.assets.map((a) => [a.asset, a.batchSize, a.pool, a.initial])).toEqual([
      ['wide', 16, undefined, 'p'.repeat(20)],
      ['pooled_small', 3, 3, 'p'.repeat(20)],
      ['pooled_big', 16, 40, 'p'.repeat(20)],
      ['per_key', 1, 2, 'p'.repeat(20)],
      ['whole', 1, 2, 'p'],
    ]);
    expect((await planned(8)).assets.map((a) => a.batchSize)).toEqual([8, 3, 8, 1, 1]);
  });

  it('the scheduler then cuts pooled assets into batches no bigger than their pool', async () => {
    const plan = await planned();
    const states = plan.assets.map((a, i) => [...(i === 0 ? 'm'.repeat(a.keys.length) : a.initial)]);
    const sizes = (asset: string) =>
      readyBatches(plan, states, [])
        .filter((b) => plan.assets[b.asset].asset === asset)
        .map((b) => b.keys.length);
    expect(sizes('pooled_small')).toEqual([3, 3, 3, 3, 3, 3, 2]);
    expect(sizes('pooled_big')).toEqual([16, 4]);
    expect(sizes('per_key')).toEqual(Array(20).fill(1));
    expect(sizes('whole')).toEqual([1]);
  });
});
