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
import type { JobMetrics } from './job.ts';
import { deltaSink } from './sink.ts';
import type { SinkWriter } from './sink.ts';
import { generatorSource } from './source-generator.ts';
import { fileSource } from './source-file.ts';
import type { StreamSource } from './source.ts';

const stores = tempStores('freshet-stream');
const tempStore = stores.make;
afterAll(stores.cleanup);

const asset = streamingAsset({
  ...spend10sInput,
});

const gen = () =>
  generatorSource({ partitions: 2, eventsPerSecond: 200, limit: 6_000, disorder: { probability: 0.05, maxDelayMs: 15_000 }, seed: 42 });

/** A source that dies after `polls` polls, like a killed worker. */
function dying(src: StreamSource, polls: number): StreamSource {
  let n = 0;
  return {
    ...src,
    name: src.name,
    async poll(max, wait) {
      if (++n > polls) throw new Error('worker killed');
      return src.poll(max, wait);
    },
  };
}

/** A sink whose nth commit dies after the checkpoint naming it was written. */
function dyingCommit(inner: SinkWriter, nth: number): SinkWriter {
  let n = 0;
  return {
    ...inner,
    stage: inner.stage.bind(inner),
    committedVersion: inner.committedVersion.bind(inner),
    close: inner.close.bind(inner),
    async commit(...args) {
      if (++n === nth) throw new Error('worker killed between checkpoint and commit');
      return inner.commit(...args);
    },
  };
}

type Row = Record<string, unknown>;
async function finalRows(table: ObjectStore): Promise<Map<string, Row>> {
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
  return latest;
}

const strip = (m: Map<string, Row>) => new Map([...m].map(([k, r]) => [k, JSON.stringify([r.purchases, r.spend, r.merchants])]));

async function run(store: LocalStore, source: StreamSource, sink?: SinkWriter, onCheckpoint?: (id: number, m: JobMetrics) => void) {
  return runStreamingJob({
    job: asset,
    store,
    sinkTable: store.at('sink'),
    source,
    sink,
    checkpointIntervalMs: 0,
    compactEvery: 4,
    signal: new AbortController().signal,
    batchSize: 500,
    onCheckpoint,
  });
}

describe('runStreamingJob', () => {
  it('writes each window result exactly once through crashes at both ends of a checkpoint', async () => {
    const clean = await tempStore();
    const metrics: JobMetrics[] = [];
    const r = await run(clean, gen(), undefined, (_id, m) => void metrics.push(m));
    expect(r.reason).toBe('source-exhausted');
    const expected = await finalRows(clean.at('sink'));
    expect(expected.size).toBeGreaterThan(500);
    expect(metrics.at(-1)!.events).toBe(12_000);
    // chains are compacted: at most compactEvery checkpoints remain
    expect((await listCheckpoints(clean)).length).toBeLessThanOrEqual(4);

    const crashed = await tempStore();
    const sink = deltaSink();
    await expect(run(crashed, dying(gen(), 7), sink)).rejects.toThrow('worker killed');
    await expect(run(crashed, dying(gen(), 5), dyingCommit(sink, 2))).rejects.toThrow('between checkpoint and commit');
    await expect(run(crashed, dying(gen(), 9), sink)).rejects.toThrow('worker killed');
    const done = await run(crashed, gen(), sink);
    await sink.close();
    expect(done.reason).toBe('source-exhausted');
    expect(done.metrics.restoredFrom).toBeGreaterThan(0);
    const got = await finalRows(crashed.at('sink'));
    expect(strip(got)).toEqual(strip(expected));
    // late events: the same set, each once
    const lateOf = async (s: ObjectStore) => {
      const snap = await loadSnapshot(s.at('late_events'));
      return snap ? (await readRows(s.at('late_events'), snap)).map((l) => `${l.partition}:${l.offset}`).sort() : [];
    };
    const lateClean = await lateOf(clean);
    expect(lateClean.length).toBeGreaterThan(0);
    expect(await lateOf(crashed)).toEqual(lateClean);
  }, 60_000);

  it('reads a JSON-lines file, dead-letters bad lines, and resumes from its byte offset', async () => {
    const store = await tempStore();
    const file = path.join(store.uri, 'events.jsonl');
    const lines = [];
    for (let i = 0; i < 300; i++) lines.push(JSON.stringify({ id: `e${i}`, user_id: `u${i % 7}`, amount: 1, merchant: 'm', ts: i * 100 }));
    lines.splice(10, 0, '{not json');
    await fs.writeFile(file, `${lines.join('\n')}\n`);
    await expect(run(store, dying(fileSource(file, { chunkBytes: 4096 }), 1))).rejects.toThrow('worker killed');
    const first = await run(store, fileSource(file, { chunkBytes: 1024 }));
    expect(first.reason).toBe('source-exhausted');
    const more = [];
    for (let i = 300; i < 600; i++) more.push(JSON.stringify({ id: `e${i}`, user_id: `u${i % 7}`, amount: 1, merchant: 'm', ts: i * 100 }));
    await fs.appendFile(file, `${more.join('\n')}\n`);
    const second = await run(store, fileSource(file, { chunkBytes: 1024 }));
    expect(second.metrics.events).toBe(300); // only the new lines
    const got = await finalRows(store.at('sink'));
    // windows fully closed by the watermark (58.9 s): every event counted 5 times (window/slide)
    let total = 0;
    for (const r of got.values()) total += Number(r.purchases);
    expect(total).toBeGreaterThan(2_500);
    const deadSnap = await loadSnapshot(store.at('dead_letters'));
    const dead = await readRows(store.at('dead_letters'), deadSnap!);
    expect(dead.map((d) => [d.raw, String(d.error).slice(0, 12)])).toEqual([['{not json', 'invalid JSON']]);
  }, 60_000);
});
