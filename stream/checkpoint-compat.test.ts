// Checkpoints written by an earlier runtime (test/fixtures/stream-checkpoints) must restore.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { count, distinctCount, frequency, last, max, session, sliding, streamingAsset, sum, topK } from '../core/streaming.ts';
import { LocalStore } from '../storage/local.ts';
import { newEventBatch } from './batch.ts';
import { restoreLatest } from './checkpoint.ts';
import { makeDecoder } from './decode.ts';
import { jobFingerprint } from './job.ts';
import { WindowOperator } from './operator.ts';

const FIXTURES = path.join(import.meta.dirname, '../test/fixtures/stream-checkpoints');

function feeder(op: WindowOperator) {
  const dec = makeDecoder(op.asset, op.aggs);
  const b = newEventBatch(128, op.aggs.numericFields.length, op.aggs.valueFields.length);
  let offset = 0;
  return (events: Array<Record<string, unknown>>) => {
    let at = 0;
    while (at < events.length) {
      b.size = 0;
      at = dec.decode({ partition: 0, firstOffset: offset, records: events, nextOffset: offset + events.length }, at, b, []);
      op.process(b);
    }
    offset += events.length;
    return op.drain();
  };
}

/** the events the fixtures were built from (changing this invalidates them) */
function events(from: number, n: number, keys: number) {
  const o = [];
  for (let i = from; i < from + n; i++)
    o.push({ id: `e${i}`, k: `k${(i * 7) % keys}`, region: `r${i % 3}`, ts: i * 37, v: i % 13, cat: `c${i % 5}` });
  return o;
}

const base = { source: 's', eventTime: 'ts', watermark: { maxOutOfOrderness: '100ms' }, allowedLateness: '200ms' } as const;
const assets = {
  sliding: streamingAsset({
    ...base,
    name: 'ckpt_v1_sliding',
    key: ['k', 'region'],
    window: sliding('2s', '500ms'),
    dedupBy: 'id',
    aggregates: { n: count(), s: sum('v'), d: distinctCount('v'), f: frequency('cat'), t: topK('cat', 2), l: last('v') },
  }),
  session: streamingAsset({
    ...base,
    name: 'ckpt_v1_session',
    key: 'k',
    window: session('300ms'),
    aggregates: { n: count(), s: sum('v'), m: max('v'), l: last('cat') },
  }),
};

describe('checkpoints written by an earlier runtime', () => {
  for (const [name, asset] of Object.entries(assets)) {
    it(`restore and go on to produce the same rows (${name} windows)`, async () => {
      const dir = path.join(FIXTURES, `v1-${name}`);
      const expected = JSON.parse(await fs.readFile(path.join(dir, 'expected.json'), 'utf8')) as {
        keys: string[];
        watermark: number;
        rowCount: number;
        rowsSha256: string;
        sample: string[];
        late: number;
      };
      const op = new WindowOperator(asset, { now: () => 0 });
      const restored = await restoreLatest(new LocalStore(dir), op, jobFingerprint(asset));
      expect(restored!.chain).toEqual([1, 2, 3]);
      const after = feeder(op)(events(800, 500, 60));
      const rows = after.rows.map((r) => JSON.stringify(r)).sort();
      expect([...op.keys.keys()].sort()).toEqual(expected.keys);
      expect(op.watermark).toBe(expected.watermark);
      expect(rows.slice(0, 3)).toEqual(expected.sample);
      expect(rows.length).toBe(expected.rowCount);
      expect(createHash('sha256').update(rows.join('\n')).digest('hex')).toBe(expected.rowsSha256);
      expect(after.late.length).toBe(expected.late);
    });
  }
});
