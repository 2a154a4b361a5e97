// Failure record paths are safe for any partition key, one per key; a record counts until the
// partition is committed after it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failureRecordPath, failureRecordsPrefix, lastRunFailed, parseFailureRecord, type FailureRecord } from './failure-records.ts';

/** The key back from a path: the encoding must lose nothing. */
function keyOf(path: string, asset: string): string {
  const name = path.slice(failureRecordsPrefix(asset).length);
  expect(name.startsWith('key=') && name.endsWith('.json')).toBe(true);
  return decodeURIComponent(name.slice('key='.length, -'.json'.length).replaceAll('/', ''));
}

const anyKey = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 600 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '.', '..', '/', 'a/../b', 'US', 'us', '%41', 'key=x.json', '2026-01-01'),
);

describe('failure record paths', () => {
  it("any key gives a path under the asset's prefix with safe segments, and back the same key", () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        const path = failureRecordPath('clicks', key);
        expect(path.startsWith(failureRecordsPrefix('clicks'))).toBe(true);
        const segments = path.split('/');
        for (const s of segments) {
          expect(s).not.toBe('');
          expect(s).not.toBe('..');
          expect(s).not.toBe('.');
          expect(new TextEncoder().encode(s).length).toBeLessThanOrEqual(255);
        }
        // Only lower case: keys differing in case stay apart on case-insensitive disks.
        expect(path.slice(failureRecordsPrefix('clicks').length)).toMatch(/^[a-z0-9_%=./-]+$/);
        expect(keyOf(path, 'clicks')).toBe(key);
      }),
      { numRuns: 500 },
    );
  });

  it('two keys never share a path, even ones differing only in case', () => {
    fc.assert(
      fc.property(anyKey, anyKey, (a, b) => {
        fc.pre(a !== b);
        expect(failureRecordPath('t', a).toLowerCase()).not.toBe(failureRecordPath('t', b).toLowerCase());
      }),
      { numRuns: 500 },
    );
    expect(failureRecordPath('t', 'US')).not.toBe(failureRecordPath('t', 'us'));
  });

  it('keeps date keys readable', () => {
    expect(failureRecordPath('clicks', '2026-01-02')).toBe('_freshet/failures/clicks/key=2026-01-02.json');
    expect(failureRecordPath('clicks', '')).toBe('_freshet/failures/clicks/key=.json');
    expect(failureRecordPath('clicks', '2026-01-02 13:00')).toBe('_freshet/failures/clicks/key=2026-01-02%2013%3a00.json');
  });
});

describe('whether a failure is the last run', () => {
  const record: FailureRecord = {
    asset: 'a',
    partition: 'k',
    at: '2026-01-01T00:00:00.000Z',
    attempt: 2,
    error: 'boom',
    tableVersion: 7,
    tableId: 'T1',
  };

  it('counts until a commit of the partition past the table version at the failure', () => {
    expect(lastRunFailed(record, 'T1', undefined)).toBe(true); // never committed
    expect(lastRunFailed(record, 'T1', 5)).toBe(true); // committed before the failure
    expect(lastRunFailed(record, 'T1', 7)).toBe(true); // that commit was the newest when it failed
    expect(lastRunFailed(record, 'T1', 8)).toBe(false); // committed after: the failure is cleared
  });

  it('a record of a table deleted since describes another table', () => {
    expect(lastRunFailed(record, 'T2', 3)).toBe(false);
    expect(lastRunFailed(record, undefined, undefined)).toBe(false);
  });

  it('a failure before the table existed counts until any commit of the partition', () => {
    const early = { ...record, tableVersion: -1, tableId: undefined };
    expect(lastRunFailed(early, 'T9', undefined)).toBe(true);
    expect(lastRunFailed(early, 'T9', 0)).toBe(false);
  });

  it('an unreadable record is an error naming it and the fix', () => {
    expect(() => parseFailureRecord('wh/_freshet/failures/a/key=k.json', '{"asset":')).toThrow(
      /wh\/_freshet\/failures\/a\/key=k\.json is not JSON .*delete it/,
    );
    expect(() => parseFailureRecord('p.json', '{"asset":"a"}')).toThrow(/p\.json lacks .*delete it/);
    expect(parseFailureRecord('p.json', JSON.stringify(record))).toEqual(record);
  });
});
