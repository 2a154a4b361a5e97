// Freshness SLA → Temporal Schedule. Pure: one function from a declaration to a schedule and
// the reason for it, so `freshet schedules` can explain every choice.
import { freshnessScheduleId } from '../contract/ids.ts';
import { formatDuration, type AssetDef } from '../core/index.ts';

export interface DerivedSchedule {
  asset: string;
  scheduleId: string;
  /** one run every maxLag */
  everyMs: number;
  /** phase from the Unix epoch: 0 lines runs up with UTC hour and day boundaries, i.e. the partition grid */
  offsetMs: number;
  /** the compute budget: a run, retries included, must finish within it */
  runTimeoutMs: number;
  /** how far back missed runs are caught up after an outage */
  catchupWindowMs: number;
  reason: string;
  /** set when the SLA cannot be met as declared */
  warning?: string;
}

const GRID_MS = { hourly: 3_600_000, daily: 86_400_000 } as const;
// Temporal refuses a catch-up window under 10 seconds.
const MIN_CATCHUP_MS = 10_000;

export function deriveSchedule(asset: AssetDef, taskQueue: string): DerivedSchedule | undefined {
  if (!asset.freshness) return undefined;
  const { maxLagMs, computeBudgetMs } = asset.freshness;
  const L = formatDuration(maxLagMs);
  const B = formatDuration(computeBudgetMs);
  const grid = asset.partitions && asset.partitions.kind !== 'static' ? GRID_MS[asset.partitions.kind] : undefined;
  let warning: string | undefined;
  if (grid && maxLagMs < grid) {
    warning = `maxLag ${L} is shorter than one ${asset.partitions!.kind} partition: the newest complete partition is up to ${formatDuration(grid)} old, so the SLA cannot hold; use a finer partitioning or maxLag >= ${formatDuration(grid)}.`;
  } else if (grid && maxLagMs % grid !== 0) {
    warning = `maxLag ${L} is not a whole number of ${asset.partitions!.kind} partitions: runs will not line up with partition boundaries.`;
  }
  const aligned = grid ? `, on the ${asset.partitions!.kind} partition boundary (UTC)` : '';
  return {
    asset: asset.name,
    scheduleId: freshnessScheduleId(taskQueue, asset.name),
    everyMs: maxLagMs,
    offsetMs: 0,
    runTimeoutMs: computeBudgetMs,
    catchupWindowMs: Math.max(maxLagMs, MIN_CATCHUP_MS),
    reason:
      `maxLag ${L} → a run every ${L}${aligned}; each run, retries included, must finish within ${B}` +
      `${asset.freshness && computeBudgetMs * 4 === maxLagMs ? ' (a quarter of maxLag)' : ''}; data is then at most ${L} + ${B} old.`,
    warning,
  };
}
