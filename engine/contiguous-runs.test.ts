// contiguousRuns: how a batch of partitions is cut into range queries.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dailyPartitions,
  hourlyPartitions,
  keysBetween,
  shiftKey,
  source,
  staticPartitions,
  type AssetDef,
  type Partitions,
} from '../core/index.ts';
import { contiguousRuns } from './many.ts';

const daily = dailyPartitions({ start: '2025-01-01' });
const hourly = hourlyPartitions({ start: '2025-01-01-00' });
const regions = staticPartitions(['eu', 'us', 'apac', 'latam', 'mena']);
const on = (partitions: Partitions): AssetDef => source({ name: 'x', partitions, sql: 'SELECT 1 AS x' });

describe('contiguousRuns', () => {
  it('gives nothing for no keys and one run for one key', () => {
    expect(contiguousRuns(on(daily), [], 16)).toEqual([]);
    expect(contiguousRuns(on(daily), ['2026-01-03'], 16)).toEqual([['2026-01-03']]);
  });

  it('cuts consecutive days into runs of at most max', () => {
    const days = keysBetween(daily, '2026-01-01', '2026-01-05');
    expect(contiguousRuns(on(daily), days, 2)).toEqual([['2026-01-01', '2026-01-02'], ['2026-01-03', '2026-01-04'], ['2026-01-05']]);
    expect(contiguousRuns(on(daily), days, 1)).toEqual(days.map((d) => [d]));
    expect(contiguousRuns(on(daily), days, 16)).toEqual([days]);
  });

  it('breaks a run at a gap, and sorts what it is given', () => {
    expect(contiguousRuns(on(daily), ['2026-01-05', '2026-01-01', '2026-01-02', '2026-01-04'], 16)).toEqual([
      ['2026-01-01', '2026-01-02'],
      ['2026-01-04', '2026-01-05'],
    ]);
  });

  it('runs across month, year and day boundaries (UTC keys)', () => {
    expect(contiguousRuns(on(daily), ['2026-02-28', '2025-12-31', '2026-03-01', '2026-01-01'], 16)).toEqual([
      ['2025-12-31', '2026-01-01'],
      ['2026-02-28', '2026-03-01'],
    ]);
    expect(contiguousRuns(on(hourly), ['2026-03-29-02', '2026-03-28-23', '2026-03-29-00', '2026-03-29-01'], 16)).toEqual([
      ['2026-03-28-23', '2026-03-29-00', '2026-03-29-01', '2026-03-29-02'],
    ]);
  });

  it('follows the declared order of static keys', () => {
    expect(contiguousRuns(on(regions), ['apac', 'eu', 'us'], 16)).toEqual([['eu', 'us', 'apac']]);
    expect(contiguousRuns(on(regions), ['mena', 'eu', 'apac'], 16)).toEqual([['eu'], ['apac'], ['mena']]);
    expect(contiguousRuns(on(regions), ['eu', 'us', 'apac', 'latam', 'mena'], 2)).toEqual([['eu', 'us'], ['apac', 'latam'], ['mena']]);
  });

  const defs: Array<[string, Partitions, string[], (k: string) => string | undefined]> = [
    ['daily', daily, keysBetween(daily, '2025-12-20', '2026-01-20'), (k) => shiftKey(daily, k, 1)],
    ['hourly', hourly, keysBetween(hourly, '2026-03-28-20', '2026-03-30-04'), (k) => shiftKey(hourly, k, 1)],
    ['static', regions, regions.keys, (k) => regions.keys[regions.keys.indexOf(k) + 1]],
  ];
  for (const [kind, def, universe, next] of defs) {
    it(`covers exactly its input, in order, in maximal runs of at most max consecutive keys (${kind}, property)`, () => {
      fc.assert(
        fc.property(fc.subarray(universe), fc.integer({ min: 1, max: 6 }), fc.infiniteStream(fc.nat()), (keys, max, order) => {
          // any input order
          const shuffled = keys
            .map((k) => [order.next().value as number, k] as const)
            .sort((a, b) => a[0] - b[0])
            .map(([, k]) => k);
          const runs = contiguousRuns(on(def), shuffled, max);
          expect(runs.flat()).toEqual(keys);
          for (const run of runs) {
            expect(run.length).toBeGreaterThanOrEqual(1);
            expect(run.length).toBeLessThanOrEqual(max);
            for (let i = 1; i < run.length; i++) expect(run[i]).toBe(next(run[i - 1]));
          }
          // A new run starts only at a gap or when the previous one is full.
          for (let i = 1; i < runs.length; i++) {
            const prev = runs[i - 1];
            expect(next(prev[prev.length - 1]) !== runs[i][0] || prev.length === max).toBe(true);
          }
        }),
      );
    });
  }
});
