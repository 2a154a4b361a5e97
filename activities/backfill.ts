// Activities behind the backfill workflow: plan once, then materialize batches of partitions.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { materializeMany, minCutBatchSize, planPartitions, preferredBatchSize, type MaterializeResult } from '../engine/index.ts';
import type { BackfillPlan, BackfillRequest, BatchFailureDetails, BatchInput } from '../contract/backfill.ts';
import { toRuns } from '../contract/int-runs.ts';
import type { RunHeartbeat } from '../contract/runs.ts';
import { cancellation, HEARTBEAT_EVERY_MS, isPermanent, recordFailedAttempt, wasAttempted } from './failures.ts';
import { heartbeatEvery } from './heartbeat.ts';
import type { ActivityDeps } from './materialize.ts';
import { noMetrics } from './metrics.ts';
import { endRunLog, inRunLog, saveRunLog, startRunLog } from './run-log.ts';

const HOUR_MS = 3_600_000;

export function createBackfillActivities(deps: ActivityDeps) {
  return {
    /** Selects tasks, reads each partition's state, and decides what runs. */
    async planBackfill(request: BackfillRequest): Promise<BackfillPlan> {
      // A request no retry can fix (a range past the limit, an unknown key) fails the workflow at once.
      const planned = await planPartitions(deps.graph, deps.warehouse, request, Date.now(), () => Context.current().heartbeat()).catch(
        (err: unknown) => {
          if (isPermanent(err)) throw ApplicationFailure.nonRetryable(err.message, err.name);
          throw err;
        },
      );
      return {
        tasks: planned.reduce((n, p) => n + p.keys.length, 0),
        assets: planned.map((p) => {
          const minBatch = minCutBatchSize(p.asset, deps.engine);
          return {
            asset: p.asset.name,
            keys: p.keys,
            initial: p.run.map((r) => (r ? 'p' : 's')).join(''),
            deps: p.deps.map((d) => ({ up: d.up, loRuns: toRuns(d.lo), hiRuns: toRuns(d.hi) })),
            // As many as one range query computes (1 for transforms: each partition its own activity,
            // so they spread over workers); a pooled batch holds one slot per partition, so never more than the pool.
            batchSize: Math.min(preferredBatchSize(p.asset, deps.engine), p.asset.concurrency ?? Infinity),
            attemptTimeoutMs: HOUR_MS,
            retry: p.asset.retry,
            ...(p.asset.concurrency !== undefined ? { pool: p.asset.concurrency } : {}),
            ...(minBatch !== undefined ? { minBatch } : {}),
          };
        }),
      };
    },

    /** Materializes contiguous partitions of one asset; on failure the details say which were done. */
    async materializePartitions(input: BatchInput): Promise<MaterializeResult[]> {
      const ctx = Context.current();
      // inputs scheduled by workers from before the rename carry it as runId
      const txnVersion = input.txnVersion ?? input.runId;
      const done: string[] = [];
      const metrics = deps.metrics ?? noMetrics;
      // names what is left, so the runs list shows these partitions running (control/runs.ts)
      const beat = () => {
        const finished = new Set(done);
        const running: RunHeartbeat = {
          asset: input.asset,
          partitions: input.partitions.filter((p) => !finished.has(p)),
          trigger: input.trigger,
        };
        ctx.heartbeat({ done: done.length, ...running });
      };
      const stopBeating = heartbeatEvery(HEARTBEAT_EVERY_MS, beat);
      const log = startRunLog(input.asset, input.partitions, input.trigger);
      let committed = 0;
      try {
        const results = await inRunLog(log, () =>
          materializeMany({
            graph: deps.graph,
            warehouse: deps.warehouse,
            engine: deps.engine,
            asset: input.asset,
            partitions: input.partitions,
            attempt: ctx.info.attempt,
            txnVersion,
            signal: ctx.cancellationSignal,
            run: log.ref,
            onPartitionDone: (r) => {
              done.push(r.partition ?? '');
              if (!r.alreadyCommitted) {
                committed++;
                metrics.materialized(r);
              }
              beat();
            },
          }),
        );
        // One object per attempt, after its commits; none when nothing was committed (each was there already).
        if (committed > 0) await saveRunLog(deps, log, { status: 'succeeded' });
        return results;
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw cancellation(ctx) ?? err;
        metrics.failed(input.asset);
        // The one partition left is the one that failed; of several left, which broke the batch is
        // unknown, so the workflow runs them alone and each records its own failure then.
        const rest = input.partitions.filter((p) => !done.includes(p));
        const path = !wasAttempted(ctx, err)
          ? undefined
          : await saveRunLog(deps, log, {
              status: 'failed',
              error: err,
              ...(rest.length === 1 ? { partition: rest[0] } : {}),
              committed: committed > 0,
            });
        if (rest.length === 1)
          await recordFailedAttempt(deps, input.asset, rest[0], err, txnVersion, { ...log.ref, log: path ?? log.ref.log });
        const e = err as Error;
        const details: BatchFailureDetails = { done, error: e.message };
        const permanent = isPermanent(e);
        throw ApplicationFailure.create({ message: e.message, type: e.name, nonRetryable: permanent, details: [details] });
      } finally {
        endRunLog(log);
        stopBeating();
      }
    },
  };
}
