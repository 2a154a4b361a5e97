import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baseOfQueue, QUEUE_KINDS, queueName } from '../contract/queues.ts';
import { describeServed, scheduledReserve, servedQueues } from './worker-queues.ts';

describe('the queues a worker serves', () => {
  it('by default polls both queues, keeping a quarter of the slots (at least one) from backfills', () => {
    expect(servedQueues('freshet', ['scheduled', 'backfill'], 4)).toEqual([
      { kind: 'scheduled', taskQueue: 'freshet', slots: 4 },
      { kind: 'backfill', taskQueue: 'freshet-backfill', slots: 3 },
    ]);
    expect(servedQueues('f', ['scheduled', 'backfill'], 10).map((q) => q.slots)).toEqual([10, 8]);
    expect(servedQueues('f', ['scheduled', 'backfill'], 1).map((q) => q.slots)).toEqual([1, 1]);
    expect(describeServed(servedQueues('freshet', ['scheduled', 'backfill'], 4))).toBe(
      "'freshet' (scheduled, 4 slots), 'freshet-backfill' (backfill, 3 slots)",
    );
  });

  it('gives a worker serving one queue all its slots', () => {
    expect(servedQueues('f', ['backfill'], 5)).toEqual([{ kind: 'backfill', taskQueue: 'f-backfill', slots: 5 }]);
    expect(servedQueues('f', ['scheduled'], 5)).toEqual([{ kind: 'scheduled', taskQueue: 'f', slots: 5 }]);
  });

  it('for any slot count: backfills get at least one slot, and from two slots up leave at least one for scheduled runs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => {
        const [scheduled, backfill] = servedQueues('q', ['scheduled', 'backfill'], n);
        expect(scheduled.slots).toBe(n);
        expect(backfill.slots).toBeGreaterThanOrEqual(1);
        if (n >= 2) expect(n - backfill.slots).toBe(scheduledReserve(n));
        expect(scheduledReserve(n)).toBeGreaterThanOrEqual(1);
        expect(scheduledReserve(n)).toBeLessThanOrEqual(Math.max(1, n / 4));
      }),
    );
  });

  it('for any base name: both queues map back to it, and the two names differ', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !s.endsWith('-backfill')),
        (base) => {
          const names = QUEUE_KINDS.map((k) => queueName(base, k));
          expect(new Set(names).size).toBe(2);
          for (const n of names) expect(baseOfQueue(n)).toBe(base);
        },
      ),
    );
  });
});
