// Temporal activities over the engine: thin adapters that add heartbeats and map errors
// that no retry can fix to non-retryable failures.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { MaterializeActivityInput, MaterializeResult } from '../contract/materialize.ts';
import type { RunHeartbeat } from '../contract/runs.ts';
import type { AssetGraph } from '../core/index.ts';
import { materialize, type EngineConfig } from '../engine/index.ts';
import type { ObjectStore } from '../storage/types.ts';
import type { KafkaConnection } from '../stream/kafka-client.ts';
import { cancellation, HEARTBEAT_EVERY_MS, isPermanent, recordFailedAttempt, wasAttempted } from './failures.ts';
import { heartbeatEvery } from './heartbeat.ts';
import { noMetrics, type ActivityMetrics } from './metrics.ts';
import { endRunLog, inRunLog, saveRunLog, startRunLog } from './run-log.ts';

export interface ActivityDeps {
  graph: AssetGraph;
  warehouse: ObjectStore;
  engine?: EngineConfig;
  /** where materializations, failures and stream progress are counted (default: nowhere) */
  metrics?: ActivityMetrics;
  /** the worker's Kafka settings: streaming sources read their credentials here, never from an input */
  kafka?: KafkaConnection;
  /** aborts when the worker starts shutting down: long-running activities hand themselves back then */
  draining?: AbortSignal;
  /** hands the SDK's buffered log lines to the logger now, so an attempt's log object holds them all */
  flushLogs?: () => void;
}

export function createMaterializeActivities(deps: ActivityDeps) {
  return {
    async materializePartition(input: MaterializeActivityInput): Promise<MaterializeResult> {
      const ctx = Context.current();
      // inputs scheduled by workers from before the rename carry it as runId
      const txnVersion = input.txnVersion ?? input.runId;
      let phase = 'started';
      const stopBeating = heartbeatEvery(HEARTBEAT_EVERY_MS, () => {
        const running: RunHeartbeat = { asset: input.asset, partitions: [input.partition ?? ''], trigger: input.trigger };
        ctx.heartbeat({ phase, ...running });
        phase = 'computing';
      });
      const metrics = deps.metrics ?? noMetrics;
      const key = input.partition ?? '';
      const log = startRunLog(input.asset, [key], input.trigger);
      try {
        const result = await inRunLog(log, () =>
          materialize({
            graph: deps.graph,
            warehouse: deps.warehouse,
            engine: deps.engine,
            asset: input.asset,
            partition: input.partition,
            attempt: ctx.info.attempt,
            txnVersion,
            signal: ctx.cancellationSignal,
            run: log.ref,
          }),
        );
        if (!result.alreadyCommitted) {
          metrics.materialized(result);
          await saveRunLog(deps, log, { status: 'succeeded' });
        }
        return result;
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw cancellation(ctx) ?? err;
        metrics.failed(input.asset);
        const path = wasAttempted(ctx, err) ? await saveRunLog(deps, log, { status: 'failed', error: err, partition: key }) : undefined;
        await recordFailedAttempt(deps, input.asset, key, err, txnVersion, { ...log.ref, log: path ?? log.ref.log });
        if (isPermanent(err)) throw ApplicationFailure.nonRetryable(err.message, err.name);
        throw err;
      } finally {
        endRunLog(log);
        stopBeating();
      }
    },
  };
}

export type MaterializeActivities = ReturnType<typeof createMaterializeActivities>;
