// The backfill's readiness by a full scan of every task, as the workflow computed it before
// workflows/backfill-readiness.ts kept it up to date: the reference the incremental one must
// equal, batch for batch (a running backfill replays through either).
import type { BackfillFailure, BackfillPlan } from '../../contract/backfill.ts';
import { readiness, type Batch } from '../../workflows/backfill-readiness.ts';
import { upstreamRanges } from '../../workflows/plan-ranges.ts';

/** Prefix counts of a state class over one asset's keys, for O(1) range checks. */
function prefix(states: string[], match: (c: string) => boolean): Int32Array {
  const p = new Int32Array(states.length + 1);
  for (let i = 0; i < states.length; i++) p[i + 1] = p[i] + (match(states[i]) ? 1 : 0);
  return p;
}

const isDone = (c: string) => c === 'm' || c === 's';
const isBad = (c: string) => c === 'f' || c === 'c';

/**
 * Finds the pending tasks whose upstream ranges are all done, grouped into contiguous batches,
 * and fails the pending tasks whose upstream failed. Assets are in dependency order, so one pass suffices.
 */
export function readyBatchesByScan(plan: BackfillPlan, states: string[][], failures: BackfillFailure[]): Batch[] {
  const done: Int32Array[] = [];
  const bad: Int32Array[] = [];
  const batches: Batch[] = [];
  plan.assets.forEach((a, i) => {
    const st = states[i];
    const deps = upstreamRanges(a);
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

/** The incremental bookkeeping built from `states` and asked once for every ready batch: what the full scan answers. */
export const readyBatches = (plan: BackfillPlan, states: string[][], failures: BackfillFailure[]): Batch[] =>
  readiness(plan, states).next(Number.POSITIVE_INFINITY, failures);
