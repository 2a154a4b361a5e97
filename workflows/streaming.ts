// Supervises a streaming job: one long-running activity per shard, retried by Temporal on any
// worker when its worker dies (it restores from its newest checkpoint). Signals stop the job or
// restart it (e.g. to pick up a new deployment from the latest checkpoint).
import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { restartStreamSignal, stopStreamSignal, streamStatusQuery } from '../contract/signals.ts';
import type { StreamingJobInput, StreamingJobStatus } from '../contract/streaming.ts';

export async function streamingJob(input: StreamingJobInput): Promise<StreamingJobStatus> {
  const shards = Math.max(1, input.shards ?? 1);
  let restarts = input.restarts ?? 0;
  const startedAt = input.startedAt ?? Date.now();
  let state: StreamingJobStatus['state'] = 'running';
  let stop = false;
  let restart = false;
  const status = (): StreamingJobStatus => ({ asset: input.asset, state, shards, restarts, startedAt, source: input.source.kind });
  setHandler(streamStatusQuery, status);
  setHandler(stopStreamSignal, () => {
    stop = true;
  });
  setHandler(restartStreamSignal, () => {
    restart = true;
  });

  const act = proxyActivities<Activities>({
    startToCloseTimeout: '3650 days',
    heartbeatTimeout: input.heartbeatTimeoutMs ?? 10_000,
    // A streaming job never gives up: it backs off and comes back, up to every 10 s.
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', backoffCoefficient: 2 },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });

  for (;;) {
    state = 'running';
    const scope = new CancellationScope();
    let finished = 0;
    const runs = Array.from({ length: shards }, (_, index) =>
      scope
        .run(() =>
          act.runStreamingShard({
            asset: input.asset,
            source: input.source,
            shard: shards > 1 ? { index, count: shards } : undefined,
            checkpointIntervalMs: input.checkpointIntervalMs,
          }),
        )
        .then(
          () => {
            finished++;
          },
          () => {
            finished++;
          },
        ),
    );
    // a salted job's shards write partial windows; this merges them (it returns at once otherwise)
    const mergeScope = new CancellationScope();
    // (patched: histories written before the merge existed replay without it)
    const merging =
      shards > 1 && patched('stream-merge')
        ? mergeScope
            .run(() => act.runStreamMerge({ asset: input.asset, shards, intervalMs: input.checkpointIntervalMs }))
            .catch(() => undefined)
        : undefined;
    await condition(() => stop || restart || finished === shards);
    if (stop || restart) {
      state = stop ? 'stopping' : 'restarting';
      scope.cancel();
    }
    await Promise.all(runs);
    // cancelled only now, so its last pass sees every shard's final watermark
    mergeScope.cancel();
    await merging;
    if (stop) {
      state = 'stopped';
      return status();
    }
    if (!restart) {
      state = 'finished';
      return status();
    }
    restart = false;
    restarts++;
    if (workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof streamingJob>({ ...input, restarts, startedAt });
    }
  }
}
