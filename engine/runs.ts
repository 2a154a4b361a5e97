// Reads runs back: successes from the commits' RunRefs (lineage.ts), failures from the failed
// attempts' log objects, listed by name so a page reads only the objects it shows. The web API
// and `freshet logs` both read through here.
import {
  failedAttemptsPrefix,
  failedPartitionPrefix,
  parseAttemptLog,
  parseFailedAttemptPath,
  type AttemptLog,
  type FailedAttemptName,
  type PartitionRun,
  type RunFilter,
  type RunPage,
  type RunRow,
} from '../contract/runs.ts';
import type { ObjectStore } from '../storage/types.ts';
import type { Materialization } from './lineage.ts';

/** One asset's commits (oldest first, as materializations() gives them). */
export interface RunSource {
  asset: string;
  history: Materialization[];
}

type Entry =
  | { asset: string; startedAt: number; order: number; ok: Materialization }
  | { asset: string; startedAt: number; order: number; failed: FailedAttemptName };

/** The failed attempts of `asset` (of one partition when `key` is given), from the listing alone. */
export async function listFailedAttempts(warehouse: ObjectStore, asset: string, key?: string): Promise<FailedAttemptName[]> {
  const prefix = key === undefined ? failedAttemptsPrefix(asset) : failedPartitionPrefix(asset, key);
  const out: FailedAttemptName[] = [];
  for (const info of await warehouse.list(prefix)) {
    const name = parseFailedAttemptPath(asset, info.path);
    // a longer key's folder can start like this one's: keep only the key asked for
    if (name && (key === undefined || name.partition === key)) out.push(name);
  }
  return out;
}

/** An attempt's log object; undefined when it is not there (logs are written best-effort). */
export async function readAttemptLog(warehouse: ObjectStore, path: string): Promise<AttemptLog | undefined> {
  const bytes = await warehouse.get(path);
  return bytes ? parseAttemptLog(`${warehouse.uri}/${path}`, new TextDecoder().decode(bytes)) : undefined;
}

function entries(sources: RunSource[], failed: Map<string, FailedAttemptName[]>, filter: RunFilter, key?: string): Entry[] {
  const out: Entry[] = [];
  for (const s of sources) {
    if (filter.asset !== undefined && s.asset !== filter.asset) continue;
    if (filter.status === undefined || filter.status === 'succeeded') {
      for (const m of s.history) {
        if (key !== undefined && (m.partition ?? '') !== key) continue;
        if (filter.trigger !== undefined && m.run?.trigger !== filter.trigger) continue;
        out.push({ asset: s.asset, startedAt: m.run?.startedAt ?? m.timestamp - m.durationMs, order: m.version, ok: m });
      }
    }
    if (filter.status === undefined || filter.status === 'failed') {
      for (const f of failed.get(s.asset) ?? []) {
        if (filter.trigger !== undefined && f.trigger !== filter.trigger) continue;
        out.push({ asset: s.asset, startedAt: f.startedAt, order: -1, failed: f });
      }
    }
  }
  // newest first; of one start time, the later attempt first, then the higher version
  return out.sort(
    (a, b) =>
      b.startedAt - a.startedAt ||
      ('failed' in b ? b.failed.attempt : (b.ok.run?.attempt ?? 0)) - ('failed' in a ? a.failed.attempt : (a.ok.run?.attempt ?? 0)) ||
      b.order - a.order,
  );
}

function successRun(asset: string, m: Materialization): PartitionRun {
  return {
    asset,
    partition: m.partition ?? '',
    trigger: m.run?.trigger ?? null,
    status: 'succeeded',
    attempt: m.run?.attempt ?? null,
    startedAt: m.run?.startedAt ?? m.timestamp - m.durationMs,
    durationMs: m.durationMs,
    rows: m.rows,
    bytes: m.bytes,
    version: m.version,
    workflowId: m.run?.workflowId ?? null,
    runId: m.run?.runId ?? null,
    log: m.run?.log ?? null,
    error: null,
    inputVersions: m.inputVersions,
    peakMemoryBytes: m.peakMemoryBytes,
    spilledBytes: m.spilledBytes,
    mode: m.mode,
    batchSize: m.batchSize,
    errorDetail: null,
    lines: null,
    droppedLines: 0,
  };
}

/** A failed attempt from its object; one that is gone or unreadable still shows, saying so. */
async function failedRun(warehouse: ObjectStore, asset: string, f: FailedAttemptName): Promise<PartitionRun> {
  const base: PartitionRun = {
    asset,
    partition: f.partition,
    trigger: f.trigger,
    status: 'failed',
    attempt: f.attempt,
    startedAt: f.startedAt,
    durationMs: null,
    rows: null,
    bytes: null,
    version: null,
    workflowId: null,
    runId: null,
    log: f.path,
    error: null,
    inputVersions: null,
    peakMemoryBytes: null,
    spilledBytes: null,
    mode: null,
    batchSize: null,
    errorDetail: null,
    lines: null,
    droppedLines: 0,
  };
  let log: AttemptLog | undefined;
  try {
    log = await readAttemptLog(warehouse, f.path);
  } catch (err) {
    return { ...base, error: (err as Error).message };
  }
  if (!log) return { ...base, log: null, error: 'its log object is gone (deleted since it was listed)' };
  return {
    ...base,
    durationMs: log.durationMs,
    workflowId: log.run.workflowId,
    runId: log.run.runId,
    error: log.error?.message ?? null,
    errorDetail: log.error,
    lines: log.lines,
    droppedLines: log.droppedLines ?? 0,
  };
}

const READ_AT_ONCE = 16;

async function page(warehouse: ObjectStore, list: Entry[], offset: number, limit: number): Promise<RunPage<PartitionRun>> {
  const shown = list.slice(offset, offset + limit);
  const runs: PartitionRun[] = [];
  // A few at a time: on S3 each failure shown is one request.
  for (let i = 0; i < shown.length; i += READ_AT_ONCE) {
    runs.push(
      ...(await Promise.all(
        shown.slice(i, i + READ_AT_ONCE).map((e) => ('ok' in e ? successRun(e.asset, e.ok) : failedRun(warehouse, e.asset, e.failed))),
      )),
    );
  }
  return { total: list.length, offset, runs };
}

/**
 * Every attempt of the given assets, filtered and paged (GET /api/runs): those `running` now
 * first (control/runs.ts reads them from Temporal), then the recorded ones, newest first.
 */
export async function runsPage(
  warehouse: ObjectStore,
  sources: RunSource[],
  filter: RunFilter,
  offset: number,
  limit: number,
  running: RunRow[] = [],
): Promise<RunPage<RunRow>> {
  const wanted = sources.filter((s) => filter.asset === undefined || s.asset === filter.asset);
  const known = new Set(wanted.map((s) => s.asset));
  const now =
    filter.status === undefined || filter.status === 'running'
      ? running.filter((r) => known.has(r.asset) && (filter.trigger === undefined || r.trigger === filter.trigger))
      : [];
  const failed = new Map<string, FailedAttemptName[]>();
  if (filter.status === undefined || filter.status === 'failed') {
    await Promise.all(wanted.map(async (s) => failed.set(s.asset, await listFailedAttempts(warehouse, s.asset))));
  }
  const shown = now.slice(offset, offset + limit);
  const recorded = entries(wanted, failed, filter);
  const p = await page(warehouse, recorded, Math.max(0, offset - now.length), limit - shown.length);
  return { total: now.length + recorded.length, offset, runs: [...shown, ...p.runs.map(rowOf)] };
}

/** Every attempt at one partition ('' unpartitioned), newest first, paged: the partition page and `freshet logs`. */
export async function partitionRuns(
  warehouse: ObjectStore,
  source: RunSource,
  key: string,
  offset: number,
  limit: number,
): Promise<RunPage<PartitionRun>> {
  const failed = new Map([[source.asset, await listFailedAttempts(warehouse, source.asset, key)]]);
  return page(warehouse, entries([source], failed, {}, key), offset, limit);
}

function rowOf(r: PartitionRun): RunRow {
  return {
    asset: r.asset,
    partition: r.partition,
    trigger: r.trigger,
    status: r.status,
    attempt: r.attempt,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    rows: r.rows,
    bytes: r.bytes,
    version: r.version,
    workflowId: r.workflowId,
    runId: r.runId,
    log: r.log,
    error: r.error,
  };
}
