// web/keys.ts steps keys by calendar arithmetic; core's allKeys is the reference.
import { describe, expect, it } from 'vitest';
import { allKeys, dailyPartitions, hourlyPartitions, staticPartitions } from '../core/index.ts';
import { checkedPartitionKeys, partitionKeys } from './keys.ts';

describe('partition keys for the grid', () => {
  const now = Date.UTC(2026, 10, 24, 11, 30);
  const defs = [
    dailyPartitions({ start: '1999-12-25' }), // leap years, century rule (2000)
    dailyPartitions({ start: '0999-12-30', end: '1000-01-02' }), // years written with a leading zero
    dailyPartitions({ start: '2026-01-01', end: '2026-03-01' }),
    hourlyPartitions({ start: '2023-02-27-05' }), // 29 Feb 2024 and month ends
    hourlyPartitions({ start: '2026-11-24-10' }), // one complete hour
    hourlyPartitions({ start: '2026-11-24-11' }), // none complete yet
    staticPartitions(['eu', 'us']),
  ];
  for (const def of defs) {
    it(`${def.kind} ${'start' in def ? def.start : ''} equals core's allKeys`, () => {
      expect(partitionKeys(def, now)).toEqual(allKeys(def, now));
      expect(checkedPartitionKeys(def, now)).toEqual(allKeys(def, now));
    });
  }
  it('an unpartitioned asset has the one key ""', () => {
    expect(checkedPartitionKeys(undefined, now)).toEqual(['']);
  });
  it('refuses a definition with more keys than Freshet lists at once, before stepping through them', () => {
    for (const def of [hourlyPartitions({ start: '1900-01-01-00' }), dailyPartitions({ start: '0500-01-01', end: '9999-12-31' })]) {
      const started = Date.now();
      expect(() => checkedPartitionKeys(def, now)).toThrow(/more than the 500,000 Freshet lists at once/);
      expect(Date.now() - started).toBeLessThan(1_000);
    }
  });
});
