// A 2-shard streaming job supervised by Temporal, each shard on its own `freshet worker` process
// (one activity slot each). The worker running shard 0 is killed with SIGKILL: Temporal retries
// shard 0 elsewhere and it restores its own newest checkpoint, while shard 1 keeps running on its
// worker, never restarted. The sink must equal DuckDB over the same events, every window once.
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { ShardInput } from '../contract/streaming.ts';
import { startStream, type ShardStatus, type StreamStatus } from '../control/streams.ts';
import { openStore } from '../storage/index.ts';
import { listCheckpoints, readCheckpointHeader } from '../stream/checkpoint.ts';
import { makePurchases, partitionOf, produceToTopic, type PurchaseEvent } from './support/stream/kafka-fixture.ts';
import { spendPerUser } from './support/stream/test-assets.ts';
import type { StreamingJobStatus } from '../contract/streaming.ts';
import { streamCluster } from './stream-cluster.ts';
import { compareWindows, referenceWindows, sinkWindows } from './stream-reference.ts';

const EVENTS = Number(process.env.FRESHET_SHARDED_EVENTS ?? 1_200_000);
const PARTITIONS = 4;
const SHARDS = 2;
const cluster = streamCluster('shards', { kafkaPartitions: PARTITIONS });
const { workers } = cluster;

const shardOf = (s: StreamStatus, index: number): ShardStatus | undefined => s.shardsStatus.find((sh) => sh.heartbeat?.shard === index);
/** What each worker printed last, for a failure message. */
const workerTails = () => workers.map((w) => `\n--- worker ${w.pid}\n${w.output().slice(-3000)}`).join('');

describe('sharded streaming job under Temporal', () => {
  it(`restores only the shard whose worker was killed with kill -9, exactly once (${EVENTS} events, ${SHARDS} shards)`, async () => {
    const asset = spendPerUser.name;
    const topic = 'purchases';
    const events = makePurchases(EVENTS, 17, 5_000);
    const stopAt = await produceToTopic(cluster.kafka.brokers, topic, PARTITIONS, events);

    // each user's events sit on one partition, so in one shard: split the events by shard
    const userPartition = new Map<string, number>();
    const perPartition = new Array<number>(PARTITIONS).fill(0);
    const byShard: PurchaseEvent[][] = Array.from({ length: SHARDS }, () => []);
    for (const e of events) {
      let p = userPartition.get(e.user_id);
      if (p === undefined) userPartition.set(e.user_id, (p = partitionOf(e.user_id, PARTITIONS)));
      perPartition[p]++;
      byShard[p % SHARDS].push(e);
    }
    // (the split is the broker's: every partition holds exactly the events computed for it)
    expect(perPartition).toEqual(Array.from({ length: PARTITIONS }, (_, p) => stopAt[String(p)]));
    expect(Math.min(...byShard.map((b) => b.length))).toBeGreaterThan(EVENTS / 5);

    // one activity slot per worker: a shard holds its slot, so the two shards run on different processes
    const env = { FRESHET_WORKER_ACTIVITIES: '1' };
    await Promise.all([cluster.spawn(env), cluster.spawn(env)]);
    // The default 10 s heartbeat timeout: with 3 s, a loaded 2-core machine (both shards flat out, a
    // worker starting) delivered heartbeats late enough to time out shards whose worker was alive.
    const id = await startStream(
      cluster.h.client,
      cluster.h.config.taskQueue,
      asset,
      { kind: 'kafka', brokers: cluster.kafka.brokers, topic, stopAt },
      { shards: SHARDS, checkpointIntervalMs: 500 },
    );

    // Every status polled from the baseline on: shard 1 must show the same attempt, worker and restore point in each.
    let baseline: { attempt: number; pid: number; restoredFrom: number | undefined } | undefined = undefined;
    let killed = false;
    const shard1Seen: {
      attempt: number;
      pid: number;
      restoredFrom: number | undefined;
      checkpointId: number;
      afterKill: boolean;
      lastFailure?: string;
    }[] = [];
    const each = (s: StreamStatus) => {
      const one = shardOf(s, 1);
      if (baseline && one?.heartbeat)
        shard1Seen.push({
          attempt: one.attempt,
          pid: one.heartbeat.pid,
          restoredFrom: one.heartbeat.restoredFrom,
          checkpointId: one.heartbeat.checkpointId,
          afterKill: killed,
          lastFailure: one.lastFailure,
        });
    };
    const until = (what: string, ok: (s: StreamStatus) => boolean, timeoutMs?: number) =>
      cluster.untilStatus(asset, what, ok, { timeoutMs, each });

    // both shards really running: each has committed a checkpoint, each on its own worker
    const running = await until('both shards checkpointed', (s) => [0, 1].every((i) => (shardOf(s, i)?.heartbeat?.checkpointId ?? 0) >= 1));
    const [s0, s1] = [shardOf(running, 0)!, shardOf(running, 1)!];
    const pids = workers.map((w) => w.pid);
    expect(pids).toContain(s0.heartbeat!.pid);
    expect(pids).toContain(s1.heartbeat!.pid);
    expect(s0.heartbeat!.pid).not.toBe(s1.heartbeat!.pid);
    // (when not: why the first attempt ended, and what the workers printed)
    expect([s0.attempt, s1.attempt], JSON.stringify([s0.lastFailure, s1.lastFailure]) + workerTails()).toEqual([1, 1]);
    baseline = { attempt: s1.attempt, pid: s1.heartbeat!.pid, restoredFrom: s1.heartbeat!.restoredFrom };
    // a first run starts from no checkpoint
    expect(baseline.restoredFrom).toBe(0);

    // kill shard 0's worker at a random moment after one of its checkpoints (maybe while the next is being written)
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 1_000)));
    const victim = workers.find((w) => w.pid === s0.heartbeat!.pid)!;
    const atKill = await until('status at the kill', () => true);
    expect(shardOf(atKill, 0)?.attempt).toBe(1);
    const lastCheckpoint0 = shardOf(atKill, 0)?.heartbeat?.checkpointId ?? s0.heartbeat!.checkpointId;
    const shard1AtKill = shardOf(atKill, 1)?.heartbeat?.checkpointId ?? 0;
    await victim.kill9();
    killed = true;
    await cluster.spawn(env);

    // shard 0: a second attempt on a live worker, restored from at least the last checkpoint seen before the kill
    const restored = await until('shard 0 restored', (s) => {
      const sh = shardOf(s, 0);
      return (sh?.attempt ?? 1) >= 2 && sh?.heartbeat?.pid !== victim.pid && sh?.heartbeat?.phase === 'running';
    });
    const r0 = shardOf(restored, 0)!;
    expect(r0.attempt).toBe(2);
    expect(r0.heartbeat!.restoredFrom).toBeGreaterThanOrEqual(lastCheckpoint0);
    expect(r0.heartbeat!.restoredFrom).toBeGreaterThanOrEqual(0);
    expect(workers.filter((w) => w !== victim).map((w) => w.pid)).toContain(r0.heartbeat!.pid);

    // watch to the end: the job finishes when both shards reach the source's stopAt offsets
    await until('the job to end', (s) => s.workflowStatus !== 'RUNNING', 300_000);
    const done = (await cluster.h.client.workflow.getHandle(id).result()) as StreamingJobStatus;
    expect(done.state).toBe('finished');

    // shard 1 was never restarted nor restored: same attempt, same worker, same restore point in every status
    // (and it kept checkpointing after the kill)
    expect(Math.max(...shard1Seen.filter((o) => o.afterKill).map((o) => o.checkpointId))).toBeGreaterThan(shard1AtKill);
    const moved = shard1Seen.filter(
      (o) => o.attempt !== baseline!.attempt || o.pid !== baseline!.pid || o.restoredFrom !== baseline!.restoredFrom,
    );
    expect(moved, workerTails()).toEqual([]);
    // and the history agrees: each shard activity completed once, shard 0 on its second attempt, shard 1 on its first
    const history = await cluster.h.client.workflow.getHandle(id).fetchHistory();
    const shardOfEvent = new Map<string, number>();
    const attempts: Record<number, number[]> = {};
    let completed = 0;
    for (const e of history.events ?? []) {
      const sched = e.activityTaskScheduledEventAttributes;
      if (sched?.activityType?.name === 'runStreamingShard') {
        shardOfEvent.set(String(e.eventId), defaultPayloadConverter.fromPayload<ShardInput>(sched.input!.payloads![0]).shard!.index);
      }
      const started = e.activityTaskStartedEventAttributes;
      const shard = started ? shardOfEvent.get(String(started.scheduledEventId)) : undefined;
      if (started && shard !== undefined) (attempts[shard] ??= []).push(started.attempt ?? 1);
      if (e.activityTaskCompletedEventAttributes && shardOfEvent.has(String(e.activityTaskCompletedEventAttributes.scheduledEventId)))
        completed++;
    }
    expect({ attempts, completed }).toEqual({ attempts: { 0: [2], 1: [1] }, completed: SHARDS });

    // The sink: each window's newest revision, and no revision committed twice.
    const store = openStore(cluster.h.config.warehouse);
    const { windows: got, doubled } = await sinkWindows(store.at(asset));

    // DuckDB per shard: a user's windows are final at its own shard's watermark (from the shard's last checkpoint)
    const want = new Map<string, string>();
    const watermarks: number[] = [];
    for (let i = 0; i < SHARDS; i++) {
      const shardStore = store.at(`_streams/${asset}/shard-${i}-of-${SHARDS}`);
      const ids = await listCheckpoints(shardStore);
      const watermark = (await readCheckpointHeader(shardStore, ids[ids.length - 1])).watermark.watermark;
      watermarks.push(watermark);
      for (const [k, v] of await referenceWindows(byShard[i], watermark)) want.set(k, v);
    }
    expect(watermarks.every(Number.isFinite)).toBe(true);
    expect(want.size).toBeGreaterThan(10_000);
    expect({ doubled, ...compareWindows(got, want) }).toEqual({ doubled: 0, wrong: 0, extra: 0, sample: [] });
  }, 600_000);
});
