// The upstream ranges of a planned asset as arrays, from the runs the planner sends (or the
// arrays plans made before runs carry). Pure and deterministic, for replay.
import type { PlannedAsset } from '../contract/backfill.ts';
import { fromRuns } from '../contract/int-runs.ts';

/** Per key k of the asset, the upstream keys [lo[k], hi[k]] it reads in asset `up` (lo > hi: none). */
export interface Ranges {
  up: number;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
}

// Decoded once per plan object: a workflow run keeps one plan.
const decoded = new WeakMap<PlannedAsset, Ranges[]>();

export function upstreamRanges(a: PlannedAsset): Ranges[] {
  let out = decoded.get(a);
  if (!out) {
    const n = a.keys.length;
    out = a.deps.map((d) => ('loRuns' in d ? { up: d.up, lo: fromRuns(d.loRuns, n), hi: fromRuns(d.hiRuns, n) } : d));
    decoded.set(a, out);
  }
  return out;
}
