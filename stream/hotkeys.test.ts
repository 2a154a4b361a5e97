// Hot keys: local pre-aggregation per batch must give exactly the rows, late events and
// duplicate counts of the per-event path, whatever the batch size.
import { describe, expect, it } from 'vitest';
import { avg, count, distinctCount, frequency, last, max, min, sliding, streamingAsset, sum, topK, tumbling } from '../core/streaming.ts';
import type { StreamingAssetInput, WindowSpec } from '../core/streaming.ts';
import { newEventBatch } from './batch.ts';
import type { DeadLetter } from './decode.ts';
import { makeDecoder } from './decode.ts';
import { WindowOperator } from './operator.ts';
import type { LateEvent, WindowRow } from './operator.ts';
import { seeded } from './source-generator.ts';

type Ev = Record<string, unknown>;

/** Skewed events over 2 partitions: half on one key, some disorder, some far too late, some ids repeated. */
function skewed(n: number, seed: number): Ev[][] {
  const r = seeded(seed);
  const parts: Ev[][] = [[], []];
  for (let i = 0; i < n; i++) {
    const p = i % 2;
    let ts = i * 5;
    const x = r();
    if (x < 0.05)
      ts -= Math.floor(r() * 3_000); // within the bound or the lateness
    else if (x < 0.07) ts -= 20_000 + Math.floor(r() * 5_000); // beyond the lateness
    const key = r() < 0.5 ? 'hot' : `k${Math.floor(r() * 40)}`;
    const id = r() < 0.03 && i > 10 ? `e${i - 1 - Math.floor(r() * 10)}` : `e${i}`;
    parts[p].push({
      id,
      k: key,
      ts,
      amount: Math.floor(r() * 1000),
      merchant: `m${Math.floor(r() * 30)}`,
      category: `c${Math.floor(r() * r() * 6)}`,
      note: r() < 0.1 ? null : `n${i}`,
    });
  }
  return parts;
}

function run(input: Partial<StreamingAssetInput>, window: WindowSpec, events: Ev[][], batchSize: number, preAggregate: boolean) {
  const asset = streamingAsset({
    name: 't',
    source: 's',
    key: 'k',
    eventTime: 'ts',
    window,
    aggregates: {
      n: count(),
      spend: sum('amount'),
      lo: min('amount'),
      hi: max('amount'),
      mean: avg('amount'),
      merchants: distinctCount('merchant'),
      cats: frequency('category'),
      top: topK('category', 3),
      last_note: last('note'),
    },
    watermark: { maxOutOfOrderness: '1s' },
    allowedLateness: '3s',
    dedupBy: 'id',
    ...input,
  });
  const op = new WindowOperator(asset, { now: () => 0, preAggregate });
  const dec = makeDecoder(asset, op.aggs);
  const batch = newEventBatch(batchSize, op.aggs.numericFields.length, op.aggs.valueFields.length);
  const dead: DeadLetter[] = [];
  const rows: WindowRow[] = [];
  const late: LateEvent[] = [];
  const at = events.map(() => 0);
  // interleave the partitions a chunk at a time, like a source's polls
  for (let more = true; more;) {
    more = false;
    for (let p = 0; p < events.length; p++) {
      const recs = events[p];
      if (at[p] >= recs.length) continue;
      more = true;
      const end = Math.min(recs.length, at[p] + batchSize * 3);
      const src = { partition: p, firstOffset: at[p], records: recs.slice(at[p], end), nextOffset: end };
      let i = 0;
      while (i < src.records.length) {
        batch.size = 0;
        i = dec.decode(src, i, batch, dead);
        op.process(batch);
      }
      at[p] = end;
      const out = op.drain();
      rows.push(...out.rows);
      late.push(...out.late);
    }
  }
  return { rows, late, metrics: op.metrics, keys: op.keys.size, bytes: op.stateBytes() };
}

describe('hot keys: local pre-aggregation', () => {
  const events = skewed(40_000, 7);
  for (const [name, window] of [
    ['sliding', sliding('10s', '2s')],
    ['tumbling', tumbling('5s')],
  ] as const) {
    for (const batchSize of [64, 1024]) {
      it(`${name} windows, batches of ${batchSize}: the same rows, late events and duplicates with and without`, () => {
        const off = run({}, window, events, batchSize, false);
        const on = run({}, window, events, batchSize, true);
        expect(off.rows.length).toBeGreaterThan(1_000);
        expect(off.late.length).toBeGreaterThan(100);
        expect(off.metrics.duplicates).toBeGreaterThan(100);
        expect(off.metrics.refires).toBeGreaterThan(10);
        // most events of the hot key took the local path
        expect(on.metrics.preAggregated).toBeGreaterThan(on.metrics.events * 0.3);
        expect(off.metrics.preAggregated).toBe(0);
        expect(on.rows).toEqual(off.rows);
        expect(on.late).toEqual(off.late);
        expect({ ...on.metrics, preAggregated: 0 }).toEqual(off.metrics);
        expect([on.keys, on.bytes]).toEqual([off.keys, off.bytes]);
      });
    }
  }

  it('is an asset option, off by default, and ignored for sessions', () => {
    const base = { name: 't', source: 's', key: 'k', eventTime: 'ts', window: tumbling('5s'), aggregates: { n: count() } };
    expect(streamingAsset(base).hotKeys).toEqual({ preAggregate: false, salted: false });
    expect(new WindowOperator(streamingAsset({ ...base, hotKeys: { preAggregate: true } })).preAggregate).toBe(true);
    expect(() => streamingAsset({ ...base, hotKeys: { salt: 4 } as never })).toThrow(/hotKeys.salt is not an option/);
  });
});
