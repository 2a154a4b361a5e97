// One event must never stop or blind a job: hostile values in any field are dead letters with
// their reason, and the windows over the valid events equal DuckDB's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { count, last, session, sliding, streamingAsset, sum } from '../core/streaming.ts';
import type { StreamingAssetInput } from '../core/streaming.ts';
import { eventStream, jsonOf } from '../test/fixtures/hostile-events.ts';
import { spendPerUserInput } from '../test/support/stream/test-assets.ts';
import { referenceWindows } from '../test/stream-reference.ts';
import { newEventBatch } from './batch.ts';
import { makeDecoder } from './decode.ts';
import type { DeadLetter } from './decode.ts';
import { WindowOperator } from './operator.ts';
import type { LateEvent, WindowRow } from './operator.ts';

/** the worker's clock in these tests */
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const SKEW = 5 * 60_000;

/** the spend job of test/stream-reference.ts: count and sum per user over 10 s, every 2 s */
const spend: StreamingAssetInput = { ...spendPerUserInput, name: 'spend', source: 's' };

function harness(input: StreamingAssetInput, clock = { now: NOW }) {
  const asset = streamingAsset(input);
  const op = new WindowOperator(asset, { now: () => clock.now });
  const dec = makeDecoder(asset, op.aggs, () => clock.now);
  const batch = newEventBatch(64, op.aggs.numericFields.length, op.aggs.valueFields.length);
  const dead: DeadLetter[] = [];
  const rows: WindowRow[] = [];
  const late: LateEvent[] = [];
  let offset = 0;
  const send = (events: unknown[]) => {
    let at = 0;
    while (at < events.length) {
      batch.size = 0;
      at = dec.decode({ partition: 0, firstOffset: offset, records: events, nextOffset: offset + events.length }, at, batch, dead);
      op.process(batch);
    }
    offset += events.length;
    const out = op.drain();
    rows.push(...out.rows);
    late.push(...out.late);
  };
  /** newest revision of each window as `key@start` -> `count|sum` (test/stream-reference.ts's form) */
  const windows = () => {
    const newest = new Map<string, WindowRow>();
    for (const r of rows) {
      const id = `${r.keyParts.join('|')}@${r.windowStart}`;
      const prev = newest.get(id);
      if (!prev || prev.revision < r.revision) newest.set(id, r);
    }
    return new Map([...newest].map(([id, r]) => [id, `${Number(r.values[0])}|${Number(r.values[1]).toFixed(2)}`]));
  };
  return { op, send, dead, rows, late, windows, clock };
}

describe('hostile events', () => {
  it('random streams with hostile fields: dead letters are exactly the bad events, with reasons, and windows equal DuckDB (property)', async () => {
    let compared = 0;
    const reasons = new Set<string>();
    await fc.assert(
      fc.asyncProperty(eventStream({ now: NOW, skewMs: SKEW, hostilePercent: 15 }), async (events) => {
        const h = harness(spend);
        // as a source delivers them: some as parsed objects, some as JSON text
        for (let i = 0; i < events.length; i += 37)
          h.send(events.slice(i, i + 37).map((e, j) => ((i + j) % 2 === 0 ? e.record : jsonOf(e.record))));
        const deadAt = new Map(h.dead.map((d) => [d.offset, d]));
        events.forEach((e, i) => {
          // a value JSON cannot spell (NaN, Infinity) is sent as an object, and null in text; both are refused
          expect(deadAt.get(i)?.reason ?? null, `event ${i}: ${JSON.stringify(e.record)}`).toBe(e.reason);
        });
        for (const d of h.dead) expect(d.error).toMatch(/'user_id'|'ts'|'id'|'amount'|event time .* ahead of the worker's clock/);
        expect(h.late).toEqual([]);
        expect(h.op.watermark).toBeLessThan(NOW);
        const valid = events.filter((e) => e.reason === null).map((e) => e.canonical!);
        const want = Number.isFinite(h.op.watermark)
          ? await referenceWindows(valid as Parameters<typeof referenceWindows>[0], h.op.watermark)
          : new Map();
        expect(h.windows()).toEqual(want);
        compared += want.size;
        for (const d of h.dead) reasons.add(d.reason);
      }),
      { numRuns: 30 },
    );
    // the runs compared real windows and met every kind of bad field
    expect(compared).toBeGreaterThan(1_000);
    expect([...reasons].sort()).toEqual(['dedup-id', 'event-time', 'field', 'future-skew', 'key']);
  }, 300_000);

  it('the job goes on after an event at 1e20 and a late event behind it (was: RangeError on every restore)', () => {
    const h = harness(spend);
    const t = NOW - 60_000;
    h.send([
      { id: 'a', user_id: 'u', amount: 1, ts: t },
      { id: 'b', user_id: 'u', amount: 1, ts: 1e20 },
      { id: 'c', user_id: 'u', amount: 1, ts: t + 20_000 },
      { id: 'd', user_id: 'u', amount: 1, ts: t - 30_000 },
    ]);
    expect(h.dead.map((d) => [d.offset, d.reason])).toEqual([[1, 'event-time']]);
    expect(h.late.map((l) => l.offset)).toEqual([3]);
    expect(h.late[0].reason).toMatch(/beyond the allowed lateness .* at watermark 2026-06-01T11:59:17.999Z/);
    expect(h.rows.length).toBeGreaterThan(0);
  });

  it('an event 100 years ahead is a future-skew dead letter and leaves the watermark alone', () => {
    const h = harness(spend);
    const t = NOW - 60_000;
    h.send([
      { id: 'a', user_id: 'u', amount: 1, ts: t },
      { id: 'b', user_id: 'v', amount: 1, ts: NOW + 100 * 365 * 86_400_000 },
    ]);
    expect(h.dead.map((d) => d.reason)).toEqual(['future-skew']);
    expect(h.dead[0].error).toMatch(
      /^event time 2126-.* is 99 years ahead of the worker's clock \(2026-06-01T12:00:00.000Z\), beyond watermark.maxFutureSkew \(5m\)/,
    );
    expect(h.op.watermark).toBe(t - 2_001);
    // on-time events after it still count
    h.send([{ id: 'c', user_id: 'u', amount: 2, ts: t + 30_000 }]);
    expect(h.late).toEqual([]);
    expect(h.windows().get(`u@${Math.floor(t / 2_000) * 2_000}`)).toBe('1|1.00');
  });

  it('an event within maxFutureSkew counts, but closes no window before the clock reaches its end', () => {
    const h = harness(spend);
    const t = NOW - 5_000;
    const ahead = NOW + 3 * 60_000;
    h.send([
      { id: 'a', user_id: 'u', amount: 1, ts: t },
      { id: 'b', user_id: 'u', amount: 5, ts: ahead },
    ]);
    expect(h.dead).toEqual([]);
    // the watermark stops at the clock: the window over `t` ending after NOW − bound stays open
    expect(h.op.watermark).toBe(NOW - 2_001);
    const open = Math.floor(t / 2_000) * 2_000 + 10_000; // the last window over t ends here, after the watermark
    expect(h.rows.every((r) => r.windowEnd - 1 <= h.op.watermark)).toBe(true);
    expect(h.rows.some((r) => r.windowEnd === open)).toBe(false);
    // an on-time event arriving now still joins it
    h.send([{ id: 'c', user_id: 'u', amount: 2, ts: NOW - 1_000 }]);
    expect(h.late).toEqual([]);
    // the clock moves on: the windows close as their ends pass, the event ahead in its own
    h.clock.now = ahead + 20_000;
    h.send([{ id: 'd', user_id: 'w', amount: 0, ts: ahead + 15_000 }]);
    expect(h.windows().get(`u@${open - 10_000}`)).toBe('2|3.00');
    expect(h.windows().get(`u@${Math.floor(ahead / 2_000) * 2_000}`)).toBe('1|5.00');
  });

  it('with windows years apart for one key, fires without walking every slide in between', () => {
    // a replay with a gap: 2020, then 2025; at 1 s slides the gap is 158M window ends
    const h = harness({ ...spend, window: sliding('10s', '1s'), watermark: { maxOutOfOrderness: '1h' } });
    const a = Date.UTC(2020, 0, 1);
    const b = Date.UTC(2025, 0, 1);
    const started = performance.now();
    h.send([
      { id: '1', user_id: 'u', amount: 1, ts: a },
      { id: '2', user_id: 'u', amount: 2, ts: b },
      { id: '3', user_id: 'u', amount: 4, ts: b + 4_000_000 },
    ]);
    expect(performance.now() - started).toBeLessThan(2_000);
    const w = h.windows();
    expect(w.size).toBe(20); // 10 windows over each of the first two events
    expect(w.get(`u@${a - 9_000}`)).toBe('1|1.00');
    expect(w.get(`u@${b}`)).toBe('1|2.00');
  });

  it('a key of the wrong type never becomes another key', () => {
    const h = harness({ ...spend, dedupBy: undefined });
    const t = NOW - 60_000;
    h.send([{}, [1], true, { id: 'x' }, '1', 1].map((user_id) => ({ user_id, amount: 1, ts: t })));
    expect(h.dead.map((d) => d.reason)).toEqual(['key', 'key', 'key', 'key']);
    expect([...h.op.keys.keys()]).toEqual(['1']);
    h.send([{ user_id: 'z', amount: 0, ts: t + 20_000 }]);
    expect(h.windows().get(`1@${Math.floor(t / 2_000) * 2_000}`)).toBe('2|2.00');
  });

  it('a multi-field key part holding the separator is refused, not merged with another key', () => {
    const h = harness({ ...spend, key: ['user_id', 'region'], dedupBy: undefined });
    h.send([
      { user_id: 'a\u001fb', region: 'c', ts: NOW - 1, amount: 1 },
      { user_id: 'a', region: 'b\u001fc', ts: NOW - 1, amount: 1 },
      { user_id: 'a', region: 'b', ts: NOW - 1, amount: 1 },
    ]);
    expect(h.dead.map((d) => d.error)).toEqual([
      "key field 'user_id' contains the control character U+001F, which separates key fields",
      "key field 'region' contains the control character U+001F, which separates key fields",
    ]);
    expect([...h.op.keys.values()].map((k) => k.parts)).toEqual([['a', 'b']]);
  });

  it('aggregated fields: wrong types are dead letters; null is no value for every aggregate', () => {
    const h = harness({
      ...spend,
      dedupBy: undefined,
      window: session('1s'),
      aggregates: { n: count(), s: sum('amount'), l: last('amount', { type: 'double' }), tag: last('tag') },
    });
    const t = NOW - 60_000;
    h.send([
      { user_id: 'u', ts: t, amount: 2, tag: 'first' },
      { user_id: 'u', ts: t + 1, amount: null, tag: null },
      { user_id: 'u', ts: t + 2 },
      ...[[5], true, {}, 'abc'].map((amount, i) => ({ user_id: 'u', ts: t + 3 + i, amount })),
      { user_id: 'u', ts: t + 10, amount: 1, tag: { a: [1] } },
      { user_id: 'v', ts: NOW - 1 },
    ]);
    expect(h.dead.map((d) => [d.offset, d.reason])).toEqual([
      [3, 'field'],
      [4, 'field'],
      [5, 'field'],
      [6, 'field'],
    ]);
    expect(h.dead[0].error).toBe(
      "field 'amount' is an array ([5]): sum('amount') takes a finite number or a decimal string, or null for no value",
    );
    // count counts the null events; sum and last skip their nulls; last(string) keeps an object's JSON
    expect(h.rows.map((r) => [r.keyParts[0], ...r.values])).toEqual([['u', 4, 3, 1, '{"a":[1]}']]);
  });

  it('a filter that throws on an event dead-letters that event', () => {
    const h = harness({ ...spend, dedupBy: undefined, filter: (e) => (e.meta as { keep: boolean }).keep });
    h.send([
      { user_id: 'u', ts: NOW - 1, amount: 1, meta: { keep: true } },
      { user_id: 'u', ts: NOW - 1, amount: 1 },
    ]);
    expect(h.dead.map((d) => [d.offset, d.reason])).toEqual([[1, 'filter-error']]);
    expect(h.dead[0].error).toMatch(/^the asset's filter threw: .*keep/);
    expect(h.op.keys.size).toBe(1);
  });
});
