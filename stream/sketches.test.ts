import { describe, expect, it } from 'vitest';
import { CountMinSketch } from './cms.ts';
import { FrequencySketch } from './frequency.ts';
import { HyperLogLog } from './hll.ts';
import { SpaceSaving } from './space-saving.ts';

/** deterministic PRNG for reproducible streams */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf-like skew: value i drawn with weight ~ 1/(i+1) over `n` values */
function skewed(random: () => number, n: number): number {
  return Math.floor(Math.exp(random() * Math.log(n + 1))) - 1;
}

describe('HyperLogLog', () => {
  const se = 1.04 / Math.sqrt(4096);

  it('is within 3 standard errors on 1M distinct values, in at most 4 KB', () => {
    const h = new HyperLogLog(12);
    const n = 1_000_000;
    for (let i = 0; i < n; i++) h.add(`user-${i}`);
    expect(h.isSparse).toBe(false);
    expect(h.bytes).toBeLessThanOrEqual(4096);
    expect(Math.abs(h.estimate() - n) / n).toBeLessThan(3 * se);
  });

  it('is accurate across the range, numbers and strings alike', () => {
    for (const n of [0, 1, 10, 100, 1_000, 10_000, 100_000]) {
      const h = new HyperLogLog(12);
      for (let i = 0; i < n; i++) h.add(i * 7919);
      for (let i = 0; i < n; i++) h.add(i * 7919); // repeats change nothing
      expect(Math.abs(h.estimate() - n)).toBeLessThanOrEqual(Math.max(1, 3 * se * n));
    }
  });

  it('keeps small sets sparse and small', () => {
    const h = new HyperLogLog(12);
    for (let i = 0; i < 20; i++) h.add(`m${i}`);
    expect(h.isSparse).toBe(true);
    expect(h.bytes).toBeLessThanOrEqual(256);
    expect(h.estimate()).toBe(20);
  });

  it('merges as a union and round-trips through bytes in both forms', () => {
    const a = new HyperLogLog(12);
    const b = new HyperLogLog(12);
    for (let i = 0; i < 50; i++) a.add(i);
    for (let i = 25; i < 75; i++) b.add(i);
    const small = a.clone();
    small.merge(b);
    expect(small.estimate()).toBe(75);
    for (let i = 0; i < 20_000; i++) b.add(`x${i}`);
    a.merge(b);
    expect(Math.abs(a.estimate() - 20_075) / 20_075).toBeLessThan(3 * se);
    for (const h of [small, a]) expect(HyperLogLog.fromBytes(h.toBytes()).estimate()).toBe(h.estimate());
  });
});

describe('Count-Min Sketch', () => {
  it('sizes itself from epsilon and delta', () => {
    const c = CountMinSketch.forError(0.001, 0.001);
    expect([c.width, c.depth]).toEqual([2719, 7]);
  });

  it('never underestimates and stays within epsilon·N except with probability delta', () => {
    const epsilon = 0.002;
    const delta = 0.01;
    const c = CountMinSketch.forError(epsilon, delta);
    const truth = new Map<number, number>();
    const random = rng(7);
    const N = 200_000;
    for (let i = 0; i < N; i++) {
      const v = skewed(random, 50_000);
      truth.set(v, (truth.get(v) ?? 0) + 1);
      c.add(v);
    }
    let over = 0;
    for (const [v, n] of truth) {
      const e = c.estimate(v);
      expect(e).toBeGreaterThanOrEqual(n);
      if (e > n + epsilon * N) over++;
    }
    expect(over / truth.size).toBeLessThanOrEqual(delta);
  });
});

describe('FrequencySketch', () => {
  it('is exact while small, then ranks heavy hitters through the sketch', () => {
    const f = new FrequencySketch(0.01, 0.01, 3);
    for (const v of ['a', 'b', 'a', 'c', 'a', 'b']) f.add(v);
    expect(f.topItems()).toEqual([
      ['a', 3],
      ['b', 2],
      ['c', 1],
    ]);
    const random = rng(3);
    const truth = new Map<string, number>();
    for (let i = 0; i < 50_000; i++) {
      const v = `cat${skewed(random, 2_000)}`;
      truth.set(v, (truth.get(v) ?? 0) + 1);
      f.add(v);
    }
    expect(f.isExact).toBe(false);
    const top3 = [...truth]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([v]) => v);
    expect(f.topItems().map(([v]) => v)).toEqual(top3);
    const copy = FrequencySketch.fromJSON(0.01, 0.01, 3, JSON.parse(JSON.stringify(f.toJSON())));
    expect(copy.topItems()).toEqual(f.topItems());
  });
});

describe('Space-Saving', () => {
  it('keeps every value above N/capacity, with counts within their error, under a 5 KB cap', () => {
    const s = SpaceSaving.forBytes(5_000);
    expect(s.capacity).toBe(78);
    const truth = new Map<string, number>();
    const random = rng(11);
    const N = 100_000;
    for (let i = 0; i < N; i++) {
      const v = `genre${skewed(random, 5_000)}`;
      truth.set(v, (truth.get(v) ?? 0) + 1);
      s.add(v);
    }
    const kept = new Map(s.entries().map((e) => [e.value, e]));
    for (const [v, n] of truth) {
      if (n > N / s.capacity) expect(kept.has(v)).toBe(true);
      const e = kept.get(v);
      if (e) {
        expect(e.count).toBeGreaterThanOrEqual(n);
        expect(e.count - e.error).toBeLessThanOrEqual(n);
      }
    }
    const top5 = [...truth]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([v]) => v);
    expect(s.top(5).map((e) => e.value)).toEqual(top5);
  });

  it('merges two summaries keeping the guarantees', () => {
    const a = new SpaceSaving(4);
    const b = new SpaceSaving(4);
    for (const v of 'aaaaabbbcd') a.add(v);
    for (const v of 'aaeeeeefgh') b.add(v);
    a.merge(b);
    const top = a.top(2).map((e) => e.value);
    expect(top).toEqual(['a', 'e']);
    expect(a.total).toBe(20);
  });
});
