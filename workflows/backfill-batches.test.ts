// Cutting ready batches to fill free slots: only when slots would stay idle, never below an
// asset's minBatch, never an asset without one, every key kept once and in order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fillSlots } from './backfill-batches.ts';
import type { Batch } from './backfill-readiness.ts';
import { backfillPlan, plannedAsset } from '../test/support/backfill-plan.ts';

const keys = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const withMin = (min: number | undefined) => ({ ...plannedAsset('a', 'p'.repeat(64)), ...(min !== undefined ? { minBatch: min } : {}) });

describe('fillSlots', () => {
  it('cuts the one ready batch of a chain tail into the free slots, never below minBatch', () => {
    const plan = backfillPlan(withMin(4));
    expect(fillSlots(plan, [{ asset: 0, keys: keys(0, 16) }], 8)).toEqual([0, 4, 8, 12].map((k) => ({ asset: 0, keys: keys(k, 4) })));
    expect(fillSlots(plan, [{ asset: 0, keys: keys(0, 16) }], 2)).toEqual([0, 8].map((k) => ({ asset: 0, keys: keys(k, 8) })));
    // an uneven share: the last cut holds the rest
    expect(fillSlots(plan, [{ asset: 0, keys: keys(0, 10) }], 2).map((b) => b.keys.length)).toEqual([5, 5]);
    expect(fillSlots(plan, [{ asset: 0, keys: keys(0, 11) }], 2).map((b) => b.keys.length)).toEqual([6, 5]);
    // never a piece below minBatch: 6 keys stay one batch, 9 become 5 + 4, not 4 + 4 + 1
    expect(fillSlots(plan, [{ asset: 0, keys: keys(0, 6) }], 8).map((b) => b.keys.length)).toEqual([6]);
    expect(fillSlots(plan, [{ asset: 0, keys: keys(0, 9) }], 8).map((b) => b.keys.length)).toEqual([5, 4]);
  });

  it('leaves batches whole when they fill the slots, or their asset has no minBatch (Spark, an older plan)', () => {
    const full = [0, 16, 32].map((k) => ({ asset: 0, keys: keys(k, 16) }));
    expect(fillSlots(backfillPlan(withMin(4)), full, 3)).toBe(full);
    expect(fillSlots(backfillPlan(withMin(4)), full, 2)).toBe(full);
    expect(fillSlots(backfillPlan(withMin(undefined)), [{ asset: 0, keys: keys(0, 32) }], 8)).toEqual([{ asset: 0, keys: keys(0, 32) }]);
    expect(fillSlots(backfillPlan(withMin(4)), [], 8)).toEqual([]);
  });

  it('keeps every key once, in order, within its asset; cuts only below the slots, into near-equal pieces of minBatch or more', () => {
    const input = fc.record({
      mins: fc.array(fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }), { minLength: 1, maxLength: 4 }),
      lengths: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 10 }),
      slots: fc.integer({ min: 1, max: 12 }),
    });
    fc.assert(
      fc.property(input, ({ mins, lengths, slots }) => {
        const plan = backfillPlan(...mins.map((m, i) => ({ ...withMin(m), asset: `a${i}` })));
        let next = 0;
        const batches: Batch[] = lengths.map((n, i) => ({ asset: i % mins.length, keys: keys((next += n) - n, n) }));
        const out = fillSlots(plan, batches, slots);
        expect(out.flatMap((b) => b.keys)).toEqual(batches.flatMap((b) => b.keys));
        if (batches.length >= slots) expect(out).toBe(batches);
        // each input batch becomes consecutive pieces of its own asset
        let at = 0;
        for (const b of batches) {
          const pieces: Batch[] = [];
          for (let n = 0; n < b.keys.length; at++) {
            pieces.push(out[at]);
            n += out[at].keys.length;
          }
          expect(pieces.every((p) => p.asset === b.asset)).toBe(true);
          const min = mins[b.asset];
          if (min === undefined) expect(pieces).toEqual([b]);
          if (pieces.length > 1) pieces.forEach((p) => expect(p.keys.length).toBeGreaterThanOrEqual(min!));
          const sizes = pieces.map((p) => p.keys.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          // no more pieces than an equal share of the ready keys makes
          const share = Math.ceil(batches.reduce((n, x) => n + x.keys.length, 0) / slots);
          expect(pieces.length).toBeLessThanOrEqual(Math.max(1, Math.ceil(b.keys.length / share)));
        }
        expect(at).toBe(out.length);
      }),
      { numRuns: 500 },
    );
  });
});
