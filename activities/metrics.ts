// What activities report to the worker's metrics, as a small interface: the worker (runtime/)
// implements it with prom-client, so activities, engine/ and stream/ never import a metrics
// library, and a test or a tool can pass its own.
import type { MaterializeResult } from '../contract/materialize.ts';
import type { JobMetrics } from '../contract/streaming.ts';

export interface ActivityMetrics {
  /** one partition committed by this process (a retry that found its commit already there is not one) */
  materialized(result: MaterializeResult): void;
  /** one activity attempt at `asset` failed (cancelled attempts are not failures) */
  failed(asset: string): void;
  /** a streaming shard started; `restored`: from a checkpoint (after a crash, a move or a restart) */
  streamStarted(asset: string, shard: number, restored: boolean): void;
  /** a shard checkpointed; `since` holds the counts added since its previous report */
  streamCheckpoint(asset: string, shard: number, metrics: JobMetrics, since: { events: number; late: number; deadLetters: number }): void;
  /** the shard's run ended: its per-shard gauges go */
  streamStopped(asset: string, shard: number): void;
}

export const noMetrics: ActivityMetrics = {
  materialized: () => {},
  failed: () => {},
  streamStarted: () => {},
  streamCheckpoint: () => {},
  streamStopped: () => {},
};
