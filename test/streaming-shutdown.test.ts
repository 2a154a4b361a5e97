// SIGTERM to the worker running a streaming shard: the shard does not wait out the worker's
// shutdown grace (60 s here); it takes a last checkpoint and moves to the other worker at once,
// the stopped worker exits 0, and the sink still holds every window of the events read, once.
import { describe, expect, it } from 'vitest';
import { startStream, stopStream, type StreamStatus } from '../control/streams.ts';
import { spendPerUser } from './support/stream/test-assets.ts';
import type { StreamingJobStatus } from '../contract/streaming.ts';
import { streamCluster } from './stream-cluster.ts';
import { checkStoppedJobOutput } from './stream-reference.ts';

const cluster = streamCluster('stream-shutdown');
const until = (what: string, ok: (s: StreamStatus) => boolean, timeoutMs = 60_000) =>
  cluster.untilStatus(spendPerUser.name, what, ok, { timeoutMs });

describe('SIGTERM to the worker running a streaming shard', () => {
  it('moves the shard to the other worker at once, without waiting out the grace period; every window once', async () => {
    const asset = spendPerUser.name;
    // a fixed start time: the events are the same whichever run generates them
    const options = { partitions: 2, eventsPerSecond: 400, realtime: true, startTime: Date.now() - 20_000, seed: 13 };
    const env = { FRESHET_SHUTDOWN_GRACE: '60s' };
    const pair = [await cluster.spawn(env), await cluster.spawn(env)];
    const id = await startStream(
      cluster.h.client,
      cluster.h.config.taskQueue,
      asset,
      { kind: 'generator', options },
      { checkpointIntervalMs: 500 },
    );

    const running = await until('a few checkpoints', (s) => (s.shardsStatus[0]?.heartbeat?.checkpointId ?? 0) >= 3);
    const before = running.shardsStatus[0].heartbeat!;
    const victim = pair.find((w) => w.pid === before.pid)!;
    const other = pair.find((w) => w !== victim)!;
    expect(victim).toBeDefined();

    const exit = await victim.term();
    expect({ code: exit.code, signal: exit.signal }, victim.output().slice(-2000)).toEqual({ code: 0, signal: null });
    // the shard checkpointed and handed itself back: the worker did not sit out its 60 s of grace
    expect(exit.ms).toBeLessThan(15_000);

    const moved = await until(
      'the shard on the other worker',
      // (a new attempt shows the last one's heartbeat until it beats itself)
      (s) =>
        s.shardsStatus[0]?.attempt === 2 &&
        s.shardsStatus[0].heartbeat?.pid !== victim.pid &&
        s.shardsStatus[0].heartbeat?.phase === 'running',
    );
    const shard = moved.shardsStatus[0];
    expect(shard.heartbeat!.pid).toBe(other.pid);
    expect(shard.lastFailure).toMatch(/worker shutting down/);
    // it resumed from the checkpoint taken as it left, not an older one
    expect(shard.heartbeat!.restoredFrom).toBeGreaterThan(before.checkpointId);
    await until(
      'a checkpoint on the other worker',
      (s) => (s.shardsStatus[0]?.heartbeat?.checkpointId ?? 0) > shard.heartbeat!.checkpointId + 1,
    );

    await stopStream(cluster.h.client, cluster.h.config.taskQueue, asset);
    const done = (await cluster.h.client.workflow.getHandle(id).result()) as StreamingJobStatus;
    expect(done.state).toBe('stopped');

    // every window the final watermark closed, from exactly the events read, none twice
    const out = await checkStoppedJobOutput(cluster.h.config.warehouse, asset, options);
    expect(out.events).toBeGreaterThan(2_000);
    expect(out.windows).toBeGreaterThan(500);
    expect(out.compare).toEqual({ doubled: 0, wrong: 0, extra: 0, sample: [] });
  }, 300_000);
});
