// Types shared by the backfill workflow and the code that starts and follows it (cli/, web/).
// Pure: no imports, safe in the workflow bundle.

export interface BackfillRequest {
  /** assets selected by the user */
  assets: string[];
  /** also every asset downstream of the selection */
  downstream: boolean;
  /** partition range, keys of the selected assets' partition definition (inclusive) */
  from?: string;
  to?: string;
  /** partitions computed at once in this backfill (default 4) */
  concurrency?: number;
  /** run only partitions that are missing or whose last run failed; default: missing, failed or stale (and what reads a re-run partition) */
  onlyFailedAndMissing?: boolean;
  /** recompute even up-to-date partitions */
  force?: boolean;
  /** also the upstream partitions the selection reads, when missing or stale (scheduled refreshes) */
  upstream?: boolean;
  /** only the newest complete partition of each selected asset, recomputed even if up to date (scheduled refreshes) */
  latest?: boolean;
  /** restrict the run to these partitions per asset (re-running what failed) */
  only?: Record<string, string[]>;
}

/** What a backfill computes, planned once by an activity. Unpartitioned assets have the single key ''. */
export interface BackfillPlan {
  assets: PlannedAsset[];
  /** every planned task, pending or skipped */
  tasks: number;
}

export interface PlannedAsset {
  asset: string;
  keys: string[];
  /** one char per key: 'p' to run, 's' skipped as up to date */
  initial: string;
  /** for each upstream asset in the plan: per key, the [lo, hi] index range of upstream keys it reads (lo > hi: none) */
  deps: Array<{ up: number; lo: number[]; hi: number[] }>;
  /** partitions run together in one activity (range batching) */
  batchSize: number;
  /** per-attempt timeout for this asset's activities, ms */
  attemptTimeoutMs: number;
  retry: { maxAttempts: number; initialIntervalMs: number; backoff: number; maxIntervalMs: number };
  /** the asset's global pool size (AssetSpec.concurrency): each batch holds one slot per partition from the asset's pool */
  pool?: number;
}

export type TaskState = 'pending' | 'running' | 'materialized' | 'skipped' | 'failed' | 'cancelled';

export interface AssetProgress {
  asset: string;
  counts: Record<TaskState, number>;
}

export interface BackfillFailure {
  asset: string;
  partition: string | null;
  error: string;
}

export type BackfillStatus = 'planning' | 'running' | 'paused' | 'cancelling' | 'cancelled' | 'completed' | 'completed_with_failures';

export interface BackfillProgress {
  id: string;
  request: BackfillRequest;
  status: BackfillStatus;
  startedAt: number;
  updatedAt: number;
  assets: AssetProgress[];
  failures: BackfillFailure[];
}

/** Per-partition states of one asset in a backfill: keys in order, one state per key. */
export interface AssetPartitionStates {
  asset: string;
  keys: string[];
  states: TaskState[];
}

export const BACKFILL_WORKFLOW = 'backfill';
export const PROGRESS_QUERY = 'progress';
export const PARTITIONS_QUERY = 'partitionStates';
export const PAUSE_SIGNAL = 'pause';
export const RESUME_SIGNAL = 'resume';
export const CANCEL_SIGNAL = 'cancel';
export const RETRY_FAILED_SIGNAL = 'retryFailed';

/** What a backfill would do, before it starts (the dialog's preview). */
export interface BackfillPreview {
  assets: Array<{ asset: string; partitions: number; toRun: number; upToDate: number }>;
  tasks: number;
}

/** One backfill workflow in a list. */
export interface BackfillSummary {
  id: string;
  status: string;
  startedAt: number;
  closedAt?: number;
  request: BackfillRequest;
}
