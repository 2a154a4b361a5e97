// Plan ranges cross Temporal as runs: decoding must give back exactly the array, and a run list
// that does not add up to the plan's keys must be refused, not read as a shorter plan.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRuns, toRuns } from './int-runs.ts';

const arbRanges = fc.oneof(
  fc.array(fc.integer({ min: -5, max: 50_000 }), { maxLength: 200 }),
  // window ranges as the planner makes them: lo clipped at 0, hi = k, with gaps
  fc
    .tuple(fc.nat({ max: 300 }), fc.integer({ min: 1, max: 40 }), fc.nat({ max: 5 }))
    .map(([n, w, shift]) => Array.from({ length: n }, (_, k) => Math.max(0, k - w + 1 + shift))),
);

describe('index runs', () => {
  it('decode to the array they encode', () => {
    fc.assert(
      fc.property(arbRanges, (xs) => {
        expect([...fromRuns(toRuns(xs), xs.length)]).toEqual(xs);
      }),
    );
  });

  it('take a few numbers for the ranges of a daily chain and of a lookback window', () => {
    const n = 10_000;
    expect(toRuns(Array.from({ length: n }, (_, k) => k))).toEqual([0, 1, n]);
    expect(toRuns(Array.from({ length: n }, (_, k) => Math.max(0, k - 29)))).toEqual([0, 0, 30, 1, 1, n - 30]);
  });

  it('refuse a list that encodes more or fewer values than the plan has keys', () => {
    fc.assert(
      fc.property(
        arbRanges,
        fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0),
        (xs, d) => {
          const runs = toRuns(xs);
          if (xs.length + d < 0) return;
          expect(() => fromRuns(runs, xs.length + d)).toThrow(/do not encode/);
        },
      ),
    );
    expect(() => fromRuns([0, 1, 2, 7], 2)).toThrow(/do not encode/);
    expect(() => fromRuns([0, 1, -1], 0)).toThrow(/do not encode/);
  });
});
