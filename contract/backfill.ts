// The backfill workflow's contract: what starts it, what it answers, how it is steered.
// Both the worker (workflows/backfill.ts) and its clients (control/, web/, cli/) use these
// objects, so a renamed field, signal or query fails typecheck on both sides.
import type { PlanOptions, SelectionRequest } from '../core/backfill-plan.ts';
import type { IntRuns } from './int-runs.ts';
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
  deps: PlannedDep[];
  /** partitions run together in one activity (range batching) */
  batchSize: number;
  /**
   * When fewer batches are ready than the backfill has free slots, a batch may be cut into
   * batches of at least this many partitions to fill them (workflows/backfill-batches.ts).
   * Absent: never cut (a Spark batch is one Spark application; plans made before the cut).
   */
  minBatch?: number;
  /** per-attempt timeout for this asset's activities, ms */
  attemptTimeoutMs: number;
  retry: { maxAttempts: number; initialIntervalMs: number; backoff: number; maxIntervalMs: number };
  /** the asset's global pool size (AssetSpec.concurrency): each batch holds one slot per partition from the asset's pool */
  pool?: number;
}

/**
 * The ranges as runs (contract/int-runs.ts): the plan is one payload, refused by Temporal over
 * 2 MB, and as two numbers per key the ranges were most of it. Plans made before runs (a backfill
 * running across the upgrade) carry the `lo` and `hi` arrays themselves.
 */
export type PlannedDep = { up: number; loRuns: IntRuns; hiRuns: IntRuns } | { up: number; lo: number[]; hi: number[] };

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

/**
 * What a backfill is doing, or how it ended: the one list the workflow, the API, the page and the
 * CLI share. `failed` is a backfill that ran to its end with failed partitions (its counts say how
 * many); `terminated` one that Temporal stopped (terminated, timed out, or the workflow itself
 * failed) before it could record an outcome.
 */
export const BACKFILL_STATUSES = ['planning', 'running', 'paused', 'cancelling', 'succeeded', 'failed', 'cancelled', 'terminated'] as const;
export type BackfillStatus = (typeof BACKFILL_STATUSES)[number];
const FINAL: ReadonlySet<BackfillStatus> = new Set(['succeeded', 'failed', 'cancelled', 'terminated']);
/** Whether a backfill in this status has ended (nothing more will run). */
export const isFinalBackfillStatus = (s: BackfillStatus): boolean => FINAL.has(s);

/**
 * The memo keys the backfill workflow keeps up to date, so a list of backfills knows each one's
 * status (paused, failed...) from the list call alone, without a describe and a query per row.
 */
export interface BackfillMemo {
  request?: BackfillRequest;
  status?: BackfillStatus;
  /** set once it ended */
  counts?: BackfillCounts;
}

/**
 * A backfill's partitions by outcome; they add up to `total`. `left` is what has not run yet
 * (pending or running): a cancel turns it into `cancelled`, so skipped and cancelled partitions
 * are never counted as done.
 */
export interface BackfillCounts {
  total: number;
  materialized: number;
  /** up to date when planned: not recomputed */
  skipped: number;
  failed: number;
  cancelled: number;
  left: number;
  /** of `left`, those being computed now */
  running: number;
}

export function backfillCounts(assets: readonly AssetProgress[]): BackfillCounts {
  const t: BackfillCounts = { total: 0, materialized: 0, skipped: 0, failed: 0, cancelled: 0, left: 0, running: 0 };
  for (const { counts: c } of assets) {
    t.materialized += c.materialized;
    t.skipped += c.skipped;
    t.failed += c.failed;
    t.cancelled += c.cancelled;
    t.running += c.running;
    t.left += c.pending + c.running;
  }
  t.total = t.materialized + t.skipped + t.failed + t.cancelled + t.left;
  return t;
}

/** How a backfill that ran to its end (not cancelled) ended. */
export const outcomeOf = (c: BackfillCounts): BackfillStatus => (c.failed > 0 ? 'failed' : 'succeeded');

/** How fast a backfill goes, for the page and the CLI. */
export interface BackfillPace {
  /** from start to end, or to `now` while it runs */
  durationMs: number;
  /** partitions run (materialized or failed) per minute; skipped ones cost nothing and cancelled ones never ran */
  perMinute: number;
  /** time left at that pace; undefined when it ended, is paused, or nothing has run yet */
  etaMs?: number;
}

export function backfillPace(p: Pick<BackfillProgress, 'status' | 'startedAt' | 'endedAt'>, c: BackfillCounts, now: number): BackfillPace {
  const durationMs = Math.max(0, (p.endedAt ?? now) - p.startedAt);
  const run = c.materialized + c.failed;
  const perMinute = durationMs > 0 ? (run * 60_000) / durationMs : 0;
  const going = !isFinalBackfillStatus(p.status) && p.status !== 'paused' && p.status !== 'cancelling';
  const etaMs = going && perMinute > 0 ? Math.round((c.left / perMinute) * 60_000) : undefined;
  return { durationMs, perMinute, etaMs };
}

export interface BackfillProgress {
  id: string;
  request: BackfillRequest;
  status: BackfillStatus;
  startedAt: number;
  updatedAt: number;
  /** when it ended (workflow time); absent while it runs and from backfills whose worker predates it */
  endedAt?: number;
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
  status: BackfillStatus;
  /** Temporal's own status of the workflow (RUNNING, COMPLETED, CANCELLED...) */
  workflowStatus: string;
  startedAt: number;
  closedAt?: number;
  request: BackfillRequest;
  /** once it ended, when its worker recorded them */
  counts?: BackfillCounts;
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

/** A backfill's status from Temporal's status and the memo's; undefined when only its result can tell. */
export function listedStatus(workflowStatus: string, memoStatus: BackfillStatus | undefined): BackfillStatus | undefined {
  switch (workflowStatus) {
    case 'RUNNING':
      return memoStatus ?? 'running';
    case 'COMPLETED':
      return memoStatus === 'succeeded' || memoStatus === 'failed' || memoStatus === 'cancelled' ? memoStatus : undefined;
    case 'CANCELLED':
      return 'cancelled';
    case 'CONTINUED_AS_NEW':
      return memoStatus === 'paused' ? 'paused' : 'running';
    default:
      // FAILED, TERMINATED, TIMED_OUT: stopped before the workflow could record an outcome
      return 'terminated';
  }
}
