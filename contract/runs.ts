// Runs: every attempt at materializing partitions, whatever started it, and the log object each
// attempt leaves. A success is a Delta commit whose commitInfo carries a RunRef; a failure is a
// log object under its partition's folder (named so a listing tells its time, attempt and
// trigger without reading it). The worker writes them (activities/run-log.ts), the page and
// `freshet logs` read them through one reader (engine/runs.ts).
import { keyPath } from './failure-records.ts';
import { RUN_LOGS_PREFIX } from './layout.ts';

/** What started a run: a user's backfill (page or CLI), an SLA's schedule, the freshness monitor's catch-up, or `freshet materialize`. */
export type RunTrigger = 'backfill' | 'schedule' | 'catch-up' | 'materialize';
export const RUN_TRIGGERS: readonly RunTrigger[] = ['backfill', 'schedule', 'catch-up', 'materialize'];

/** `running`: an attempt computing now, as Temporal knows it (control/runs.ts); the others are recorded in the warehouse. */
export type RunStatus = 'running' | 'succeeded' | 'failed';
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'failed'];

/**
 * What a materializing activity puts in each heartbeat: Temporal's describe lists the pending
 * activities without their inputs, so this is how a running attempt's asset and partitions are
 * known from one describe call.
 */
export interface RunHeartbeat {
  asset: string;
  /** the partitions it has still to commit ('' for an unpartitioned asset) */
  partitions: string[];
  trigger?: RunTrigger;
}

/** Which activity attempt made a commit: recorded in the commit's commitInfo (`freshet.run`). */
export interface RunRef {
  trigger: RunTrigger;
  workflowId: string;
  /** the workflow's run id (Temporal's), so a link opens this very run */
  runId: string;
  activityId: string;
  attempt: number;
  /** when the attempt started, ms since the epoch */
  startedAt: number;
  /** the warehouse path of the attempt's log object (written after the commit, best-effort: it may be missing) */
  log: string;
}

/** The error of a failed attempt, as the worker's logger wrote it (secrets scrubbed). */
export interface RunError {
  message: string;
  type: string | null;
  stack: string | null;
}

/** One activity attempt's log object. */
export interface AttemptLog {
  asset: string;
  /** the partitions the activity computed ('' for an unpartitioned asset) */
  partitions: string[];
  run: RunRef;
  status: Exclude<RunStatus, 'running'>;
  durationMs: number;
  error: RunError | null;
  /** the worker's log lines of this attempt (pino's JSON objects), first and last kept */
  lines: Array<Record<string, unknown>>;
  /** lines left out between the first and the last kept, to stay within LOG_LIMITS */
  droppedLines: number;
}

/** What one log object may hold: a chatty activity cannot make big objects. */
export const LOG_LIMITS = { headLines: 200, tailLines: 300, bytes: 256 * 1024, lineBytes: 8 * 1024 } as const;

// Names sort by start time: 20261201T213000123Z_<attempt>_<trigger>_<hash>.json
const NAME = /^(\d{8}T\d{9}Z)_(\d+)_([a-z-]+)_([0-9a-f]{8})\.json$/;

function stamp(at: number): string {
  return new Date(at).toISOString().replace(/[-:.]/g, '');
}

function unstamp(s: string): number {
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.slice(15, 18)}Z`;
  return Date.parse(iso);
}

/** FNV-1a: tells apart attempts that started in the same millisecond (pure, bundle-safe). */
function hash8(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function logName(run: Omit<RunRef, 'log'>): string {
  return `${stamp(run.startedAt)}_${run.attempt}_${run.trigger}_${hash8(`${run.workflowId}\n${run.runId}\n${run.activityId}`)}.json`;
}

/** Log objects of attempts that may succeed or computed several partitions: found through the commit's RunRef. */
export function attemptLogPath(asset: string, run: Omit<RunRef, 'log'>): string {
  return `${RUN_LOGS_PREFIX}${asset}/runs/${logName(run)}`;
}

/** Failed attempts of `asset`: list this prefix. */
export function failedAttemptsPrefix(asset: string): string {
  return `${RUN_LOGS_PREFIX}${asset}/failed/`;
}

/** The failed attempts of one partition: list this prefix. */
export function failedPartitionPrefix(asset: string, key: string): string {
  return `${failedAttemptsPrefix(asset)}${keyPath(key)}/`;
}

/** Where a failed attempt at one partition leaves its log object. */
export function failedAttemptPath(asset: string, key: string, run: Omit<RunRef, 'log'>): string {
  return `${failedPartitionPrefix(asset, key)}${logName(run)}`;
}

/** What a failed attempt's name tells without reading it. */
export interface FailedAttemptName {
  path: string;
  partition: string;
  startedAt: number;
  attempt: number;
  trigger: RunTrigger;
}

/** The partition, start, attempt and trigger a listed path names; undefined for what is not a failed attempt's log. */
export function parseFailedAttemptPath(asset: string, path: string): FailedAttemptName | undefined {
  const prefix = failedAttemptsPrefix(asset);
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  const slash = rest.lastIndexOf('/');
  const m = NAME.exec(rest.slice(slash + 1));
  if (!m || slash < 0) return undefined;
  const partition = keyOfPath(rest.slice(0, slash));
  const trigger = m[3] as RunTrigger;
  if (partition === undefined || !RUN_TRIGGERS.includes(trigger)) return undefined;
  return { path, partition, startedAt: unstamp(m[1]), attempt: Number(m[2]), trigger };
}

/** The key keyPath encoded, or undefined when `p` is not one of its outputs. */
function keyOfPath(p: string): string | undefined {
  if (!p.startsWith('key=')) return undefined;
  const encoded = p.slice(4).split('/').join('');
  if (!/^(?:[a-z0-9_-]|%[0-9a-f]{2})*$/.test(encoded)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === '%') {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(encoded.charCodeAt(i));
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

/** Whether `path` is one of `asset`'s log objects (what the API may read for a client). */
export function isAttemptLogPath(asset: string, path: string): boolean {
  const prefix = `${RUN_LOGS_PREFIX}${asset}/`;
  return path.startsWith(prefix) && !path.split('/').includes('..') && NAME.test(path.slice(path.lastIndexOf('/') + 1));
}

/** The log object in an object's bytes, or an error naming the object and the fix. */
export function parseAttemptLog(path: string, text: string): AttemptLog {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`Run log ${path} is not JSON (${(err as Error).message}); delete it: it only holds log lines.`, { cause: err });
  }
  const l = value as Partial<AttemptLog> | null;
  if (
    !l ||
    typeof l !== 'object' ||
    typeof l.asset !== 'string' ||
    !Array.isArray(l.partitions) ||
    !l.run ||
    typeof l.run.workflowId !== 'string' ||
    (l.status !== 'succeeded' && l.status !== 'failed') ||
    !Array.isArray(l.lines)
  ) {
    throw new Error(`Run log ${path} lacks asset, partitions, run, status or lines; delete it: it only holds log lines.`);
  }
  return l as AttemptLog;
}

/** The trigger a workflow id implies, for activities of workflows started before triggers were passed along (contract/ids.ts makes the ids). */
export function triggerOfWorkflowId(workflowId: string): RunTrigger {
  if (workflowId.includes('/materialize/')) return 'materialize';
  if (workflowId.includes('/backfill/refresh-')) return 'schedule';
  if (workflowId.includes('/backfill/catchup-')) return 'catch-up';
  return 'backfill';
}

/** One attempt in the runs list (GET /api/runs) and a partition's history. */
export interface RunRow {
  asset: string;
  /** '' for an unpartitioned asset */
  partition: string;
  /** null for commits made before runs were recorded */
  trigger: RunTrigger | null;
  status: RunStatus;
  attempt: number | null;
  /** ms since the epoch: the attempt's start, or the commit's time for commits made before runs were recorded */
  startedAt: number;
  durationMs: number | null;
  rows: number | null;
  bytes: number | null;
  /** the table version a success committed */
  version: number | null;
  workflowId: string | null;
  runId: string | null;
  /** the attempt's log object, when one was recorded (it may be missing: written best-effort) */
  log: string | null;
  /** a failure's message (its stack is in the partition's history) */
  error: string | null;
}

/** One attempt in a partition's history: the row, and what the page shows of it. */
export interface PartitionRun extends RunRow {
  inputVersions: Record<string, number> | null;
  peakMemoryBytes: number | null;
  spilledBytes: number | null;
  mode: string | null;
  batchSize: number | null;
  errorDetail: RunError | null;
  /** a failure's log lines (a success's are read on demand) */
  lines: Array<Record<string, unknown>> | null;
  droppedLines: number;
}

export interface RunFilter {
  asset?: string;
  status?: RunStatus;
  trigger?: RunTrigger;
}

export interface RunPage<T> {
  total: number;
  offset: number;
  runs: T[];
}
