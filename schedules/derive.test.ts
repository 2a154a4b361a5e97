import { describe, expect, it } from 'vitest';
import { asset, dailyPartitions, hourlyPartitions } from '../core/index.ts';
import { deriveSchedule } from './derive.ts';

describe('freshness SLA → schedule', () => {
  it('a 1-hour SLA on hourly partitions: hourly runs on the hour with a 15-minute budget', () => {
    const d = deriveSchedule(
      asset({ name: 'f', partitions: hourlyPartitions({ start: '2026-01-01-00' }), sql: 'SELECT 1', freshness: { maxLag: '1h' } }),
      'q',
    )!;
    expect(d).toMatchObject({
      scheduleId: 'q/freshness/f',
      everyMs: 3_600_000,
      offsetMs: 0,
      runTimeoutMs: 900_000,
      catchupWindowMs: 3_600_000,
    });
    expect(d.reason).toBe(
      'maxLag 1h → a run every 1h, on the hourly partition boundary (UTC); each run, retries included, must finish within 15m (a quarter of maxLag); data is then at most 1h + 15m old.',
    );
    expect(d.warning).toBeUndefined();
  });

  it('an explicit compute budget wins; a 10-second SLA gets the 10-second minimum catch-up window', () => {
    expect(deriveSchedule(asset({ name: 'f', sql: 'SELECT 1', freshness: { maxLag: '1d', computeBudget: '2h' } }), 'q')).toMatchObject({
      everyMs: 86_400_000,
      runTimeoutMs: 7_200_000,
    });
    expect(deriveSchedule(asset({ name: 'f', sql: 'SELECT 1', freshness: { maxLag: '8s' } }), 'q')).toMatchObject({
      everyMs: 8_000,
      runTimeoutMs: 2_000,
      catchupWindowMs: 10_000,
    });
  });

  it('warns when the SLA is finer than the partitions can be', () => {
    const d = deriveSchedule(
      asset({ name: 'f', partitions: dailyPartitions({ start: '2026-01-01' }), sql: 'SELECT 1', freshness: { maxLag: '1h' } }),
      'q',
    )!;
    expect(d.warning).toMatch(/maxLag 1h is shorter than one daily partition/);
  });

  it('no SLA, no schedule; a budget above maxLag is refused at declaration', () => {
    expect(deriveSchedule(asset({ name: 'f', sql: 'SELECT 1' }), 'q')).toBeUndefined();
    expect(() => asset({ name: 'f', sql: 'SELECT 1', freshness: { maxLag: '1h', computeBudget: '2h' } })).toThrow(
      /computeBudget \(2h\) must be positive and at most maxLag \(1h\)/,
    );
  });
});
