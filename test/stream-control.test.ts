// Operating a supervised streaming job through Temporal: the status query and heartbeat metrics,
// a restart by signal, a deploy (new worker up, old one stopped: the shard moves and restores
// its newest checkpoint), and stop. Across all of it the sink must hold every window of the
// events read, once: the generator is deterministic, so the reference is recomputed from the
// final checkpoint's offsets.
import { describe, expect, it } from 'vitest';
import { restartStream, startStream, stopStream, streamStatus, type StreamStatus } from '../control/streams.ts';
import { spendPerUser } from './support/stream/test-assets.ts';
import type { StreamingJobStatus } from '../contract/streaming.ts';
import { streamCluster } from './stream-cluster.ts';
import { checkStoppedJobOutput } from './stream-reference.ts';

const cluster = streamCluster('stream-control');
const { workers } = cluster;

const until = (what: string, ok: (s: StreamStatus) => boolean, timeoutMs = 60_000) =>
  cluster.untilStatus(spendPerUser.name, what, ok, { timeoutMs });

describe('operating a streaming job', () => {
  it('reports live metrics, restarts by signal, moves to a new worker on deploy, stops; every window once', async () => {
    const asset = spendPerUser.name;
    // a fixed start time: the events are the same whichever run generates them
    const options = { partitions: 2, eventsPerSecond: 400, realtime: true, startTime: Date.now() - 20_000, seed: 9 };
    await cluster.spawn();
    // the default 10 s heartbeat timeout: this test asserts attempts, so a heartbeat late on a loaded machine must not add one
    const id = await startStream(
      cluster.h.client,
      cluster.h.config.taskQueue,
      asset,
      { kind: 'generator', options },
      { checkpointIntervalMs: 500 },
    );

    // status: the query's state and the heartbeat's live metrics
    const live = await until('live metrics', (s) => (s.shardsStatus[0]?.heartbeat?.checkpointId ?? 0) >= 3);
    expect({
      state: live.state,
      workflowStatus: live.workflowStatus,
      shards: live.shards,
      restarts: live.restarts,
      source: live.source,
    }).toEqual({ state: 'running', workflowStatus: 'RUNNING', shards: 1, restarts: 0, source: 'generator' });
    const m = live.shardsStatus[0].heartbeat!.metrics!;
    expect(m.eventsPerSecond).toBeGreaterThan(0);
    expect(m.stateKeys).toBeGreaterThan(0);
    expect(Date.now() - m.lastCheckpointAt).toBeLessThan(10_000);
    // realtime events, 2 s of out-of-orderness: the watermark trails the clock by seconds, not minutes
    expect(m.watermarkLagMs).toBeGreaterThan(0);
    expect(m.watermarkLagMs).toBeLessThan(15_000);

    // restart by signal: a new shard run that restores the newest checkpoint
    const before = live.shardsStatus[0].heartbeat!.checkpointId;
    await restartStream(cluster.h.client, cluster.h.config.taskQueue, asset);
    const restarted = await until(
      'restart',
      (s) =>
        s.restarts === 1 && s.shardsStatus[0]?.heartbeat?.phase === 'running' && (s.shardsStatus[0].heartbeat.restoredFrom ?? 0) > before,
    );
    expect(restarted.shardsStatus[0].attempt).toBe(1);

    // deploy: a new worker joins, the old one stops gracefully; the shard moves and restores
    const old = workers[0];
    await cluster.spawn();
    const atStop = (await streamStatus(cluster.h.client, cluster.h.config.taskQueue, asset))!.shardsStatus[0].heartbeat!.checkpointId;
    await old.stop();
    const moved = await until(
      'shard on the new worker',
      (s) =>
        s.shardsStatus[0]?.attempt === 2 &&
        s.shardsStatus[0].heartbeat?.phase === 'running' &&
        (s.shardsStatus[0].heartbeat.restoredFrom ?? 0) > atStop,
      90_000,
    );
    expect(moved.state).toBe('running');
    expect(moved.shardsStatus[0].heartbeat!.pid).toBe(workers[1].pid);
    await until(
      'a checkpoint on the new worker',
      (s) => (s.shardsStatus[0]?.heartbeat?.checkpointId ?? 0) > moved.shardsStatus[0].heartbeat!.checkpointId + 1,
    );

    // stop: a last checkpoint, then the workflow ends
    await stopStream(cluster.h.client, cluster.h.config.taskQueue, asset);
    const done = (await cluster.h.client.workflow.getHandle(id).result()) as StreamingJobStatus;
    expect(done).toMatchObject({ state: 'stopped', restarts: 1 });

    // every window the final watermark closed, from exactly the events read, none twice
    const out = await checkStoppedJobOutput(cluster.h.config.warehouse, asset, options);
    expect(out.events).toBeGreaterThan(5_000);
    expect(out.windows).toBeGreaterThan(1_000);
    expect(out.compare).toEqual({ doubled: 0, wrong: 0, extra: 0, sample: [] });
  }, 300_000);
});
