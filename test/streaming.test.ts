// The streaming job supervised by Temporal: a real `freshet worker` process killed with SIGKILL
// three times while it consumes Kafka; Temporal retries the shard activity on the next worker,
// which restores the newest checkpoint. The sink must equal DuckDB over the same events.
import { describe, expect, it } from 'vitest';
import { startStream, type StreamStatus } from '../control/streams.ts';
import { openStore } from '../storage/index.ts';
import { listCheckpoints, readCheckpointHeader } from '../stream/checkpoint.ts';
import { makePurchases, produceToTopic } from './support/stream/kafka-fixture.ts';
import type { StreamingJobStatus } from '../contract/streaming.ts';
import { streamCluster } from './stream-cluster.ts';
import { compareWindows, referenceWindows, sinkWindows } from './stream-reference.ts';

const EVENTS = Number(process.env.FRESHET_STREAM_EVENTS ?? 2_000_000);
const PARTITIONS = 3;
const cluster = streamCluster('stream', { kafkaPartitions: PARTITIONS });
const { workers } = cluster;

describe('supervised streaming job', () => {
  it(`is exactly-once through three kill -9 of the worker (${EVENTS} events from Kafka)`, async () => {
    const topic = 'purchases';
    const events = makePurchases(EVENTS, 11, 5_000);
    const stopAt = await produceToTopic(cluster.kafka.brokers, topic, PARTITIONS, events);

    await cluster.spawn();
    const asset = 'spend_per_user_10s';
    const id = await startStream(
      cluster.h.client,
      cluster.h.config.taskQueue,
      asset,
      { kind: 'kafka', brokers: cluster.kafka.brokers, topic, stopAt },
      { checkpointIntervalMs: 500, heartbeatTimeoutMs: 3_000 },
    );

    const checkpoints: number[] = [];
    for (let kill = 0; kill < 3; kill++) {
      // Wait for a checkpoint newer than the last one seen, then kill at a random moment.
      const seen = checkpoints[checkpoints.length - 1] ?? 0;
      const checkpointId = (s: StreamStatus) => s.shardsStatus[0]?.heartbeat?.checkpointId ?? -1;
      const st = await cluster.untilStatus(
        asset,
        `a checkpoint after ${seen} (else raise FRESHET_STREAM_EVENTS)`,
        (s) => checkpointId(s) > seen,
      );
      checkpoints.push(checkpointId(st));
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
      await workers[workers.length - 1].kill9();
      await cluster.spawn();
    }
    const done = (await cluster.h.client.workflow.getHandle(id).result()) as StreamingJobStatus;
    expect(done.state).toBe('finished');

    // The sink: each window's newest revision, and no revision committed twice.
    const store = openStore(cluster.h.config.warehouse);
    const { windows: got, doubled } = await sinkWindows(store.at(asset));

    // DuckDB over the same events: every sliding window (10 s, every 2 s) the final watermark closed.
    const jobStore = store.at(`_streams/${asset}`);
    const ids = await listCheckpoints(jobStore);
    const watermark = (await readCheckpointHeader(jobStore, ids[ids.length - 1])).watermark.watermark;
    const want = await referenceWindows(events, watermark);
    expect(want.size).toBeGreaterThan(10_000);
    expect({ doubled, ...compareWindows(got, want) }).toEqual({ doubled: 0, wrong: 0, extra: 0, sample: [] });
  }, 900_000);
});
