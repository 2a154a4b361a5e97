// The supervised streaming shard: a long-running activity that restores its newest checkpoint,
// runs until cancelled, and heartbeats the checkpoint id with live metrics. When its worker dies
// the heartbeat stops, Temporal retries it on any worker, and it restores from that checkpoint.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, type ActivityCancellationDetails } from '@temporalio/common';
import { streamJobDir } from '../contract/layout.ts';
import type { ShardHeartbeat, ShardInput } from '../contract/streaming.ts';
import { runStreamingJob } from '../stream/index.ts';
import { openSourceSpec } from '../stream/source-spec.ts';
import { stopSignal } from './draining.ts';
import { heartbeatEvery } from './heartbeat.ts';
import { historyWriter } from './stream-history.ts';
import type { ActivityDeps } from './materialize.ts';
import { noMetrics } from './metrics.ts';

export function streamStore(deps: ActivityDeps, asset: string) {
  return deps.warehouse.at(streamJobDir(asset));
}

export function createStreamingActivities(deps: ActivityDeps) {
  return {
    async runStreamingShard(input: ShardInput): Promise<{ checkpointId: number; reason: string }> {
      const ctx = Context.current();
      const job = deps.graph.getStream(input.asset);
      let last: ShardHeartbeat = {
        phase: 'restoring',
        shard: input.shard?.index ?? 0,
        pid: process.pid,
        checkpointId: -1,
        loopDelayMaxMs: 0,
        at: Date.now(),
      };
      const loop = monitorEventLoopDelay({ resolution: 20 });
      loop.enable();
      const beat = () => {
        ctx.heartbeat({ ...last, loopDelayMaxMs: Math.round(loop.max / 1e6), at: Date.now() });
        loop.reset();
      };
      // Between checkpoints too: the heartbeat timeout is how fast a dead worker is noticed.
      const stopBeating = heartbeatEvery(1_000, beat);
      const metrics = deps.metrics ?? noMetrics;
      const shard = input.shard?.index ?? 0;
      // the job's counts are this run's totals: the metrics take what each checkpoint added
      let reported = { events: 0, late: 0, deadLetters: 0 };
      const history = historyWriter(streamStore(deps, input.asset), shard, (msg) => ctx.log.warn(msg));
      try {
        const result = await runStreamingJob({
          job,
          store: streamStore(deps, input.asset),
          sinkTable: deps.warehouse.at(input.asset),
          source: openSourceSpec(input.source, input.shard, deps.kafka),
          shard: input.shard,
          checkpointIntervalMs: input.checkpointIntervalMs,
          signal: stopSignal(ctx, deps.draining),
          onStart: (info) => {
            last = {
              ...last,
              phase: 'running',
              checkpointId: info.restoredFrom,
              restoredFrom: info.restoredFrom,
              restoreMs: info.restoreMs,
            };
            beat();
            metrics.streamStarted(input.asset, shard, info.restoredFrom > 0);
          },
          onCheckpoint: (id, m) => {
            last = { ...last, phase: 'running', checkpointId: id, metrics: m };
            beat();
            history.record(id, m);
            const now = { events: m.events, late: m.late, deadLetters: m.deadLetters };
            metrics.streamCheckpoint(input.asset, shard, m, {
              events: now.events - reported.events,
              late: now.late - reported.late,
              deadLetters: now.deadLetters - reported.deadLetters,
            });
            reported = now;
          },
        });
        // A worker shutting down is not the job being stopped: fail, so Temporal runs the shard elsewhere.
        if (result.reason === 'aborted' && !ctx.cancellationDetails?.cancelRequested) {
          throw ApplicationFailure.retryable(
            `shard interrupted (${deps.draining?.aborted ? 'worker shutting down' : describeCancel(ctx.cancellationDetails)}) after checkpoint ${result.checkpointId}; resuming elsewhere`,
            'ShardInterrupted',
          );
        }
        return { checkpointId: result.checkpointId, reason: result.reason };
      } finally {
        stopBeating();
        loop.disable();
        await history.flush();
        metrics.streamStopped(input.asset, shard);
      }
    },
  };
}

function describeCancel(d: ActivityCancellationDetails | undefined): string {
  if (!d) return 'cancelled';
  return d.workerShutdown
    ? 'worker shutdown'
    : d.timedOut
      ? 'heartbeat timed out'
      : d.notFound
        ? 'workflow gone'
        : d.paused
          ? 'paused'
          : 'cancelled';
}
