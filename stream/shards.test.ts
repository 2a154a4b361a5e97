// Parallelism: a job runs as N shards, each owning the partitions p with p mod N = index, each
// with its own checkpoint chain and txn appId, all writing one sink table. The union of the
// shards' results is the 1-shard result, and a crashed shard restores only itself.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamingAsset } from '../core/streaming.ts';
import { loadSnapshot, readRows } from '../delta/index.ts';
import { LocalStore } from '../storage/local.ts';
import type { ObjectStore } from '../storage/types.ts';
import { listCheckpoints } from './checkpoint.ts';
import { runStreamingJob } from './job.ts';
import { spend10sInput, tempStores } from '../test/support/stream/test-assets.ts';
import type { JobResult } from './job.ts';
import { deltaSink } from './sink.ts';
import type { SinkWriter } from './sink.ts';
import { generatorSource } from './source-generator.ts';
import type { GeneratorContext } from './source-generator.ts';
import type { StreamSource } from './source.ts';

const stores = tempStores('freshet-shards');
const tempStore = stores.make;
afterAll(stores.cleanup);

const asset = streamingAsset({
  ...spend10sInput,
  hotKeys: { preAggregate: true },
});

/** Kafka-style keyed partitions: a user's events all land in one partition; half of each partition's events are its hot user. */
function keyedPurchase(ctx: GeneratorContext): Record<string, unknown> {
  const r = ctx.random;
  const user = r() < 0.5 ? 0 : 1 + Math.floor(r() * 60);
  return {
    id: `${ctx.partition}-${ctx.index}`,
    user_id: `u${ctx.partition}-${user}`,
    amount: Math.floor(r() * 10_000),
    merchant: `m${Math.floor(r() * 40)}`,
    ts: ctx.time,
  };
}

// disorder within the bound plus the lateness: windows re-fire, nothing is late, so the final
// results do not depend on how the partitions' watermarks combine
const gen = () =>
  generatorSource({
    partitions: 4,
    eventsPerSecond: 200,
    limit: 3_000,
    disorder: { probability: 0.05, maxDelayMs: 2_500 },
    seed: 11,
    make: keyedPurchase,
  });

function dying(src: StreamSource, polls: number): StreamSource {
  let n = 0;
  return {
    ...src,
    async poll(max, wait) {
      if (++n > polls) throw new Error('shard killed');
      return src.poll(max, wait);
    },
  };
}

type Row = Record<string, unknown>;
async function finalRows(table: ObjectStore): Promise<Map<string, string>> {
  const snap = await loadSnapshot(table);
  const rows = snap ? await readRows(table, snap) : [];
  const latest = new Map<string, Row>();
  const seen = new Set<string>();
  for (const r of rows) {
    const id = `${r.user_id}@${r.window_start}`;
    const rev = `${id}#${r.revision}`;
    if (seen.has(rev)) throw new Error(`row ${rev} was committed twice`);
    seen.add(rev);
    const prev = latest.get(id);
    if (!prev || Number(prev.revision) < Number(r.revision)) latest.set(id, r);
  }
  return new Map([...latest].map(([k, r]) => [k, JSON.stringify([r.window_end, r.purchases, r.spend, r.merchants])]));
}

/** Every file under dir with a hash of its bytes: what "untouched" means. */
async function files(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    out[path.relative(dir, full)] = createHash('sha256')
      .update(await fs.readFile(full))
      .digest('hex');
  }
  return out;
}

function run(store: LocalStore, source: StreamSource, shard?: { index: number; count: number }, sink?: SinkWriter): Promise<JobResult> {
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

describe('sharded streaming job', () => {
  it('2 shards over one input give the 1-shard results, each with its own checkpoints; a crashed shard restores only itself', async () => {
    const single = await tempStore();
    const one = await run(single, gen());
    expect(one.reason).toBe('source-exhausted');
    expect(one.metrics.events).toBe(12_000);
    const expected = await finalRows(single.at('sink'));
    expect(expected.size).toBeGreaterThan(500);

    // both shards at once, into one sink table; shard 0 is killed mid-way
    const sharded = await tempStore();
    const sink = deltaSink();
    const s0 = { index: 0, count: 2 };
    const s1 = { index: 1, count: 2 };
    const [crashed, done1] = await Promise.allSettled([run(sharded, dying(gen(), 6), s0, sink), run(sharded, gen(), s1, sink)]);
    expect(crashed.status).toBe('rejected');
    expect((crashed as PromiseRejectedResult).reason.message).toBe('shard killed');
    expect(done1.status).toBe('fulfilled');
    const r1 = (done1 as PromiseFulfilledResult<JobResult>).value;
    expect(r1.reason).toBe('source-exhausted');
    expect(r1.metrics.events).toBe(6_000); // partitions 1 and 3

    // separate chains: shard directories, no checkpoints at the job root
    const store0 = sharded.at('shard-0-of-2');
    const store1 = sharded.at('shard-1-of-2');
    const ids0 = await listCheckpoints(store0);
    expect(ids0.length).toBeGreaterThan(0);
    expect((await listCheckpoints(store1)).length).toBeGreaterThan(0);
    expect(await listCheckpoints(sharded)).toEqual([]);
    const before1 = await files(path.join(sharded.uri, 'shard-1-of-2'));
    expect(Object.keys(before1).length).toBeGreaterThan(0);

    // shard 0 restarts from its own newest checkpoint, and stops (abort) after one more checkpoint
    const stop = new AbortController();
    const again = await runStreamingJob({
      job: asset,
      store: sharded,
      sinkTable: sharded.at('sink'),
      source: gen(),
      sink,
      shard: s0,
      checkpointIntervalMs: 0,
      compactEvery: 4,
      signal: stop.signal,
      batchSize: 500,
      onCheckpoint: () => stop.abort(),
    });
    expect(again.reason).toBe('aborted');
    expect(again.metrics.restoredFrom).toBe(ids0.at(-1));
    // then runs to the end
    const done0 = await run(sharded, gen(), s0, sink);
    await sink.close();
    expect(done0.reason).toBe('source-exhausted');
    expect(done0.metrics.restoredFrom).toBeGreaterThan(again.metrics.restoredFrom);

    // shard 1's checkpoints were not touched by shard 0's crash and restores
    expect(await files(path.join(sharded.uri, 'shard-1-of-2'))).toEqual(before1);

    const got = await finalRows(sharded.at('sink'));
    expect(got).toEqual(expected);
  }, 60_000);
});
