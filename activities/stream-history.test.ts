// A shard's metrics history: bounded to the newest samples, continued by the next run of the
// shard, and never a reason for the job to fail (a store that refuses writes only loses points).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { streamHistoryPath } from '../contract/layout.ts';
import { appendSample, parseStreamHistory, type JobMetrics, type StreamMetricsSample } from '../contract/streaming.ts';
import type { ObjectStore } from '../storage/index.ts';
import { tempStores } from '../test/support/stream/test-assets.ts';
import { historyWriter, readHistory } from './stream-history.ts';

const stores = tempStores('stream-history');
afterAll(() => stores.cleanup());

const sample = (i: number): StreamMetricsSample => ({
  at: 1_000 * i,
  checkpointId: i,
  eventsPerSecond: i,
  watermarkLagMs: 10 * i,
  stateKeys: i,
});
const metrics = (i: number) =>
  ({ lastCheckpointAt: 1_000 * i, eventsPerSecond: i, watermarkLagMs: 10 * i, stateKeys: i }) as Omit<JobMetrics, 'calibration'>;

describe('a shard metrics history', () => {
  it('keeps the newest max samples, oldest first, whatever the count and bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 50 }), (n, max) => {
        let h: StreamMetricsSample[] = [];
        for (let i = 1; i <= n; i++) h = appendSample(h, sample(i), max);
        expect(h.map((s) => s.checkpointId)).toEqual(Array.from({ length: Math.min(n, max) }, (_, k) => n - Math.min(n, max) + k + 1));
      }),
    );
  });

  it('is written at each checkpoint, bounded, and the next run of the shard continues it', async () => {
    const store = await stores.make();
    const first = historyWriter(store, 3, () => {});
    for (let i = 1; i <= 5; i++) first.record(i, metrics(i));
    await first.flush();
    expect((await readHistory(store, 3)).map((s) => s.checkpointId)).toEqual([1, 2, 3, 4, 5]);
    // a restart: a new writer reads what the last run left
    const second = historyWriter(store, 3, () => {});
    for (let i = 6; i <= 400; i++) second.record(i, metrics(i));
    await second.flush();
    const h = await readHistory(store, 3);
    expect(h).toHaveLength(360);
    expect(h[0].checkpointId).toBe(41);
    expect(h.at(-1)).toEqual(sample(400));
    // another shard's file is its own
    expect(await readHistory(store, 0)).toEqual([]);
  });

  it('a store that refuses the write costs the chart a point, never the job an error', async () => {
    const good = await stores.make();
    let fail = true;
    // the real store, but its writes fail while `fail` holds
    const flaky = Object.create(good, {
      put: { value: (p: string, d: string) => (fail ? Promise.reject(new Error('disk full')) : good.put(p, d)) },
    }) as ObjectStore;
    const warnings: string[] = [];
    const w = historyWriter(flaky, 0, (m) => warnings.push(m));
    w.record(1, metrics(1));
    await w.flush();
    expect(warnings).toEqual([expect.stringMatching(/metrics history of shard 0 was not written .*disk full/)]);
    fail = false;
    w.record(2, metrics(2));
    await w.flush();
    expect((await readHistory(good, 0)).map((s) => s.checkpointId)).toEqual([1, 2]);
  });

  it('a torn or foreign file reads as an empty history', async () => {
    for (const text of ['', '{', 'null', '[]', '{"samples": 3}', '"x"']) expect(parseStreamHistory(text)).toEqual([]);
    const store = await stores.make();
    await store.put(streamHistoryPath(0), '{"shard":0,"samp');
    expect(await readHistory(store, 0)).toEqual([]);
  });
});
