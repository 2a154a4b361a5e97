// Key salting with a final merge: a hot key's events spread over every partition, so over both
// shards. Each shard writes partial windows; the merge combines them once both shards'
// watermarks have passed. The merged sink must equal a 1-shard run over the same events, through
// a crashed shard and a merge that died between staging and committing.
import { afterAll, describe, expect, it } from 'vitest';
import { avg, count, distinctCount, frequency, max, min, session, streamingAsset, sum } from '../core/streaming.ts';
import { loadSnapshot, readRows } from '../delta/index.ts';
import type { LocalStore } from '../storage/local.ts';
import type { ObjectStore } from '../storage/types.ts';
import { runStreamingJob } from './job.ts';
import type { JobResult } from './job.ts';
import { mergeAppId, mergePartials } from './merge.ts';
import { partialsTable, watermarkMark } from './partials.ts';
import { deltaSink } from './sink.ts';
import type { SinkWriter } from './sink.ts';
import { generatorSource } from './source-generator.ts';
import type { GeneratorContext } from './source-generator.ts';
import type { StreamSource } from './source.ts';
import { spend10sInput, tempStores } from '../test/support/stream/test-assets.ts';

const stores = tempStores('freshet-salting');
afterAll(stores.cleanup);

const asset = streamingAsset({
  ...spend10sInput,
  aggregates: {
    purchases: count(),
    spend: sum('amount'),
    merchants: distinctCount('merchant'),
    lo: min('amount'),
    hi: max('amount'),
    mean: avg('amount'),
    categories: frequency('category'),
  },
  hotKeys: { salted: true },
});

/** A salted producer: half the events are user 'hot', on every partition; the rest of the users land anywhere too. */
function saltedPurchase(ctx: GeneratorContext): Record<string, unknown> {
  const r = ctx.random;
  const user = r() < 0.5 ? 'hot' : `u${Math.floor(r() * 80)}`;
  return {
    id: `${ctx.partition}-${ctx.index}`,
    user_id: user,
    amount: Math.floor(r() * 10_000),
    merchant: `m${Math.floor(r() * 300)}`,
    category: `c${Math.floor(r() * r() * 6)}`,
    ts: ctx.time,
  };
}

// disorder within the bound plus the lateness: nothing is late for either layout
const gen = () =>
  generatorSource({
    partitions: 4,
    eventsPerSecond: 200,
    limit: 3_000,
    disorder: { probability: 0.05, maxDelayMs: 2_500 },
    seed: 5,
    make: saltedPurchase,
  });

function dying(src: StreamSource, polls: number): StreamSource {
  let n = 0;
  return {
    ...src,
    async poll(m, w) {
      if (++n > polls) throw new Error('shard killed');
      return src.poll(m, w);
    },
  };
}

/** A sink whose first commit to `table` dies after its files were staged. */
function dyingFirstCommit(inner: SinkWriter, table: ObjectStore): SinkWriter {
  let died = false;
  return {
    stage: inner.stage.bind(inner),
    committedVersion: inner.committedVersion.bind(inner),
    close: inner.close.bind(inner),
    async commit(t, ...rest) {
      if (t.uri === table.uri && !died) {
        died = true;
        throw new Error('merge killed before its commit');
      }
      return inner.commit(t, ...rest);
    },
  };
}

type Row = Record<string, unknown>;
const windowId = (r: Row) => `${r.user_id}@${Date.parse(String(r.window_end))}`;
const values = (r: Row) => JSON.stringify([r.window_start, r.purchases, r.spend, r.merchants, r.lo, r.hi, r.mean, r.categories]);

async function rowsOf(table: ObjectStore): Promise<Row[]> {
  const snap = await loadSnapshot(table);
  return snap ? readRows(table, snap) : [];
}

function run(
  store: LocalStore,
  source: StreamSource,
  shard: { index: number; count: number } | undefined,
  sink?: SinkWriter,
): Promise<JobResult> {
  return runStreamingJob({
    job: asset,
    store,
    sinkTable: store.at('sink'),
    source,
    sink,
    shard,
    checkpointIntervalMs: 0,
    compactEvery: 4,
    signal: new AbortController().signal,
    batchSize: 500,
  });
}

describe('salted hot keys with a final merge', () => {
  it('2 salted shards, merged, equal 1 shard: through a crashed shard and a merge killed before its commit', async () => {
    // 1 shard: every key's events in one place; its newest revision per window is the answer
    const single = await stores.make();
    const one = await run(single, gen(), undefined);
    expect(one.reason).toBe('source-exhausted');
    const latest = new Map<string, Row>();
    for (const r of await rowsOf(single.at('sink'))) {
      const prev = latest.get(windowId(r));
      if (!prev || Number(prev.revision) < Number(r.revision)) latest.set(windowId(r), r);
    }

    const salted = await stores.make();
    const sinkTable = salted.at('sink');
    const sink = deltaSink();
    const merge = (s: SinkWriter = sink) => mergePartials({ job: asset, partials: partialsTable(salted), sinkTable, shards: 2, sink: s });
    expect((await merge()).waitingFor).toEqual([0, 1]);

    // both shards at once, shard 0 dies mid-way (past the first windows' end + lateness, so a
    // pass alongside has windows to merge); merge passes run alongside
    const s0 = { index: 0, count: 2 };
    const s1 = { index: 1, count: 2 };
    let running = true;
    let passes = 0;
    const merging = (async () => {
      while (running) {
        if ((await merge()).windows > 0) passes++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const [crashed, done1] = await Promise.allSettled([run(salted, dying(gen(), 12), s0, sink), run(salted, gen(), s1, sink)]);
    expect(crashed.status).toBe('rejected');
    expect(done1.status).toBe('fulfilled');
    // the hot key reached both shards: neither saw all of it
    const partials = await rowsOf(partialsTable(salted));
    expect(new Set(partials.filter((r) => r.user_id === 'hot').map((r) => Number(r.shard)))).toEqual(new Set([0, 1]));
    // shard 1 is done, shard 0 is not: the merge holds back at shard 0's watermark
    const held = await merge();
    expect(held.watermark).toBeLessThan(one.metrics.watermark);

    running = false;
    await merging;
    expect(passes).toBeGreaterThan(0);

    // shard 0 restores its own checkpoint and finishes
    const done0 = await run(salted, gen(), s0, sink);
    expect(done0.reason).toBe('source-exhausted');
    expect(done0.metrics.restoredFrom).toBeGreaterThan(0);

    // the last pass dies after staging; the one after it writes those windows once
    const before = (await rowsOf(sinkTable)).length;
    await expect(merge(dyingFirstCommit(sink, sinkTable))).rejects.toThrow(/merge killed/);
    expect((await rowsOf(sinkTable)).length).toBe(before);
    const last = await merge();
    expect(last.windows).toBeGreaterThan(0);
    expect(last.watermark).toBe(one.metrics.watermark);
    expect((await merge()).windows).toBe(0); // nothing newer: a pass is a no-op
    await sink.close();

    const snap = (await loadSnapshot(sinkTable))!;
    expect(snap.txns.get(watermarkMark(mergeAppId(asset)))).toBe(one.metrics.watermark);
    const merged = await rowsOf(sinkTable);
    const ids = merged.map(windowId);
    expect(ids.length - new Set(ids).size).toBe(0); // no window written twice
    expect(merged.every((r) => Number(r.revision) === 0)).toBe(true);
    // every window final at the last watermark, with the 1-shard values; nothing else
    const final = [...latest.values()].filter(
      (r) => Date.parse(String(r.window_end)) - 1 + asset.allowedLatenessMs <= one.metrics.watermark,
    );
    expect(final.length).toBeGreaterThan(300);
    expect(new Map(merged.map((r) => [windowId(r), values(r)]))).toEqual(new Map(final.map((r) => [windowId(r), values(r)])));
  }, 120_000);

  it('is an asset option: off by default, refused for session windows', () => {
    expect(asset.hotKeys).toEqual({ preAggregate: false, salted: true });
    expect(() => streamingAsset({ ...spend10sInput, window: session('30s'), hotKeys: { salted: true } })).toThrow(
      /salted needs sliding or tumbling windows/,
    );
    expect(() => streamingAsset({ ...spend10sInput, hotKeys: { salted: 'yes' as never } })).toThrow(/hotKeys.salted must be true or false/);
  });
});
