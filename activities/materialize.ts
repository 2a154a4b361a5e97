// Temporal activities over the engine: thin adapters that add heartbeats and map errors
// that no retry can fix to non-retryable failures.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { AssetGraphError, PartitionKeyError, type AssetGraph } from '../core/index.ts';
import { materialize, MissingInputError, type EngineConfig, type MaterializeResult } from '../engine/index.ts';
import type { ObjectStore } from '../storage/types.ts';

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

const HEARTBEAT_EVERY_MS = 2_000;

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
        if (err instanceof MissingInputError || err instanceof AssetGraphError || err instanceof PartitionKeyError) {
          throw ApplicationFailure.nonRetryable((err as Error).message, (err as Error).name);
        }
        throw err;
      } finally {
        clearInterval(beat);
      }
    },
  };
}

export type MaterializeActivities = ReturnType<typeof createMaterializeActivities>;
