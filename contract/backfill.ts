// The backfill workflow's contract: what starts it, what it answers, how it is steered.
// Both the worker (workflows/backfill.ts) and its clients (control/, web/, cli/) use these
// objects, so a renamed field, signal or query fails typecheck on both sides.
import type { PlanOptions, SelectionRequest } from '../core/backfill-plan.ts';
import type { RunTrigger } from './runs.ts';

/** What a user (the page, the CLI, a schedule, the freshness monitor) asks a backfill to do. */
export interface BackfillRequest extends SelectionRequest, Omit<PlanOptions, 'forceAssets'> {
  /** partitions computed at once in this backfill (default 4, at most MAX_BACKFILL_CONCURRENCY) */
  concurrency?: number;
  /**
   * The launch this request comes from (REQUEST_ID_PATTERN): the dialog makes one per launch, a
   * caller that gives none gets a new one. It is part of the backfill's workflow id, so the
   * same launch sent twice (a double click, a retried POST) starts one backfill.
   */
  requestId?: string;
  /** the backfill this one re-runs the failed and cancelled partitions of (control/backfills.ts retryFailedBackfill) */
  parent?: string;
  /** what started it: a user ('backfill', the default), an SLA's schedule, or the freshness monitor's catch-up */
  trigger?: RunTrigger;
}

/** A request id becomes part of a workflow id: only these characters, and long enough to be unique. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const REQUEST_ID_RULE = "8 to 64 letters, digits, '-' or '_' (a UUID will do)";

/** One limit for every way a backfill is started (the page, the CLI, the API). */
export const MAX_BACKFILL_CONCURRENCY = 256;
export const DEFAULT_BACKFILL_CONCURRENCY = 4;

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
export const TASK_STATES: readonly TaskState[] = ['pending', 'running', 'materialized', 'skipped', 'failed', 'cancelled'];

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
  /**
   * Activities computing now, what `concurrency` limits: one runs a batch of up to `batchSize`
   * contiguous partitions, so the partitions counted running can be many times more. Absent
   * from backfills whose worker predates it.
   */
  runningActivities?: number;
}

/** Per-partition states of one asset in a backfill: keys in order, one state per key. */
export interface AssetPartitionStates {
  asset: string;
  keys: string[];
  states: TaskState[];
}

/** What a backfill would do, before it starts (the dialog's preview). */
export interface BackfillPreview {
  assets: Array<{ asset: string; partitions: number; toRun: number; upToDate: number }>;
  tasks: number;
}

/**
 * Why a backfill with this preview would do nothing, or undefined when it has work: the dialog
 * says it beside a disabled Launch button, and the API and the CLI refuse with it.
 */
export function nothingToRun(preview: BackfillPreview, request: Pick<BackfillRequest, 'onlyFailedAndMissing'>): string | undefined {
  if (preview.tasks > 0) return undefined;
  const n = preview.assets.reduce((sum, a) => sum + a.partitions, 0);
  if (n === 0) return 'Nothing to run: the selection holds no partition. Select other assets or another range.';
  const force = "with force (the dialog's 'recompute even if up to date', the CLI's --force)";
  if (request.onlyFailedAndMissing)
    return `Nothing to run: none of the ${n} selected partitions is missing or failed. Leave out 'only failed and missing' to run stale ones too, or recompute them all ${force}.`;
  const which = n === 1 ? 'the selected partition is' : `all ${n} selected partitions are`;
  return `Nothing to run: ${which} up to date. Recompute ${n === 1 ? 'it' : 'them'} anyway ${force}.`;
}

/** One backfill workflow in a list. */
export interface BackfillSummary {
  id: string;
  status: string;
  startedAt: number;
  closedAt?: number;
  request: BackfillRequest;
}

export interface BackfillInput {
  request: BackfillRequest;
  /** history events per run before continuing as new (default 10,000; small in tests) */
  maxHistoryEvents?: number;
  /** carried across continue-as-new */
  carried?: {
    plan: BackfillPlan;
    states: string[];
    failures: BackfillFailure[];
    startedAt: number;
    /** the Delta txn version every commit of this backfill carries */
    txnVersion: number;
    /** the same, as runs continued-as-new by workers before the rename carry it */
    runId?: number;
    paused: boolean;
  };
}

export type BackfillWorkflow = (input: BackfillInput) => Promise<BackfillProgress>;

/** A batch of contiguous partitions of one asset, computed by one activity. */
export interface BatchInput {
  asset: string;
  /** '' for an unpartitioned asset */
  partitions: string[];
  /** fixed for the backfill, so every retry of a partition commits at most once */
  txnVersion: number;
  /** the same, as activities scheduled by workers before the rename carry it */
  runId?: number;
  /** the backfill request's trigger, recorded with each commit */
  trigger?: RunTrigger;
}

/** Carried by a failed batch: which of its partitions were committed before the failure. */
export interface BatchFailureDetails {
  done: string[];
  error: string;
}
