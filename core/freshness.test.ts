import { describe, expect, it } from 'vitest';
import { asset } from './asset.ts';
import { dataEnd, freshnessOf } from './freshness.ts';
import { dailyPartitions } from './partitions.ts';

describe('freshness status', () => {
  const a = asset({ name: 'f', sql: 'SELECT 1', freshness: { maxLag: '1h' } }); // budget 15m
  it('is fresh up to maxLag, at risk within the budget after it, then stale', () => {
    expect(freshnessOf(a, 0, 3_600_000).status).toBe('fresh');
    expect(freshnessOf(a, 0, 3_600_001).status).toBe('at-risk');
    expect(freshnessOf(a, 0, 4_500_000).status).toBe('at-risk');
    expect(freshnessOf(a, 0, 4_500_001)).toMatchObject({ status: 'late', lagMs: 4_500_001 });
    expect(freshnessOf(a, undefined, 5).status).toBe('never');
  });
  it('measures a time partition from the end of its window', () => {
    const d = asset({ name: 'd', partitions: dailyPartitions({ start: '2026-01-01' }), sql: 'SELECT 1' });
    expect(dataEnd(d, '2026-01-03', 123)).toBe(Date.UTC(2026, 0, 4));
    expect(dataEnd(a, '', 123)).toBe(123);
  });
});
