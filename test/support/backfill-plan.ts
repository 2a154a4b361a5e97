// Hand-made backfill plans for tests of the scheduler (readyBatches, the backfill workflow with stub activities).
import type { BackfillPlan, PlannedAsset } from '../../contract/backfill.ts';

export type PlannedDep = PlannedAsset['deps'][number];

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
export const sameKey = (up: number, n: number): PlannedDep => ({ up, lo: range(n), hi: range(n) });

/** lookback: key k of n reads upstream keys k-w+1 … k (clipped at 0) */
export const lastKeys = (up: number, n: number, w: number): PlannedDep => ({
  up,
  lo: range(n).map((k) => Math.max(0, k - w + 1)),
  hi: range(n),
});

/** every key of n reads all m upstream keys */
export const allKeys = (up: number, n: number, m: number): PlannedDep => ({ up, lo: Array(n).fill(0), hi: Array(n).fill(m - 1) });

/** the (upstream asset index, upstream key index) pairs that key k of asset i reads */
export function upstreamOf(plan: BackfillPlan, i: number, k: number): Array<readonly [number, number]> {
  return plan.assets[i].deps.flatMap((d) => range(Math.max(0, d.hi[k] - d.lo[k] + 1)).map((j) => [d.up, d.lo[k] + j] as const));
}
