// The JSON shapes of Freshet's web API: shared by the server (web/api/) and the page (web/app/).
// Pure types and constants (type imports only), so the browser bundle can use them.
import type { BackfillProgress, BackfillSummary } from '../contract/backfill.ts';
import type { FreshnessStatus as JudgedFreshness } from '../contract/freshness.ts';
import type { ScheduleRun } from '../contract/schedule-runs.ts';

export type { ScheduleRun, ScheduleRunOutcome } from '../contract/schedule-runs.ts';
import type { AttemptLog, PartitionRun, RunPage, RunRow } from '../contract/runs.ts';
import type { StreamMetricsHistory } from '../contract/streaming.ts';

/** as the freshness monitor judges it (contract/freshness.ts), or 'unknown' when the asset's table cannot be read */
export type FreshnessStatus = JudgedFreshness | 'unknown';

/** One partition's health on the grid. Order matters: the index is the code sent in `runs`. */
/** 'outdated': an input changed after the partition was computed (engine/staleness.ts); not 'late', which is the SLA (Freshness). */
export const HEALTH_STATES = ['missing', 'materialized', 'outdated', 'running', 'failed'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export interface ApiError {
  error: string;
  /** the request field at fault, e.g. "assets[0]" or "concurrency" */
  field?: string;
}

export interface Info {
  namespace: string;
  taskQueue: string;
  /** base URL of the Temporal UI, when known */
  temporalUiUrl: string | null;
  warehouse: 'local' | 's3';
  /** false when the server runs without a Temporal client: backfills cannot be started */
  backfills: boolean;
}

export interface Freshness {
  status: FreshnessStatus;
  /** age of the newest data, ms; null when nothing is materialized */
  lagMs: number | null;
  maxLagMs: number | null;
}

export interface PartitionDefinition {
  kind: 'daily' | 'hourly' | 'static';
  start?: string;
  end?: string;
  keys?: string[];
  column: string;
  description: string;
}

export interface AssetSummary {
  name: string;
  description: string;
  isSource: boolean;
  deps: Array<{ asset: string; mapping: string }>;
  partitions: PartitionDefinition | null;
  freshness: Freshness;
  /** partitions materialized / partitions that exist now (1 for an unpartitioned asset) */
  materialized: number;
  total: number;
  /** materialized partitions whose inputs changed since they were computed (the grid's 'outdated'); apart from freshness, which is the SLA */
  outdated: number;
  lastMaterializedAt: number | null;
  /** set when the asset's table cannot be read (a corrupt log): the rest of the summary is empty */
  error?: string;
}

export interface AssetList {
  assets: AssetSummary[];
  /** the streaming assets, drawn in the graph beside the others */
  streams: StreamNode[];
}

/** The Temporal Schedule derived from an asset's SLA (schedules/derive.ts). */
export interface Schedule {
  /** why: "maxLag 1d → a run every 1d, on the daily partition boundary (UTC); ..." */
  description: string;
  everyMs: number;
  runTimeoutMs: number;
  /** whether the schedule exists on the Temporal server (reconciled by the worker or `freshet dev`) */
  onServer: boolean;
  nextRunAt: number | null;
  /** set when the SLA cannot be met as declared */
  warning: string | null;
  /** the server's side (schedules/control.ts): false and empty while it is not on the server */
  paused: boolean;
  note: string | null;
  /** newest first: each run the schedule started (its own or "run now"), with outcome and duration */
  recentRuns: ScheduleRun[];
}

export interface AssetDetail extends AssetSummary {
  downstream: string[];
  sql: string | null;
  transform: boolean;
  retry: { maxAttempts: number; initialIntervalMs: number; backoff: number; maxIntervalMs: number };
  sla: { maxLagMs: number; computeBudgetMs: number } | null;
  /** derived from the SLA by schedules/; null until known */
  schedule: Schedule | null;
  tags: Record<string, string>;
}

/**
 * Every partition's health, run-length encoded so 100,000 partitions cost a few bytes when
 * they are mostly alike. `runs` is [stateCode, count] pairs in key order (codes index HEALTH_STATES).
 * Time keys are derived from `first` and the index; static keys are listed.
 */
export interface PartitionSummary {
  asset: string;
  kind: 'daily' | 'hourly' | 'static' | 'none';
  total: number;
  first: string | null;
  last: string | null;
  keys?: string[];
  counts: Record<HealthState, number>;
  runs: Array<[number, number]>;
}

export interface PartitionDetail {
  asset: string;
  key: string;
  state: HealthState;
  reason: string | null;
  materialization: MaterializationRow | null;
}

export interface MaterializationRow {
  version: number;
  timestamp: number;
  partition: string | null;
  rows: number;
  bytes: number;
  durationMs: number;
  inputVersions: Record<string, number>;
}

export interface LagSeries {
  asset: string;
  maxLagMs: number | null;
  /** [time ms, lag ms] */
  points: Array<[number, number]>;
}

export interface ScheduleRow {
  asset: string;
  sla: { maxLagMs: number; computeBudgetMs: number } | null;
  schedule: Schedule | null;
  freshness: Freshness;
  /** partitions whose inputs changed since computed (AssetSummary.outdated) */
  outdated: number;
  /** set when the asset's table cannot be read; freshness is then 'unknown' */
  error?: string;
}

/** An asset turning late (past its SLA) or recovering, as the freshness monitor recorded it. */
export interface StaleEvent {
  asset: string;
  at: number;
  from: string;
  to: string;
  lagMs: number | null;
  /** the backfill the monitor started to catch up */
  catchUpBackfill: string | null;
}

export interface Schedules {
  assets: ScheduleRow[];
  /** newest first */
  staleEvents: StaleEvent[];
  /** whether the freshness monitor workflow is running */
  monitorRunning: boolean;
}

/** One shard of a streaming job, as `freshet stream status` prints it (null: no heartbeat yet). */
export interface StreamShard {
  shard: number | null;
  /** 1 on the first run; each worker death adds one */
  attempt: number;
  phase: 'restoring' | 'running' | 'stopping' | null;
  checkpointId: number | null;
  stateKeys: number | null;
  eventsPerSecond: number | null;
  watermarkLagMs: number | null;
  late: number | null;
  deadLetters: number | null;
  /** the worker running it, as Temporal names it (pid@host) */
  worker: string | null;
  /** the worker's process id, from the shard's heartbeat */
  pid: number | null;
  lastHeartbeatAt: number | null;
  lastFailure: string | null;
}

export interface StreamingJob {
  name: string;
  /** the job's state while its workflow runs ('running', 'restarting', ...), else the workflow's status; 'not started' without one */
  status: string;
  /** summed over the shards */
  eventsPerSecond: number;
  /** the largest of the shards' */
  watermarkLagMs: number;
  /** the oldest of the shards' */
  lastCheckpointAt: number | null;
  /** restarts by signal plus worker deaths (shard attempts past the first) */
  restarts: number;
  /** restarts asked for by signal (`freshet stream restart`, the page's Restart) */
  restartsBySignal: number;
  /** the source kind the job was started with (generator, kafka, file); null when not started */
  sourceKind: string | null;
  workflowId: string | null;
  workflowStatus: string | null;
  startedAt: number | null;
  shardCount: number;
  shards: StreamShard[];
  /** why the job's live state (its status, restarts, source) is missing: no worker answered in time; null when it is there */
  liveUnavailable: string | null;
  temporalUrl: string | null;
}

export interface StreamingJobs {
  jobs: StreamingJob[];
  available: boolean;
}

export type { StreamMetricsHistory, StreamMetricsSample } from '../contract/streaming.ts';

/** A job's page: its status, its declaration and each shard's metrics over time, for the charts. */
export interface StreamingJobDetail extends StreamingJob {
  description: string | null;
  /** the stream it reads, as declared */
  source: string;
  /** the Delta table it writes: the asset's name */
  sink: string;
  key: string[];
  window: string;
  history: StreamMetricsHistory[];
}

/** A streaming asset in the lineage graph: the stream it reads and the table it writes. */
export interface StreamNode {
  name: string;
  description: string;
  source: string;
  sink: string;
}

// Backfills: the shapes of contract/backfill.ts (the page imports them from here, as types only:
// control/backfills.ts pulls in the Temporal client, which the page must not bundle).
export type {
  AssetPartitionStates,
  AssetProgress,
  BackfillFailure,
  BackfillPreview,
  BackfillProgress,
  BackfillRequest,
  BackfillStatus,
  BackfillSummary,
  TaskState,
} from '../contract/backfill.ts';
export type { BackfillCounts, BackfillPace } from '../contract/backfill.ts';
export { TASK_STATES, BACKFILL_STATUSES, backfillCounts, backfillPace, isFinalBackfillStatus, nothingToRun } from '../contract/backfill.ts';

export interface BackfillDetail extends BackfillProgress {
  /** the backfills started to re-run what this one left failed or cancelled, oldest first */
  reruns: BackfillSummary[];
  /** the workflow's page in the Temporal UI, when its address is known */
  temporalUrl: string | null;
}

export type { AttemptLog, PartitionRun, RunRow, RunStatus, RunTrigger } from '../contract/runs.ts';
export { RUN_STATUSES, RUN_TRIGGERS } from '../contract/runs.ts';

/** An attempt with a link to its own workflow run in the Temporal UI (null without a UI or a run). */
export type RunListRow = RunRow & { temporalUrl: string | null };
export type PartitionRunRow = PartitionRun & { temporalUrl: string | null };

/** GET /api/runs: every materialization attempt, newest first. */
export type RunList = RunPage<RunListRow>;

/** GET /api/runs/:asset/history?key=: one partition's attempts, newest first. */
export type PartitionHistory = RunPage<PartitionRunRow> & { asset: string; key: string };

/** GET /api/runs/:asset/log?path=: one attempt's log object. */
export type RunLogResponse = AttemptLog;
