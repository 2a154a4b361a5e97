import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allKeys,
  checkKey,
  countKeys,
  countOverlapping,
  dailyPartitions,
  hourlyPartitions,
  keyOfValue,
  keysBetween,
  keysOverlapping,
  keyStart,
  keyWindow,
  lastCompleteKey,
  MAX_PARTITION_KEYS,
  partitionValue,
  shiftKey,
  staticPartitions,
} from './partitions.ts';

describe('partitions', () => {
  const daily = dailyPartitions({ start: '2026-01-01' });
  const hourly = hourlyPartitions({ start: '2026-01-01-00' });

  it('lists daily keys across a month boundary, both ends inclusive', () => {
    expect(keysBetween(daily, '2026-01-30', '2026-02-02')).toEqual(['2026-01-30', '2026-01-31', '2026-02-01', '2026-02-02']);
  });

  it('gives each key its UTC window', () => {
    expect(keyWindow(daily, '2026-01-03')).toEqual({ start: Date.UTC(2026, 0, 3), end: Date.UTC(2026, 0, 4) });
    expect(keyWindow(hourly, '2026-01-03-07')).toEqual({ start: Date.UTC(2026, 0, 3, 7), end: Date.UTC(2026, 0, 3, 8) });
  });

  it('refuses malformed, impossible, out-of-range and reversed keys with the expected form', () => {
    expect(() => checkKey(daily, '2026-1-3')).toThrow(/malformed.*YYYY-MM-DD/);
    expect(() => checkKey(daily, '2026-02-30')).toThrow(/not a real date/);
    expect(() => checkKey(daily, '2025-12-31')).toThrow(/before the first partition '2026-01-01'/);
    expect(() => checkKey(hourly, '2026-01-03')).toThrow(/YYYY-MM-DD-HH/);
    expect(() => keysBetween(daily, '2026-01-05', '2026-01-02')).toThrow(/reversed/);
    expect(() => dailyPartitions({ start: '2026-13-01' })).toThrow(/not a real date/);
  });

  it('exists only up to the newest complete window', () => {
    const now = Date.UTC(2026, 0, 4, 12);
    expect(lastCompleteKey(daily, now)).toBe('2026-01-03');
    expect(allKeys(daily, now)).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
    expect(lastCompleteKey(daily, Date.UTC(2026, 0, 1, 5))).toBeUndefined();
  });

  it('stores hourly keys as timestamps and reads them back', () => {
    expect(partitionValue(hourly, '2026-01-03-07')).toBe('2026-01-03 07:00:00');
    expect(keyOfValue(hourly, '2026-01-03 07:00:00')).toBe('2026-01-03-07');
    expect(shiftKey(hourly, '2026-01-03-23', 1)).toBe('2026-01-04-00');
  });

  it('keeps static keys in declared order and refuses unknown ones', () => {
    const regions = staticPartitions(['us', 'eu', 'apac']);
    expect(keysBetween(regions, 'us', 'eu')).toEqual(['us', 'eu']);
    expect(() => checkKey(regions, 'mars')).toThrow(/not one of the static keys: us, eu, apac/);
    expect(() => staticPartitions(['us', 'us'])).toThrow(/listed twice/);
    expect(() => staticPartitions(['a b'])).toThrow(/malformed/);
  });

  it(`refuses to list more than ${MAX_PARTITION_KEYS} keys, before making any`, () => {
    const far = dailyPartitions({ start: '2026-01-01', end: '9999-12-31' });
    const limit = /more than the 500,000 Freshet lists at once: narrow the range/;
    expect(() => keysBetween(far, '2026-01-01', '9999-12-31')).toThrow(limit);
    expect(() => keysBetween(hourlyPartitions({ start: '1900-01-01-00' }), '1900-01-01-00', '2026-01-01-00')).toThrow(
      /hourly partitions from '1900-01-01-00' to '2026-01-01-00' are 1,104,505/,
    );
    expect(() => keysOverlapping(daily, 0, Date.UTC(9999, 0, 1))).toThrow(limit);
    expect(() => allKeys(hourlyPartitions({ start: '1950-01-01-00' }), Date.UTC(2026, 0, 1))).toThrow(limit);
    expect(keysBetween(far, '2026-01-01', '2026-01-03')).toHaveLength(3);
  });

  it('counts the keys of a window or a definition as listing them would', () => {
    const defs = [
      daily,
      hourly,
      dailyPartitions({ start: '2026-02-01', end: '2026-03-10' }),
      hourlyPartitions({ start: '2026-01-02-05', end: '2026-01-09-00' }),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...defs),
        fc.integer({ min: -200, max: 3000 }),
        fc.integer({ min: -50, max: 3000 }),
        fc.integer({ min: 0, max: 3_600_000 * 48 }),
        (def, a, len, jitter) => {
          const start = keyStart(def, def.start) + a * 3_600_000 + (jitter % 3_600_000);
          const end = start + len * 3_600_000 + jitter;
          expect(countOverlapping(def, start, end)).toBe(keysOverlapping(def, start, end).length);
          expect(countKeys(def, end)).toBe(allKeys(def, end).length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
