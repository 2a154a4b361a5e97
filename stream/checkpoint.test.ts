import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { count, distinctCount, frequency, last, session, sliding, streamingAsset, sum, topK } from '../core/streaming.ts';
import type { StreamingAssetInput } from '../core/streaming.ts';
import { LocalStore } from '../storage/local.ts';
import { newEventBatch } from './batch.ts';
import {
  checkpointPath,
  listCheckpoints,
  pruneBefore,
  restoreLatest,
  SnapshotWriter,
  snapshotState,
  writeCheckpoint,
} from './checkpoint.ts';
import { makeDecoder } from './decode.ts';
import { jobFingerprint } from './job.ts';
import { WindowOperator } from './operator.ts';
import type { WindowRow } from './operator.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});
async function tempStore(): Promise<LocalStore> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-ckpt-'));
  dirs.push(d);
  return new LocalStore(d);
}

function feeder(op: WindowOperator) {
  const dec = makeDecoder(op.asset, op.aggs);
  const b = newEventBatch(128, op.aggs.numericFields.length, op.aggs.valueFields.length);
  let offset = 0;
  return (events: Array<Record<string, unknown>>): WindowRow[] => {
    let at = 0;
    while (at < events.length) {
      b.size = 0;
      at = dec.decode({ partition: 0, firstOffset: offset, records: events, nextOffset: offset + events.length }, at, b, []);
      op.process(b);
    }
    offset += events.length;
    return op.drain().rows;
  };
}

function events(from: number, n: number, keys: number) {
  const out = [];
  for (let i = from; i < from + n; i++) out.push({ id: `e${i}`, k: `k${(i * 7) % keys}`, ts: i * 37, v: i % 13, cat: `c${i % 5}` });
  return out;
}

const header = (op: WindowOperator, id: number, parent: number | null) => ({
  job: op.asset.name,
  id,
  parent,
  createdAt: 0,
  offsets: { '0': id },
  watermark: op.tracker.state(),
  pending: { rows: [], late: [], dead: [] },
  sinkVersion: 0,
  chainLength: parent === null ? 0 : 1,
  fingerprint: jobFingerprint(op.asset),
  keyCount: op.keys.size,
});

const inputs: Array<[string, Partial<StreamingAssetInput>]> = [
  [
    'sliding windows with sketches and dedup',
    {
      window: sliding('2s', '500ms'),
      dedupBy: 'id',
      aggregates: { n: count(), s: sum('v'), d: distinctCount('v'), f: frequency('cat'), t: topK('cat', 2), l: last('v') },
    },
  ],
  ['session windows', { window: session('300ms'), aggregates: { n: count(), s: sum('v') } }],
];

describe('checkpoints', () => {
  for (const [name, input] of inputs) {
    it(`restore a full + incremental chain to the same state (${name})`, async () => {
      const asset = streamingAsset({
        name: 'ckpt',
        source: 's',
        key: 'k',
        eventTime: 'ts',
        watermark: { maxOutOfOrderness: '100ms' },
        allowedLateness: '200ms',
        aggregates: { n: count() },
        window: sliding('1s', '500ms'),
        ...input,
      });
      const store = await tempStore();
      const op = new WindowOperator(asset);
      const feed = feeder(op);
      feed(events(0, 400, 50));
      await writeCheckpoint(store, header(op, 1, null), snapshotState(op, true));
      feed(events(400, 300, 70)); // new keys, evictions of old ones
      await writeCheckpoint(store, header(op, 2, 1), snapshotState(op, false));
      feed(events(700, 100, 20));
      await writeCheckpoint(store, header(op, 3, 2), snapshotState(op, false));

      const copy = new WindowOperator(asset);
      const restored = await restoreLatest(store, copy, jobFingerprint(asset));
      expect(restored!.chain).toEqual([1, 2, 3]);
      expect(restored!.header.offsets).toEqual({ '0': 3 });
      expect([...copy.keys.keys()].sort()).toEqual([...op.keys.keys()].sort());
      // both go on to produce the same rows from the same events
      const more = events(800, 500, 60);
      const a = feed(more).map((r) => JSON.stringify(r));
      const b = feeder(copy)(more).map((r) => JSON.stringify(r));
      expect(b.sort()).toEqual(a.sort());
      expect(a.length).toBeGreaterThan(10);
    });
  }

  for (const full of [true, false]) {
    it(`encodes ${full ? 'a full' : 'an incremental'} snapshot in slices while events change its keys (copy-on-write)`, async () => {
      const asset = streamingAsset({
        name: 'ckpt',
        source: 's',
        key: 'k',
        eventTime: 'ts',
        dedupBy: 'id',
        window: sliding('1s', '500ms'),
        allowedLateness: '300ms',
        aggregates: { n: count(), d: distinctCount('v') },
      });
      const sliced = new WindowOperator(asset);
      const atOnce = new WindowOperator(asset);
      const feedSliced = feeder(sliced);
      const feedAtOnce = feeder(atOnce);
      const storeA = await tempStore();
      const storeB = await tempStore();
      // dense in time, so all 1 000 keys hold open windows
      const dense = (from: number, n: number) => events(from, n, 1_000).map((e, j) => ({ ...e, ts: from + j }));
      feedSliced(dense(0, 3_000));
      feedAtOnce(dense(0, 3_000));
      if (!full) {
        // an incremental snapshot holds the keys changed since a full one
        await writeCheckpoint(storeA, header(sliced, 1, null), snapshotState(sliced, true));
        await writeCheckpoint(storeB, header(atOnce, 1, null), snapshotState(atOnce, true));
        feedSliced(dense(3_000, 600));
        feedAtOnce(dense(3_000, 600));
      }
      const id = full ? 1 : 2;
      const parent = full ? null : 1;
      const writer = new SnapshotWriter(sliced, full);
      writer.start();
      const headerAtStart = header(sliced, id, parent); // the watermark as of the snapshot, as the job does
      // events arrive while the snapshot is encoded a few keys at a time; some evict keys
      const from = full ? 3_000 : 3_600;
      let steps = 0;
      for (let i = 0; !writer.step(0); i++) {
        steps++;
        feedSliced(dense(from + i * 10, 10));
      }
      expect(steps).toBeGreaterThan(3);
      await writeCheckpoint(storeA, headerAtStart, writer.result());
      await writeCheckpoint(storeB, header(atOnce, id, parent), snapshotState(atOnce, full));
      const a = new WindowOperator(asset);
      const b = new WindowOperator(asset);
      await restoreLatest(storeA, a, jobFingerprint(asset));
      await restoreLatest(storeB, b, jobFingerprint(asset));
      expect(a.keys.size).toBe(atOnce.keys.size);
      const more = dense(from, 1_500);
      expect(
        feeder(a)(more)
          .map((r) => JSON.stringify(r))
          .sort(),
      ).toEqual(
        feeder(b)(more)
          .map((r) => JSON.stringify(r))
          .sort(),
      );
    });
  }

  it('prunes the chains before a full checkpoint, fences a second writer, and names a corrupt file', async () => {
    const asset = streamingAsset({
      name: 'ckpt',
      source: 's',
      key: 'k',
      eventTime: 'ts',
      window: sliding('1s', '500ms'),
      aggregates: { n: count() },
    });
    const store = await tempStore();
    const op = new WindowOperator(asset);
    feeder(op)(events(0, 100, 10));
    await writeCheckpoint(store, header(op, 1, null), snapshotState(op, true));
    await writeCheckpoint(store, header(op, 2, 1), snapshotState(op, false));
    await writeCheckpoint(store, header(op, 3, null), snapshotState(op, true));
    expect(await pruneBefore(store, 3)).toBe(2);
    expect(await listCheckpoints(store)).toEqual([3]);
    await expect(writeCheckpoint(store, header(op, 3, null), snapshotState(op, true))).rejects.toThrow(
      /already exists: another run of job 'ckpt'/,
    );
    const other = streamingAsset({
      name: 'ckpt',
      source: 's',
      key: 'k',
      eventTime: 'ts',
      window: sliding('2s', '500ms'),
      aggregates: { n: count() },
    });
    await expect(restoreLatest(store, new WindowOperator(other), jobFingerprint(other))).rejects.toThrow(
      /different key, window or aggregates/,
    );
    await store.put(checkpointPath(4), 'garbage');
    await expect(restoreLatest(store, new WindowOperator(asset), jobFingerprint(asset))).rejects.toThrow(
      /00000000000000000004.ckpt cannot be read.*never skipped/,
    );
  });
});
