// Hand-made backfill plans for tests of the scheduler (readyBatches, the backfill workflow with stub activities).
import type { BackfillPlan, PlannedAsset, PlannedDep } from '../../contract/backfill.ts';
import { fromRuns, toRuns } from '../../contract/int-runs.ts';

export type { PlannedDep };

/** ranges as two arrays, as plans made before runs carry them */
export type ArrayDep = { up: number; lo: number[]; hi: number[] };

/** the same ranges as the planner sends them */
export const runsOf = (d: ArrayDep): PlannedDep => ({ up: d.up, loRuns: toRuns(d.lo), hiRuns: toRuns(d.hi) });

/** ranges as two arrays, whichever form the dep has */
export const arraysOf = (d: PlannedDep, n: number): ArrayDep =>
  'loRuns' in d ? { up: d.up, lo: [...fromRuns(d.loRuns, n)], hi: [...fromRuns(d.hiRuns, n)] } : d;

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** One planned asset: keys k0, k1, … (or the given keys), one initial state char per key ('p' run, 's' skipped). */
export function plannedAsset(asset: string, initial: string, deps: PlannedDep[] = [], batchSize = 16, keys?: string[]): PlannedAsset {
  return {
    asset,
    keys: keys ?? [...initial].map((_, i) => `k${i}`),
    initial,
    deps,
    batchSize,
    attemptTimeoutMs: 60_000,
    retry: { maxAttempts: 1, initialIntervalMs: 1000, backoff: 2, maxIntervalMs: 1000 },
  };
}

export function backfillPlan(...assets: PlannedAsset[]): BackfillPlan {
  return { assets, tasks: assets.reduce((n, a) => n + a.keys.length, 0) };
}

/** identity: key k of n reads upstream key k */
export const sameKey = (up: number, n: number): PlannedDep => runsOf({ up, lo: range(n), hi: range(n) });

/** lookback: key k of n reads upstream keys k-w+1 … k (clipped at 0) */
export const lastKeys = (up: number, n: number, w: number): PlannedDep =>
  runsOf({
    up,
    lo: range(n).map((k) => Math.max(0, k - w + 1)),
    hi: range(n),
  });

/** every key of n reads all m upstream keys */
export const allKeys = (up: number, n: number, m: number): PlannedDep => runsOf({ up, lo: Array(n).fill(0), hi: Array(n).fill(m - 1) });

/** the (upstream asset index, upstream key index) pairs that key k of asset i reads */
export function upstreamOf(plan: BackfillPlan, i: number, k: number): Array<readonly [number, number]> {
  const n = plan.assets[i].keys.length;
  return plan.assets[i].deps
    .map((d) => arraysOf(d, n))
    .flatMap((d) => range(Math.max(0, d.hi[k] - d.lo[k] + 1)).map((j) => [d.up, d.lo[k] + j] as const));
}
