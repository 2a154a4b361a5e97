// A salted job supervised by Temporal: the producer spreads the hot user over partitions, so both
// shards hold part of its windows; the workflow runs a merge activity beside the shards. The
// worker running all three is killed with SIGKILL mid-run, before the second half of the events exists. Every window must reach the sink
// once, with the values DuckDB computes over the same events.
import { describe, expect, it } from 'vitest';
import { startStream } from '../control/streams.ts';
import { loadSnapshot, readRows } from '../delta/index.ts';
import { openStore } from '../storage/index.ts';
import { makePurchases, partitionCounts, produceToTopic, saltHotKey } from './support/stream/kafka-fixture.ts';
import { mergeAppId } from '../stream/merge.ts';
import { partialsTable, watermarkMark } from '../stream/partials.ts';
import { spendPerUserSalted } from './support/stream/test-assets.ts';
import type { StreamingJobStatus } from '../contract/streaming.ts';
import { streamCluster } from './stream-cluster.ts';
import { compareWindows, referenceWindows, sinkWindows } from './stream-reference.ts';

const EVENTS = Number(process.env.FRESHET_SALTED_EVENTS ?? 1_000_000);
const PARTITIONS = 4;
const cluster = streamCluster('salted', { kafkaPartitions: PARTITIONS });
const { workers } = cluster;

describe('salted streaming job under Temporal', () => {
  it(`merges 2 shards' partial windows exactly once through a kill -9 (${EVENTS} events, half on one user)`, async () => {
    const asset = spendPerUserSalted.name;
    const events = makePurchases(EVENTS, 23, 2_000, { hot: 0.5, eventsPerSecond: 5_000 });
    // The second half is produced only after the kill, so the job cannot have finished before it:
    // the restarted worker has merging left to do, which the check on passes below relies on.
    const keyOf = saltHotKey(16);
    const half = Math.floor(events.length / 2);
    const firstEnds = await produceToTopic(cluster.kafka.brokers, 'salted', PARTITIONS, events.slice(0, half), { keyOf });
    const rest = partitionCounts(events.slice(half), PARTITIONS, keyOf);
    const stopAt = Object.fromEntries(Object.entries(firstEnds).map(([p, end]) => [p, end + (rest[p] ?? 0)]));
    await cluster.spawn();
    const id = await startStream(
      cluster.h.client,
      cluster.h.config.taskQueue,
      asset,
      { kind: 'kafka', brokers: cluster.kafka.brokers, topic: 'salted', stopAt },
      { shards: 2, checkpointIntervalMs: 500, heartbeatTimeoutMs: 3_000 },
    );

    // kill the worker (both shards and the merge) once the merge has committed a pass
    const store = openStore(cluster.h.config.warehouse);
    const sink = store.at(asset);
    const passes = async () => (await loadSnapshot(sink))?.txns.get(mergeAppId(spendPerUserSalted)) ?? 0;
    const deadline = Date.now() + 120_000;
    while ((await passes()) < 1) {
      if (Date.now() > deadline) throw new Error('no merge pass within 120 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
    await workers[workers.length - 1].kill9();
    const passesAtKill = await passes();
    expect(await produceToTopic(cluster.kafka.brokers, 'salted', PARTITIONS, events.slice(half), { keyOf })).toEqual(stopAt);
    await cluster.spawn();
    const done = (await cluster.h.client.workflow.getHandle(id).result()) as StreamingJobStatus;
    expect(done.state).toBe('finished');
    expect(await passes()).toBeGreaterThan(passesAtKill);

    // the hot user's windows were split between the shards
    const partials = partialsTable(store.at(`_streams/${asset}`));
    const hotShards = new Set(
      (await readRows(partials, (await loadSnapshot(partials))!)).filter((r) => r.user_id === 'hot').map((r) => Number(r.shard)),
    );
    expect(hotShards).toEqual(new Set([0, 1]));

    // each window once, equal to DuckDB for every window final at the merged watermark
    const snap = (await loadSnapshot(sink))!;
    const watermark = snap.txns.get(watermarkMark(mergeAppId(spendPerUserSalted)))!;
    const { windows: got, doubled, rows } = await sinkWindows(sink);
    expect(rows).toBe(got.size);
    const want = await referenceWindows(events, watermark);
    expect(want.size).toBeGreaterThan(10_000);
    expect(got.get(`hot@${[...want.keys()].find((k) => k.startsWith('hot@'))!.slice(4)}`)).toBeDefined();
    expect({ doubled, ...compareWindows(got, want) }).toEqual({ doubled: 0, wrong: 0, extra: 0, sample: [] });
  }, 600_000);
});
