// Each materialization attempt's own log lines, kept in one object per attempt (contract/runs.ts
// names it). The process logger hands every line it writes to captureLogLine (runtime/logger.ts),
// after redaction and scrubbing, so what is kept is what the worker logged, secrets removed. The
// SDK buffers its lines for a moment before the logger sees them (to order them with its core's),
// so a line is matched to its attempt by the workflow, activity and attempt it names, not by the
// async context it was written in, and the buffer is flushed before the object is written.
import { Context } from '@temporalio/activity';
import {
  attemptLogPath,
  failedAttemptPath,
  LOG_LIMITS,
  triggerOfWorkflowId,
  type AttemptLog,
  type RunError,
  type RunRef,
  type RunTrigger,
} from '../contract/runs.ts';
import type { ObjectStore } from '../storage/types.ts';

/** Lines of one attempt, bounded: the first ones and the last ones, with a count of those between. */
export interface LineBuffer {
  head: string[];
  tail: string[];
  bytes: number;
  tailBytes: number;
  dropped: number;
}

/** The attempts running in this process, by attemptKey. */
const open = new Map<string, LineBuffer>();
const HALF = LOG_LIMITS.bytes / 2;

export function newLineBuffer(): LineBuffer {
  return { head: [], tail: [], bytes: 0, tailBytes: 0, dropped: 0 };
}

export function pushLine(buf: LineBuffer, raw: string): void {
  const line = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
  if (line.length > LOG_LIMITS.lineBytes) {
    // A cut line is no longer JSON: kept as its message, so the object stays readable.
    pushLine(buf, JSON.stringify({ msg: `${line.slice(0, LOG_LIMITS.lineBytes - 200)}…`, truncated: line.length }));
    return;
  }
  if (buf.tail.length === 0 && buf.head.length < LOG_LIMITS.headLines && buf.bytes + line.length <= HALF) {
    buf.head.push(line);
    buf.bytes += line.length;
    return;
  }
  buf.tail.push(line);
  buf.tailBytes += line.length;
  while (buf.tail.length > LOG_LIMITS.tailLines || buf.tailBytes > HALF) {
    buf.tailBytes -= buf.tail.shift()!.length;
    buf.dropped++;
  }
}

function attemptKey(workflowId: unknown, runId: unknown, activityId: unknown, attempt: unknown): string {
  return JSON.stringify([workflowId, runId, activityId, attempt]);
}

/** Called by the process logger with each line it writes: kept when it names an attempt running here. */
export function captureLogLine(line: string): void {
  if (open.size === 0 || !line.includes('"activityId"')) return;
  let v: { workflowId?: unknown; runId?: unknown; activityId?: unknown; attempt?: unknown };
  try {
    v = JSON.parse(line) as typeof v;
  } catch {
    return; // not a JSON line: not one of an activity's
  }
  const buf = open.get(attemptKey(v.workflowId, v.runId, v.activityId, v.attempt));
  if (buf) pushLine(buf, line);
}

export interface RunLog {
  asset: string;
  partitions: string[];
  ref: RunRef;
  lines: LineBuffer;
}

/** The attempt running now (an activity's context), and where its log object will be. */
export function startRunLog(asset: string, partitions: string[], trigger: RunTrigger | undefined): RunLog {
  const info = Context.current().info;
  const workflowId = info.workflowExecution?.workflowId ?? '';
  const base = {
    trigger: trigger ?? triggerOfWorkflowId(workflowId),
    workflowId,
    runId: info.workflowExecution?.runId ?? '',
    activityId: info.activityId,
    attempt: info.attempt,
    startedAt: Date.now(),
  };
  return { asset, partitions, ref: { ...base, log: attemptLogPath(asset, base) }, lines: newLineBuffer() };
}

/** Runs `fn` with the lines its attempt logs kept in `log`, until saveRunLog (or the end of `fn` when it throws before one). */
export async function inRunLog<T>(log: RunLog, fn: () => Promise<T>): Promise<T> {
  const { workflowId, runId, activityId, attempt } = log.ref;
  open.set(attemptKey(workflowId, runId, activityId, attempt), log.lines);
  return fn();
}

/** Stops keeping lines for `log` (saveRunLog does it; the activity's `finally` too, for an attempt that saves none). */
export function endRunLog(log: RunLog): void {
  const { workflowId, runId, activityId, attempt } = log.ref;
  open.delete(attemptKey(workflowId, runId, activityId, attempt));
}

function parsed(line: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(line);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* a pretty or cut line */
  }
  return { msg: line };
}

/** The error as the logger wrote it in this attempt's last line that holds one: scrubbed, with its stack. */
function loggedError(lines: Array<Record<string, unknown>>): RunError | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const e = (lines[i].err ?? lines[i].error) as { message?: unknown; type?: unknown; stack?: unknown } | undefined;
    if (e && typeof e === 'object' && typeof e.message === 'string') {
      return { message: e.message, type: typeof e.type === 'string' ? e.type : null, stack: typeof e.stack === 'string' ? e.stack : null };
    }
  }
  return null;
}

/**
 * A failure names the partition it failed at when it knows it: the object goes under that
 * partition's folder. When the attempt also committed partitions, their commits point at
 * log.ref.log, so the object is written there too.
 */
export interface RunLogDeps {
  warehouse: ObjectStore;
  /** hands the SDK's buffered lines to the logger now (the worker's Runtime.flushLogs) */
  flushLogs?: () => void;
}

export type RunOutcome = { status: 'succeeded' } | { status: 'failed'; error: unknown; partition?: string; committed?: boolean };

/**
 * Writes the attempt's log object; after the commit for a success. Best-effort: a log that
 * cannot be written is reported in the worker's own log and never fails the attempt. Returns the
 * object's path, or undefined when it was not written.
 */
export async function saveRunLog(deps: RunLogDeps, log: RunLog, outcome: RunOutcome): Promise<string | undefined> {
  const ctx = Context.current();
  try {
    // Through the process logger: the kept error is the scrubbed one.
    if (outcome.status === 'failed') ctx.log.error('materialization attempt failed', { error: outcome.error });
    deps.flushLogs?.();
  } finally {
    endRunLog(log);
  }
  const lines = [...log.lines.head, ...log.lines.tail].map(parsed);
  const failed = outcome.status === 'failed';
  const err = failed ? outcome.error : undefined;
  const object: AttemptLog = {
    asset: log.asset,
    partitions: log.partitions,
    run: log.ref,
    status: outcome.status,
    durationMs: Date.now() - log.ref.startedAt,
    // Without a line (a logger that is not the process's), the message alone: the failure record keeps it already.
    error: failed ? (loggedError(lines) ?? { message: err instanceof Error ? err.message : String(err), type: null, stack: null }) : null,
    lines,
    droppedLines: log.lines.dropped,
  };
  const path = failed && outcome.partition !== undefined ? failedAttemptPath(log.asset, outcome.partition, log.ref) : log.ref.log;
  try {
    const body = JSON.stringify(object);
    await deps.warehouse.put(path, body);
    if (path !== log.ref.log && failed && outcome.committed) await deps.warehouse.put(log.ref.log, body);
    return path;
  } catch (e) {
    ctx.log.warn('could not keep the log lines of an attempt', { path, error: (e as Error).message });
    return undefined;
  }
}
