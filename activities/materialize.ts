// Temporal activities over the engine: thin adapters that add heartbeats and map errors
// that no retry can fix to non-retryable failures.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { AssetGraph } from '../core/index.ts';
import { materialize, type EngineConfig, type MaterializeResult } from '../engine/index.ts';
import type { ObjectStore } from '../storage/types.ts';
import { HEARTBEAT_EVERY_MS, isPermanent, recordFailedAttempt } from './failures.ts';

export interface ActivityDeps {
  graph: AssetGraph;
  warehouse: ObjectStore;
  engine?: EngineConfig;
}

export interface MaterializeActivityInput {
  asset: string;
  partition?: string;
  /** fixed by the workflow, so every retry of one run commits at most once */
  runId: number;
}


export function createMaterializeActivities(deps: ActivityDeps) {
  return {
    async materializePartition(input: MaterializeActivityInput): Promise<MaterializeResult> {
      const ctx = Context.current();
      ctx.heartbeat({ phase: 'started' });
      const beat = setInterval(() => ctx.heartbeat({ phase: 'computing' }), HEARTBEAT_EVERY_MS);
      try {
        return await materialize({
          graph: deps.graph,
          warehouse: deps.warehouse,
          engine: deps.engine,
          asset: input.asset,
          partition: input.partition,
          attempt: ctx.info.attempt,
          runId: input.runId,
          signal: ctx.cancellationSignal,
        });
      } catch (err) {
        await recordFailedAttempt(deps, input.asset, input.partition ?? '', err, input.runId);
        if (isPermanent(err)) throw ApplicationFailure.nonRetryable(err.message, err.name);
        throw err;
      } finally {
        clearInterval(beat);
      }
    },
  };
}

export type MaterializeActivities = ReturnType<typeof createMaterializeActivities>;
