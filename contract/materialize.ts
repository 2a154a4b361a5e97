// One partition's materialization: the workflow input, the activity input, and the result both return.
import type { ResolvedRetry } from '../core/policies.ts';
import type { RunTrigger } from './runs.ts';

export interface MaterializeInput {
  asset: string;
  partition?: string;
  retry: ResolvedRetry;
  /** how long one attempt may run (default 1 hour) */
  attemptTimeoutMs?: number;
  /** the asset's global pool size (AssetSpec.concurrency): the compute holds one slot of it */
  pool?: number;
  /** what started it (absent from workflows started before triggers were recorded) */
  trigger?: RunTrigger;
}

export interface MaterializeActivityInput {
  asset: string;
  partition?: string;
  /** the Delta txn version, fixed by the workflow, so every retry of one run commits at most once */
  txnVersion: number;
  /** the same, as activities scheduled by workers before the rename carry it */
  runId?: number;
  trigger?: RunTrigger;
}

/** What one committed partition reports (also recorded in its Delta commit). */
export interface MaterializeResult {
  asset: string;
  partition: string | undefined;
  /** table version holding the result */
  version: number;
  rows: number;
  bytes: number;
  durationMs: number;
  /** version of each upstream table read */
  inputVersions: Record<string, number>;
  /** true when the commit was already there (a retried activity) */
  alreadyCommitted: boolean;
  /** DuckDB's peak buffer memory during the computation (bytes), when known */
  peakMemoryBytes?: number;
  /** most bytes DuckDB spilled to disk during the computation (0: none), when known */
  spilledBytes?: number;
  /** how it was computed: one partition, one query over `batchSize` contiguous partitions, a transform, or on Spark */
  mode?: 'partition' | 'range' | 'transform' | 'spark';
  batchSize?: number;
  /** a TypeScript transform's batches: in per upstream, out, and the largest seen */
  transformBatches?: { input: Record<string, number>; output: number; largest: number };
  /** where this partition's time went in the worker, ms (a batch's shared phases divided by its partitions) */
  timings?: PhaseTimings;
}

/** Wall-clock phases of one partition inside the worker, measured with cheap timers (benchmarks and profiling read them). */
export interface PhaseTimings {
  /** the activity's check of which partitions a retried run already committed (its snapshot load) */
  skipCheckMs: number;
  /** loading the upstream tables' snapshots */
  inputsMs: number;
  /** DuckDB: the query, the Parquet write and moving the file into the table */
  computeMs: number;
  /** waiting for this worker's other commits to the same table (one at a time per table) */
  lockWaitMs: number;
  /** the commit: the table's newest state (cached, or the log read), planning, the put, and after it */
  snapshotMs: number;
  planMs: number;
  putMs: number;
  /** reading the commits that won a race and checking them for conflicts */
  conflictMs: number;
  /** recording the new state and, every checkpointInterval commits, writing the checkpoint */
  afterCommitMs: number;
}

export type MaterializePartitionWorkflow = (input: MaterializeInput) => Promise<MaterializeResult>;
