import { describe, expect, it } from 'vitest';
import { count, distinctCount, last, max, session, sliding, streamingAsset, sum, tumbling } from '../core/streaming.ts';
import type { StreamingAssetInput } from '../core/streaming.ts';
import { newEventBatch } from './batch.ts';
import type { DeadLetter } from './decode.ts';
import { makeDecoder } from './decode.ts';
import { WindowOperator } from './operator.ts';
import type { LateEvent, WindowRow } from './operator.ts';

type Ev = Record<string, unknown>;

function harness(input: Partial<StreamingAssetInput>, clock = { now: 0 }) {
  const asset = streamingAsset({
    name: 't',
    source: 's',
    key: 'k',
    eventTime: 'ts',
    window: tumbling('10s'),
    aggregates: { n: count() },
    ...input,
  });
  const op = new WindowOperator(asset, { now: () => clock.now });
  const dec = makeDecoder(asset, op.aggs);
  const batch = newEventBatch(64, op.aggs.numericFields.length, op.aggs.valueFields.length);
  const dead: DeadLetter[] = [];
  const rows: WindowRow[] = [];
  const offsets = new Map<number, number>();
  const send = (events: Ev[], partition = 0) => {
    const first = offsets.get(partition) ?? 0;
    offsets.set(partition, first + events.length);
    let at = 0;
    while (at < events.length) {
      batch.size = 0;
      at = dec.decode({ partition, firstOffset: first, records: events, nextOffset: first + events.length }, at, batch, dead);
      op.process(batch);
    }
    const out = op.drain();
    rows.push(...out.rows);
    lates.push(...out.late);
  };
  const lates: LateEvent[] = [];
  const late = () => lates;
  /** the latest revision of each (key, window) */
  const final = () => {
    const m = new Map<string, WindowRow>();
    for (const r of rows) {
      const id = `${r.keyParts.join('|')}@${r.windowStart}`;
      const prev = m.get(id);
      if (!prev || prev.revision < r.revision) m.set(id, r);
    }
    return m;
  };
  return { op, send, rows, dead, late, final, clock };
}

const ev = (k: string, ts: number, extra: Ev = {}): Ev => ({ k, ts, ...extra });

describe('WindowOperator: tumbling windows and watermarks', () => {
  it('fires a window when the watermark passes its end, not before', () => {
    const h = harness({ watermark: { maxOutOfOrderness: '2s' } });
    h.send([ev('a', 1_000), ev('a', 9_000), ev('b', 5_000)]);
    expect(h.rows).toEqual([]);
    h.send([ev('a', 11_999)]); // watermark 11_999 − 2_000 − 1 = 9_998 < 9_999
    expect(h.rows).toEqual([]);
    h.send([ev('a', 12_000)]); // watermark 9_999: window [0, 10s) closes
    expect(h.rows.map((r) => [r.keyParts[0], r.windowStart, r.windowEnd, r.values[0], r.revision])).toEqual([
      ['a', 0, 10_000, 2, 0],
      ['b', 0, 10_000, 1, 0],
    ]);
  });

  it('counts an out-of-order event within the bound in its window', () => {
    const h = harness({ watermark: { maxOutOfOrderness: '5s' } });
    h.send([ev('a', 9_000), ev('a', 13_000), ev('a', 8_500), ev('a', 20_000)]);
    expect(h.rows.map((r) => r.values[0])).toEqual([2]);
    expect(h.late()).toEqual([]);
  });

  it('re-fires a closed window for an event beyond the bound but within the lateness', () => {
    const h = harness({ watermark: { maxOutOfOrderness: '1s' }, allowedLateness: '10s' });
    h.send([ev('a', 2_000), ev('a', 15_000)]); // watermark 13_999: [0, 10s) fired with 1
    expect(h.rows.map((r) => [r.values[0], r.revision])).toEqual([[1, 0]]);
    h.send([ev('a', 3_000)]);
    expect(h.rows.map((r) => [r.values[0], r.revision])).toEqual([
      [1, 0],
      [2, 1],
    ]);
    expect(h.late()).toEqual([]);
  });

  it('sends an event beyond the lateness to the late records with the reason', () => {
    const h = harness({ watermark: { maxOutOfOrderness: '1s' }, allowedLateness: '2s' });
    h.send([ev('a', 2_000), ev('a', 15_000), ev('a', 3_000, { id: 'x' })]);
    expect(h.rows.map((r) => r.values[0])).toEqual([1]);
    expect(h.late()).toHaveLength(1);
    expect(h.late()[0]).toMatchObject({ key: 'a', eventTime: 3_000, watermark: 13_999, offset: 2 });
    expect(h.late()[0].reason).toMatch(/beyond the allowed lateness \(2000 ms\)/);
    expect(h.late()[0].payload).toEqual({ k: 'a', ts: 3_000, id: 'x' });
  });

  it('holds the watermark at the slowest partition until it turns idle', () => {
    const clock = { now: 0 };
    const h = harness({ watermark: { maxOutOfOrderness: '0s', idleTimeout: '1m' } }, clock);
    h.send([ev('a', 1_000)], 0);
    h.send([ev('b', 1_000)], 1);
    h.send([ev('a', 30_000)], 0);
    expect(h.op.watermark).toBe(999); // partition 1 holds it back
    expect(h.rows).toEqual([]);
    clock.now = 59_000;
    h.send([ev('a', 40_000)], 0);
    expect(h.op.watermark).toBe(999);
    clock.now = 61_000; // partition 1 silent for over a minute: left out
    h.send([ev('a', 41_000)], 0);
    expect(h.op.watermark).toBe(40_999);
    expect(h.rows.map((r) => [r.keyParts[0], r.windowStart]).sort()).toEqual([
      ['a', 0],
      ['a', 30_000],
      ['b', 0],
    ]);
    // the idle partition speaks again: it counts from then on, and its late event is recorded
    h.send([ev('b', 5_000)], 1);
    expect(h.late()).toHaveLength(1);
  });

  it('sends malformed events to the dead letters with the parse error', () => {
    const h = harness({ aggregates: { n: count(), s: sum('amount') } });
    h.send([
      '{"k":"a","ts":1}',
      '{oops',
      '{"ts":5}',
      '{"k":"a","ts":"yesterday"}',
      '{"k":"a","ts":1,"amount":"x"}',
      '[1]',
    ] as unknown as Ev[]);
    expect(h.dead.map((d) => [d.offset, d.reason, d.error])).toEqual([
      [1, 'invalid-json', expect.stringMatching(/^invalid JSON/)],
      [2, 'key', "key field 'k' is missing"],
      [
        3,
        'event-time',
        `event time field 'ts' is "yesterday": not whole epoch milliseconds or an ISO-8601 time with a zone, e.g. 2026-01-01T10:00:00Z`,
      ],
      [4, 'field', `field 'amount' is "x": sum('amount') takes a finite number or a decimal string, or null for no value`],
      [5, 'not-an-object', 'event is not a JSON object'],
    ]);
    expect(h.dead[1].raw).toBe('{"ts":5}');
  });

  it('drops repeated event ids within the dedup horizon', () => {
    const h = harness({ dedupBy: 'id', watermark: { maxOutOfOrderness: '1s' } });
    h.send([ev('a', 1_000, { id: '1' }), ev('a', 1_500, { id: '1' }), ev('a', 2_000, { id: '2' }), ev('a', 30_000, { id: '9' })]);
    expect(h.rows.map((r) => r.values[0])).toEqual([2]);
    expect(h.op.metrics.duplicates).toBe(1);
    expect(h.op.dedup!.size).toBe(1); // ids past the horizon are forgotten
  });
});

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** The semantics, spelled out one event at a time: W is the running max − bound − 1; an event
 *  joins every window over it whose end − 1 + lateness is above W when it arrives. */
function referenceSliding(events: Ev[], size: number, slide: number, bound: number, lateness: number) {
  let maxTs = -Infinity;
  const windows = new Map<string, { key: string; start: number; n: number; sum: number }>();
  let late = 0;
  for (const e of events) {
    const ts = e.ts as number;
    const W = maxTs - bound - 1;
    const p = Math.floor(ts / slide) * slide;
    let joined = false;
    for (let end = p + slide; end <= p + size; end += slide) {
      if (end - 1 + lateness <= W) continue;
      joined = true;
      const id = `${e.k}@${end - size}`;
      const w = windows.get(id) ?? { key: e.k as string, start: end - size, n: 0, sum: 0 };
      w.n++;
      w.sum += e.v as number;
      windows.set(id, w);
    }
    if (!joined) late++;
    maxTs = Math.max(maxTs, ts);
  }
  const W = maxTs - bound - 1;
  const closed = [...windows.entries()].filter(([, w]) => w.start + size - 1 <= W);
  return { windows: new Map(closed), late };
}

describe('WindowOperator: sliding windows against a reference', () => {
  for (const [bound, lateness] of [
    [0, 0],
    [500, 0],
    [200, 1_500],
  ]) {
    it(`matches event-at-a-time semantics (bound ${bound} ms, lateness ${lateness} ms)`, () => {
      const h = harness({
        window: sliding('2s', '500ms'),
        watermark: { maxOutOfOrderness: `${bound}ms` },
        allowedLateness: `${lateness}ms`,
        aggregates: { n: count(), s: sum('v'), top: max('v'), d: distinctCount('v'), l: last('v', { type: 'long' }) },
      });
      const random = rng(bound + lateness + 1);
      const events: Ev[] = [];
      let t = 0;
      for (let i = 0; i < 3_000; i++) {
        t += Math.floor(random() * 20);
        const disorder = random() < 0.1 ? Math.floor(random() * 2_500) : 0;
        // from 10 s on: a disordered event never falls before 1970, where event times start
        events.push({ k: `k${Math.floor(random() * 20)}`, ts: 10_000 + t - disorder, v: Math.floor(random() * 100) });
      }
      for (let i = 0; i < events.length; i += 97) h.send(events.slice(i, i + 97));
      const ref = referenceSliding(events, 2_000, 500, bound, lateness);
      const got = h.final();
      expect(h.late()).toHaveLength(ref.late);
      const missing = [...ref.windows.keys()].filter((id) => !got.has(id));
      const extra = [...got.keys()].filter((id) => !ref.windows.has(id));
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
      for (const [id, w] of ref.windows) {
        const row = got.get(id.replace('@', '@'));
        expect(row, id).toBeDefined();
        expect([row!.values[0], row!.values[1]], id).toEqual([w.n, w.sum]);
      }
      if (lateness > 0) expect(h.op.metrics.refires).toBeGreaterThan(0);
      // every row, revisions included, is the same whatever the batch boundaries
      const again = harness({
        window: sliding('2s', '500ms'),
        watermark: { maxOutOfOrderness: `${bound}ms` },
        allowedLateness: `${lateness}ms`,
        aggregates: { n: count(), s: sum('v'), top: max('v'), d: distinctCount('v'), l: last('v', { type: 'long' }) },
      });
      for (let i = 0; i < events.length; i += 1_000) again.send(events.slice(i, i + 1_000));
      const text = (rows: WindowRow[]) => rows.map((r) => JSON.stringify(r)).sort();
      expect(text(again.rows)).toEqual(text(h.rows));
    });
  }
});

describe('WindowOperator: sessions', () => {
  it('merges sessions an event bridges and fires after the gap', () => {
    const h = harness({ window: session('5s'), aggregates: { n: count() } });
    h.send([ev('a', 0), ev('b', 1_000), ev('a', 3_000), ev('a', 12_000), ev('a', 20_000)]);
    expect(h.rows.map((r) => [r.keyParts[0], r.windowStart, r.windowEnd, r.values[0]]).sort()).toEqual([
      ['a', 0, 8_000, 2],
      ['a', 12_000, 17_000, 1],
      ['b', 1_000, 6_000, 1],
    ]);
    // 16s touches the open [20s, 25s) session; the closed [12s, 17s) one is past the lateness
    h.send([ev('a', 16_000), ev('a', 40_000), ev('a', 2_000)]);
    expect(h.rows.slice(3).map((r) => [r.windowStart, r.windowEnd, r.values[0]])).toEqual([[16_000, 25_000, 2]]);
    expect(h.late().map((l) => l.eventTime)).toEqual([2_000]);
  });

  it('re-fires a merged session for a late event within the lateness', () => {
    const h = harness({ window: session('5s'), allowedLateness: '10s', aggregates: { n: count() } });
    h.send([ev('a', 0), ev('a', 10_000)]);
    expect(h.rows.map((r) => [r.windowStart, r.windowEnd, r.values[0], r.revision])).toEqual([[0, 5_000, 1, 0]]);
    h.send([ev('a', 2_000)]);
    expect(h.rows.slice(1).map((r) => [r.windowStart, r.windowEnd, r.values[0], r.revision])).toEqual([[0, 7_000, 2, 1]]);
  });
});

describe('WindowOperator: state TTL', () => {
  it('keeps the key count flat under steady key churn', () => {
    const h = harness({ window: sliding('10s', '2s'), watermark: { maxOutOfOrderness: '1s' } });
    const sizes: number[] = [];
    for (let second = 0; second < 300; second++) {
      // 50 keys per second, each key alive for 5 seconds, never seen again
      const events: Ev[] = [];
      for (let j = 0; j < 50; j++) events.push(ev(`u${Math.floor(second / 5)}-${j}`, second * 1_000 + j));
      h.send(events);
      if (second >= 60) sizes.push(h.op.keys.size);
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.min(...sizes) + 50);
    expect(Math.max(...sizes)).toBeLessThan(250);
    expect(h.op.metrics.evictedKeys).toBeGreaterThan(2_500);
  });
});

describe('WindowOperator: watermark calibration', () => {
  it('reports how late events arrive per partition and the bound it would recommend', () => {
    const h = harness({ watermark: { maxOutOfOrderness: '1s' } });
    const events: Ev[] = [];
    for (let i = 0; i < 1_000; i++) events.push(ev('a', 1_000 + i * 10 - (i % 50 === 0 ? 800 : 0)));
    h.send(events, 0);
    h.send([ev('b', 100), ev('b', 50)], 1);
    const c = h.op.tracker.calibration();
    expect(c.configuredMs).toBe(1_000);
    const p0 = c.partitions.find((p) => p.partition === 0)!;
    expect(p0).toMatchObject({ events: 1_000, outOfOrder: 19, p50Ms: 0, maxMs: 790 });
    expect(p0.p99Ms).toBeGreaterThan(500);
    expect(c.partitions.find((p) => p.partition === 1)).toMatchObject({ events: 2, outOfOrder: 1, maxMs: 50 });
    expect(c.recommendedMs).toBeGreaterThanOrEqual(790);
    expect(c.recommendedMs).toBeLessThan(1_100);
  });
});
