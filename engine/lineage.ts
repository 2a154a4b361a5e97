// What was materialized when, read back from the commitInfo Freshet writes with every commit.
import type { RunRef } from '../contract/runs.ts';
import { history, loadSnapshot, type Table } from '../delta/index.ts';

export interface Materialization {
  version: number;
  timestamp: number;
  partition: string | null;
  rows: number;
  bytes: number;
  durationMs: number;
  inputVersions: Record<string, number>;
  /** DuckDB's peak buffer memory during the computation, when recorded */
  peakMemoryBytes: number | null;
  /** most bytes spilled to disk, when recorded */
  spilledBytes: number | null;
  /** 'partition', 'range' (one query over batchSize partitions) or 'transform' */
  mode: string | null;
  batchSize: number | null;
  /** the activity attempt that made it; null for commits made before runs were recorded */
  run: RunRef | null;
}

interface FreshetCommitInfo {
  partition?: string | null;
  rows?: number;
  bytes?: number;
  durationMs?: number;
  inputVersions?: Record<string, number>;
  peakMemoryBytes?: number | null;
  spilledBytes?: number | null;
  mode?: string;
  batchSize?: number;
  run?: RunRef;
}

/** Every Freshet materialization recorded in the table's log, oldest first. */
export async function materializations(table: Table): Promise<Materialization[]> {
  if (!(await loadSnapshot(table))) return [];
  const entries = await history(table);
  const out: Materialization[] = [];
  for (const e of entries) {
    const info = freshetInfo(e.commitInfo);
    if (!info) continue;
    // Spark's writer counts what it wrote in its own metrics (strings), not in Freshet's record.
    const metrics = (e.commitInfo?.operationMetrics ?? {}) as Record<string, unknown>;
    out.push({
      version: e.version,
      timestamp: e.timestamp,
      partition: info.partition ?? null,
      rows: info.rows ?? (Number(metrics.numOutputRows) || 0),
      bytes: info.bytes ?? (Number(metrics.numOutputBytes) || 0),
      durationMs: info.durationMs ?? (Number(metrics.executionTimeMs) || 0),
      inputVersions: info.inputVersions ?? {},
      peakMemoryBytes: info.peakMemoryBytes ?? null,
      spilledBytes: info.spilledBytes ?? null,
      mode: info.mode ?? null,
      batchSize: info.batchSize ?? null,
      run: info.run && typeof info.run.workflowId === 'string' ? info.run : null,
    });
  }
  return out;
}

/**
 * Freshet's record in a commit: `commitInfo.freshet` as Freshet's writer puts it, or inside
 * `userMetadata` (a JSON string), the one field Delta's Spark writer lets a job set.
 */
function freshetInfo(commitInfo: Record<string, unknown> | undefined): FreshetCommitInfo | undefined {
  if (!commitInfo) return undefined;
  if (commitInfo.freshet) return commitInfo.freshet as FreshetCommitInfo;
  const meta = commitInfo.userMetadata;
  if (typeof meta !== 'string' || !meta.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(meta) as { freshet?: FreshetCommitInfo };
    return parsed.freshet;
  } catch {
    return undefined; // someone else's userMetadata: not a Freshet materialization
  }
}

/** The newest materialization of each partition ('' for an unpartitioned asset). */
export function latestByPartition(list: Materialization[]): Map<string, Materialization> {
  const latest = new Map<string, Materialization>();
  for (const m of list) latest.set(m.partition ?? '', m);
  return latest;
}
