// The merge of a salted streaming job, next to its shards: a long-running activity that runs a
// merge pass every interval and heartbeats its progress. It keeps no state (each pass reads its
// progress back from the sink), so a retry on another worker just carries on. Cancelled, it runs
// one last pass that starts after the cancellation: the workflow cancels it once the shards
// have stopped, so that pass sees their final watermarks.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { deltaSink, mergePartials, partialsTable, writesPartials } from '../stream/index.ts';
import type { MergeHeartbeat, MergeInput } from '../contract/streaming.ts';
import { stopSignal } from './draining.ts';
import { heartbeatEvery } from './heartbeat.ts';
import type { ActivityDeps } from './materialize.ts';
import { streamStore } from './streaming.ts';

export function createStreamMergeActivities(deps: ActivityDeps) {
  return {
    async runStreamMerge(input: MergeInput): Promise<{ merging: boolean; pass: number; windows: number }> {
      const job = deps.graph.getStream(input.asset);
      // only salted jobs with several shards write partials; the others write their sink directly
      if (!writesPartials(job, { count: input.shards })) return { merging: false, pass: 0, windows: 0 };
      const ctx = Context.current();
      const signal = stopSignal(ctx, deps.draining);
      const sink = deltaSink();
      let last: MergeHeartbeat = { pass: 0, watermark: -1, windows: 0, waitingFor: [], at: Date.now() };
      const beat = () => ctx.heartbeat({ ...last, at: Date.now() });
      const stopBeating = heartbeatEvery(1_000, beat);
      try {
        for (;;) {
          const stopping = signal.aborted;
          const r = await mergePartials({
            job,
            partials: partialsTable(streamStore(deps, input.asset)),
            sinkTable: deps.warehouse.at(input.asset),
            shards: input.shards,
            sink,
          });
          last = {
            pass: r.pass,
            watermark: Number.isFinite(r.watermark) ? r.watermark : -1,
            windows: last.windows + r.windows,
            waitingFor: r.waitingFor,
            at: Date.now(),
          };
          beat();
          if (stopping) break;
          await new Promise<void>((resolve) => {
            if (signal.aborted) return resolve();
            const t = setTimeout(resolve, input.intervalMs ?? 10_000);
            signal.addEventListener(
              'abort',
              () => {
                clearTimeout(t);
                resolve();
              },
              { once: true },
            );
          });
        }
        if (!ctx.cancellationDetails?.cancelRequested) {
          throw ApplicationFailure.retryable(`merge interrupted after pass ${last.pass}; resuming elsewhere`, 'MergeInterrupted');
        }
        return { merging: true, pass: last.pass, windows: last.windows };
      } finally {
        stopBeating();
        await sink.close();
      }
    },
  };
}
