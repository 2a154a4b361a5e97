import { describe, expect, it } from 'vitest';
import { allPartitions, downstreamKeys, identity, lookback, upstreamKeys } from './mappings.ts';
import { dailyPartitions, hourlyPartitions, keysBetween, staticPartitions } from './partitions.ts';

const daily = dailyPartitions({ start: '2026-01-01' });
const hourly = hourlyPartitions({ start: '2026-01-01-00' });

describe('partition mappings', () => {
  it('lookback(30) reads the 30 days ending at the partition, clipped at the upstream start', () => {
    const keys = upstreamKeys(daily, daily, lookback(30), '2026-02-15') as string[];
    expect(keys).toHaveLength(30);
    expect(keys[0]).toBe('2026-01-17');
    expect(keys[29]).toBe('2026-02-15');
    expect(upstreamKeys(daily, daily, lookback(30), '2026-01-03')).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
  });

  it('identity from daily onto hourly reads the 24 hours of the day', () => {
    const keys = upstreamKeys(daily, hourly, identity(), '2026-01-02') as string[];
    expect(keys).toHaveLength(24);
    expect(keys[0]).toBe('2026-01-02-00');
    expect(keys[23]).toBe('2026-01-02-23');
  });

  it('an unpartitioned upstream or allPartitions() reads everything', () => {
    expect(upstreamKeys(daily, undefined, identity(), '2026-01-02')).toBe('all');
    expect(upstreamKeys(daily, daily, allPartitions(), '2026-01-02')).toBe('all');
  });

  it('inverts lookback: a change to one day touches the 30 days that look back over it', () => {
    const candidates = keysBetween(daily, '2026-01-01', '2026-03-31');
    const touched = downstreamKeys(daily, daily, lookback(30), '2026-01-10', candidates);
    expect(touched).toEqual(keysBetween(daily, '2026-01-10', '2026-02-08'));
  });

  it('maps static keys one to one', () => {
    const regions = staticPartitions(['us', 'eu']);
    expect(upstreamKeys(regions, regions, identity(), 'eu')).toEqual(['eu']);
  });

  it('refuses a lookback of zero', () => {
    expect(() => lookback(0)).toThrow(/at least 1/);
  });
});
