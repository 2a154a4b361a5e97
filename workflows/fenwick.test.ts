import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fenwick } from './fenwick.ts';

describe('fenwick', () => {
  it('sums ranges and finds the next positive index as a plain array does, through any adds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 3 }), { maxLength: 70 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 })), { maxLength: 30 }),
        fc.array(fc.tuple(fc.integer({ min: -2, max: 80 }), fc.integer({ min: -2, max: 80 })), { maxLength: 10 }),
        (initial, adds, queries) => {
          const plain = [...initial];
          const t = fenwick(initial);
          for (const [i, v] of adds) {
            if (plain.length === 0) break;
            const at = i % plain.length;
            t.add(at, v - plain[at]);
            plain[at] = v;
          }
          for (const [lo, hi] of queries) {
            const [a, b] = [Math.max(0, lo), Math.min(plain.length - 1, hi)];
            expect(t.range(a, b)).toBe(plain.slice(a, Math.max(a, b + 1)).reduce((s, x) => s + x, 0));
            const next = plain.findIndex((x, i) => i >= lo && x > 0);
            expect(t.firstFrom(lo)).toBe(next);
          }
        },
      ),
    );
  });
});
