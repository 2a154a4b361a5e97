import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTimeError, eventTimeMs, identityError, isIdentity, MAX_EVENT_TIME, numberValue, valueFits } from './event-fields.ts';

const T = Date.UTC(2026, 0, 1, 10, 0, 0); // 2026-01-01T10:00:00Z

describe('event time', () => {
  it('accepts whole epoch milliseconds and ISO-8601 times with a zone', () => {
    const accepted: Array<[unknown, number]> = [
      [T, T],
      [0, 0],
      [MAX_EVENT_TIME, MAX_EVENT_TIME],
      [String(T), T],
      ['2026-01-01T10:00:00Z', T],
      ['2026-01-01T10:00:00.123Z', T + 123],
      ['2026-01-01T10:00:00.123456Z', T + 123], // beyond the millisecond: truncated
      ['2026-01-01T10:00:00.5Z', T + 500],
      ['2026-01-01T10:00Z', T],
      ['2026-01-01 10:00:00z', T],
      ['2026-01-01T12:00:00+02:00', T],
      ['2026-01-01T05:30:00-0430', T],
      ['1970-01-01T00:00:00Z', 0],
      ['1969-12-31T23:00:00-01:00', 0],
      ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
      ['9999-12-31T23:59:59.999Z', MAX_EVENT_TIME],
    ];
    for (const [v, want] of accepted) expect(eventTimeMs(v), JSON.stringify(v)).toBe(want);
  });

  it('refuses every other value, saying why', () => {
    const refused: Array<[unknown, RegExp]> = [
      [1e20, /is 100000000000000000000, outside epoch milliseconds from 0/],
      [-5, /is -5, outside/],
      [MAX_EVENT_TIME + 1, /outside/],
      [1.5, /is 1.5, not whole milliseconds \(seconds with a fraction\?/],
      [1_700_000_000.123, /not whole milliseconds/],
      [NaN, /is NaN: use whole epoch milliseconds or an ISO-8601 time/],
      [Infinity, /is Infinity/],
      [-Infinity, /is -Infinity/],
      ['100000000000000000000', /outside/],
      ['-5', /is "-5", outside/],
      ['2026-01-01T10:00:00', /without a zone: add Z or an offset/],
      ['2026-01-01 10:00', /without a zone/],
      ['2026-02-30T00:00:00Z', /not a valid date-time/],
      ['2025-02-29T00:00:00Z', /not a valid date-time/],
      ['2026-01-01T24:00:00Z', /not a valid date-time/],
      ['2026-01-01T10:60:00Z', /not a valid date-time/],
      ['2026-01-01T10:00:60Z', /not a valid date-time/],
      ['2026-01-01T10:00:00+24:00', /not a valid date-time/],
      ['1969-12-31T23:59:59Z', /not a valid date-time, or outside 1970/],
      ['0050-01-01T00:00:00Z', /outside 1970/],
      ['2026-01-01', /not whole epoch milliseconds or an ISO-8601 time with a zone/],
      ['yesterday', /is "yesterday": not whole epoch milliseconds/],
      ['Thu, 01 Jan 2026 10:00:00 GMT', /not whole epoch/],
      ['1e12', /not whole epoch/],
      [' 1700000000000', /not whole epoch/],
      ['', /is "": not/],
      [null, /is null: use/],
      [undefined, /is missing/],
      [true, /is a boolean \(true\)/],
      [{}, /is an object \(\{\}\)/],
      [[T], /is an array \(\[1767261600000\]\)/],
      [BigInt(T), /is a bigint/],
    ];
    for (const [v, reason] of refused) {
      expect(eventTimeMs(v), String(v)).toBeNaN();
      expect(eventTimeError('ts', v), String(v)).toMatch(reason);
      expect(eventTimeError('ts', v)).toMatch(/^event time field 'ts' is /);
    }
  });

  it('reads every instant in range back from its ISO text, in any zone (property)', () => {
    const instant = fc.integer({ min: 0, max: MAX_EVENT_TIME });
    const offsetMin = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });
    fc.assert(
      fc.property(instant, offsetMin, fc.constantFrom('', '000', '999'), (t, off, extra) => {
        const utc = new Date(t).toISOString();
        expect(eventTimeMs(utc)).toBe(t);
        expect(eventTimeMs(utc.replace('Z', `${extra}Z`))).toBe(t);
        expect(eventTimeMs(String(t))).toBe(t);
        // the same instant written as local time at an offset
        const local = new Date(t + off * 60_000).toISOString().slice(0, -1);
        const sign = off < 0 ? '-' : '+';
        const abs = Math.abs(off);
        const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        const year = Number(local.slice(0, 4));
        if (year >= 1969 && year <= 9999) expect(eventTimeMs(`${local}${zone}`)).toBe(t);
      }),
    );
  });

  it('returns a time in range or NaN for any value, never throwing (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.double(), fc.string(), fc.integer()), (v) => {
        const t = eventTimeMs(v);
        if (t === t) {
          expect(Number.isInteger(t) && t >= 0 && t <= MAX_EVENT_TIME).toBe(true);
        } else {
          expect(eventTimeError('ts', v)).toMatch(/^event time field 'ts' is /);
        }
        if (typeof v === 'number') expect(t === t).toBe(Number.isInteger(v) && v >= 0 && v <= MAX_EVENT_TIME);
      }),
    );
  });
});

describe('keys and dedup ids', () => {
  it('are non-empty strings or finite numbers JSON carries exactly', () => {
    for (const v of ['u1', ' ', '0', 0, -3, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER])
      expect(isIdentity(v), String(v)).toBe(true);
    const refused: Array<[unknown, RegExp]> = [
      [{}, /is an object \(\{\}\): it must be a string or a finite number/],
      [[1], /is an array \(\[1\]\)/],
      [true, /is a boolean/],
      [null, /is null: it must be/],
      [undefined, /is missing/],
      ['', /is empty/],
      [NaN, /is NaN/],
      [Infinity, /is Infinity/],
      [2 ** 53, /beyond 2\^53.*send it as a string/],
      [1e300, /beyond 2\^53/],
    ];
    for (const [v, reason] of refused) {
      expect(isIdentity(v), String(v)).toBe(false);
      expect(identityError("key field 'user_id'", v)).toMatch(reason);
    }
  });
});

describe('numeric and value fields', () => {
  it('numbers: finite numbers and decimal strings; null and missing are no value; nothing else', () => {
    const accepted: Array<[unknown, number]> = [
      [5, 5],
      [-0.5, -0.5],
      ['12.50', 12.5],
      [' -3e2 ', -300],
      ['.5', 0.5],
      ['7.', 7],
    ];
    for (const [v, want] of accepted) expect(numberValue(v), String(v)).toBe(want);
    expect(numberValue(null)).toBeNaN();
    expect(numberValue(undefined)).toBeNaN();
    for (const v of [[5], true, false, {}, 'abc', '0x10', '', ' ', '1e400', 'Infinity', 'NaN', Infinity, NaN, '5 5', BigInt(5)]) {
      expect(numberValue(v), String(v)).toBeUndefined();
    }
  });

  it('sketch fields take strings, finite numbers and booleans; last(string) takes any JSON value', () => {
    for (const v of ['a', 3, true, null, undefined]) expect(valueFits('scalar', v), String(v)).toBe(true);
    for (const v of [{}, [1], Infinity, NaN]) expect(valueFits('scalar', v), String(v)).toBe(false);
    for (const v of ['a', 3, true, { a: 1 }, [1], null]) expect(valueFits('any', v), String(v)).toBe(true);
    for (const v of [Infinity, NaN, BigInt(1), () => 1]) expect(valueFits('any', v), String(v)).toBe(false);
    for (const v of [3, '3.5', null]) expect(valueFits('number', v), String(v)).toBe(true);
    for (const v of ['x', true, [3], {}]) expect(valueFits('number', v), String(v)).toBe(false);
  });
});
