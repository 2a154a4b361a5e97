// The backfill's bookkeeping: task states as one char each, readiness from upstream ranges.
// Pure and deterministic (no imports but types), so the workflow can replay it.
import type { BackfillFailure, BackfillPlan, PlannedAsset, TaskState } from '../contract/backfill.ts';
import { fromRuns } from '../contract/int-runs.ts';

// 'P' is pending too, but runs alone: it was in a batch that failed, and its own error is wanted.
export const STATE: Record<string, TaskState> = {
  p: 'pending',
  P: 'pending',
  r: 'running',
  m: 'materialized',
  s: 'skipped',
  f: 'failed',
  c: 'cancelled',
};

export interface Batch {
  asset: number;
  /** key indices, contiguous */
  keys: number[];
}

/** Prefix counts of a state class over one asset's keys, for O(1) range checks. */
function prefix(states: string[], match: (c: string) => boolean): Int32Array {
  const p = new Int32Array(states.length + 1);
  for (let i = 0; i < states.length; i++) p[i + 1] = p[i] + (match(states[i]) ? 1 : 0);
  return p;
}

interface Ranges {
  up: number;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
}

// Decoded once per plan object: the workflow keeps one plan for its run, and readyBatches runs per completion.
const decoded = new WeakMap<PlannedAsset, Ranges[]>();

function ranges(a: PlannedAsset): Ranges[] {
  let out = decoded.get(a);
  if (!out) {
    const n = a.keys.length;
    out = a.deps.map((d) => ('loRuns' in d ? { up: d.up, lo: fromRuns(d.loRuns, n), hi: fromRuns(d.hiRuns, n) } : d));
    decoded.set(a, out);
  }
  return out;
}

const isDone = (c: string) => c === 'm' || c === 's';
const isBad = (c: string) => c === 'f' || c === 'c';

/**
 * Finds the pending tasks whose upstream ranges are all done, grouped into contiguous batches,
 * and fails the pending tasks whose upstream failed. Assets are in dependency order, so one pass suffices.
 */
export function readyBatches(plan: BackfillPlan, states: string[][], failures: BackfillFailure[]): Batch[] {
  const done: Int32Array[] = [];
  const bad: Int32Array[] = [];
  const batches: Batch[] = [];
  plan.assets.forEach((a, i) => {
    const st = states[i];
    const deps = ranges(a);
    let run: number[] = [];
    const flush = () => {
      if (run.length) batches.push({ asset: i, keys: run });
      run = [];
    };
    for (let k = 0; k < st.length; k++) {
      if (st[k] !== 'p' && st[k] !== 'P') {
        flush();
        continue;
      }
      let ready = true;
      for (const d of deps) {
        const lo = d.lo[k];
        const hi = d.hi[k];
        if (lo > hi) continue;
        const n = hi - lo + 1;
        if (bad[d.up][hi + 1] - bad[d.up][lo] > 0) {
          st[k] = 'f';
          failures.push({
            asset: a.asset,
            partition: a.keys[k] || null,
            error: `not run: upstream '${plan.assets[d.up].asset}' failed or was cancelled in this backfill`,
          });
          ready = false;
          break;
        }
        if (done[d.up][hi + 1] - done[d.up][lo] < n) ready = false;
      }
      if (!ready) {
        flush();
        continue;
      }
      if (st[k] === 'P') {
        flush();
        batches.push({ asset: i, keys: [k] });
        continue;
      }
      run.push(k);
      if (run.length >= a.batchSize) flush();
    }
    flush();
    done.push(prefix(st, isDone));
    bad.push(prefix(st, isBad));
  });
  return batches;
}

/**
 * What a continue-as-new carries of the failures: the newest `count`, each error cut to
 * `maxError` chars, no more than `budget` bytes in all. It goes in one payload with the plan
 * (Temporal refuses over 2 MB), and the states still count every failure.
 */
export function newestFailures(failures: BackfillFailure[], count: number, budget: number, maxError = 2_000): BackfillFailure[] {
  const out: BackfillFailure[] = [];
  let bytes = 0;
  for (let i = failures.length - 1; i >= 0 && out.length < count; i--) {
    const f = failures[i];
    const kept = f.error.length > maxError ? { ...f, error: `${f.error.slice(0, maxError)}…` } : f;
    bytes += JSON.stringify(kept).length;
    if (bytes > budget) break;
    out.push(kept);
  }
  return out.reverse();
}

export function countStates(states: string[]): Record<TaskState, number> {
  const counts: Record<TaskState, number> = { pending: 0, running: 0, materialized: 0, skipped: 0, failed: 0, cancelled: 0 };
  for (const c of states) counts[STATE[c]]++;
  return counts;
}

export function isFinished(states: string[][]): boolean {
  return states.every((st) => st.every((c) => c !== 'p' && c !== 'P' && c !== 'r'));
}
