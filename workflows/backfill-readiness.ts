// Which tasks of a backfill are ready, kept up to date as tasks change state, so a completed
// batch costs the workflow what it changed, not the size of the backfill: counts of done and
// failed keys per asset in Fenwick trees (a range of upstream keys is checked in O(log n)), and
// only the keys that read a changed key are looked at again. Pure and deterministic, for replay.
import type { BackfillFailure, BackfillPlan } from '../contract/backfill.ts';
import { fenwick, type Fenwick } from './fenwick.ts';
import { upstreamRanges, type Ranges } from './plan-ranges.ts';

export interface Batch {
  asset: number;
  /** key indices, contiguous */
  keys: number[];
}

export interface Readiness {
  /** A task's new state char (contract: 'p' 'P' 'r' 'm' 's' 'f' 'c'); every change goes through here. */
  set(asset: number, key: number, state: string): void;
  /**
   * Fails the pending tasks that read a failed or cancelled one (pushing why to `failures`, by
   * asset then key), then returns the first `limit` ready batches: per asset in plan order,
   * contiguous runs of ready pending keys cut at the asset's batch size, a 'P' key alone.
   */
  next(limit: number, failures: BackfillFailure[]): Batch[];
  /** no task pending or running */
  finished(): boolean;
}

const isPending = (c: string) => c === 'p' || c === 'P';
const isDone = (c: string) => c === 'm' || c === 's';
const isBad = (c: string) => c === 'f' || c === 'c';

/** For one upstream: which of its readers (asset, dep) to look at again when its key j changes. */
interface Reader {
  asset: number;
  ranges: Ranges;
  /** lo and hi never decrease: the keys reading j are one slice, found by bisection */
  sorted: boolean;
}

const nonDecreasing = (xs: ArrayLike<number>) => {
  for (let i = 1; i < xs.length; i++) if (xs[i] < xs[i - 1]) return false;
  return true;
};

/** First index in [0, n) with xs[i] >= x (n if none). */
function lowerBound(xs: ArrayLike<number>, x: number): number {
  let [a, b] = [0, xs.length];
  while (a < b) {
    const m = (a + b) >>> 1;
    if (xs[m] < x) a = m + 1;
    else b = m;
  }
  return a;
}

/** Builds the bookkeeping over `states` (one char array per planned asset), which it then keeps and changes in place. */
export function readiness(plan: BackfillPlan, states: string[][]): Readiness {
  const n = plan.assets.length;
  const deps = plan.assets.map(upstreamRanges);
  const done: Fenwick[] = states.map((st) => fenwick(st.map((c) => (isDone(c) ? 1 : 0))));
  const bad: Fenwick[] = states.map((st) => fenwick(st.map((c) => (isBad(c) ? 1 : 0))));
  const ready: Uint8Array[] = states.map((st) => new Uint8Array(st.length));
  const readyIndex: Fenwick[] = states.map((st) => fenwick(new Array<number>(st.length).fill(0)));
  const dirty: Uint8Array[] = states.map((st) => new Uint8Array(st.length));
  const dirtyKeys: number[][] = states.map(() => []);
  const readers: Reader[][] = Array.from({ length: n }, () => []);
  deps.forEach((ds, i) =>
    ds.forEach((d) => readers[d.up].push({ asset: i, ranges: d, sorted: nonDecreasing(d.lo) && nonDecreasing(d.hi) })),
  );
  let unfinished = 0;

  const markDirty = (i: number, k: number) => {
    if (dirty[i][k]) return;
    dirty[i][k] = 1;
    dirtyKeys[i].push(k);
  };
  const setReady = (i: number, k: number, on: boolean) => {
    if (ready[i][k] === (on ? 1 : 0)) return;
    ready[i][k] = on ? 1 : 0;
    readyIndex[i].add(k, on ? 1 : -1);
  };
  // Upstream key j of asset u became done or failed: the keys that read it may have changed.
  const notify = (u: number, j: number) => {
    for (const r of readers[u]) {
      const { lo, hi } = r.ranges;
      if (!r.sorted) {
        for (let k = 0; k < lo.length; k++) if (lo[k] <= j && j <= hi[k]) markDirty(r.asset, k);
        continue;
      }
      // keys with hi >= j, up to the last with lo <= j
      for (let k = lowerBound(r.ranges.hi, j), end = lowerBound(r.ranges.lo, j + 1); k < end; k++)
        if (lo[k] <= hi[k]) markDirty(r.asset, k);
    }
  };

  const set = (i: number, k: number, c: string) => {
    const was = states[i][k];
    if (was === c) return;
    states[i][k] = c;
    const open = (x: string) => isPending(x) || x === 'r';
    unfinished += (open(c) ? 1 : 0) - (open(was) ? 1 : 0);
    if (isDone(c) !== isDone(was)) done[i].add(k, isDone(c) ? 1 : -1);
    if (isBad(c) !== isBad(was)) bad[i].add(k, isBad(c) ? 1 : -1);
    if (isPending(c)) markDirty(i, k);
    else setReady(i, k, false);
    if ((isDone(c) && !isDone(was)) || (isBad(c) && !isBad(was))) notify(i, k);
  };

  states.forEach((st, i) =>
    st.forEach((c, k) => {
      if (isPending(c) || c === 'r') unfinished++;
      if (isPending(c)) markDirty(i, k);
    }),
  );

  /** Looks again at the dirty pending keys of asset i, in key order: fail, ready, or still waiting. */
  const settle = (i: number, failures: BackfillFailure[]) => {
    const keys = dirtyKeys[i].sort((x, y) => x - y);
    dirtyKeys[i] = [];
    const a = plan.assets[i];
    for (const k of keys) {
      dirty[i][k] = 0;
      if (!isPending(states[i][k])) continue;
      let isReady = true;
      let failedUp: number | undefined;
      for (const d of deps[i]) {
        const [lo, hi] = [d.lo[k], d.hi[k]];
        if (lo > hi) continue;
        if (bad[d.up].range(lo, hi) > 0) {
          failedUp = d.up;
          break;
        }
        if (done[d.up].range(lo, hi) < hi - lo + 1) isReady = false;
      }
      if (failedUp !== undefined) {
        set(i, k, 'f');
        failures.push({
          asset: a.asset,
          partition: a.keys[k] || null,
          error: `not run: upstream '${plan.assets[failedUp].asset}' failed or was cancelled in this backfill`,
        });
        continue;
      }
      setReady(i, k, isReady);
    }
  };

  const next = (limit: number, failures: BackfillFailure[]): Batch[] => {
    // Assets are in dependency order: a failure found here only dirties later assets.
    for (let i = 0; i < n; i++) settle(i, failures);
    const batches: Batch[] = [];
    for (let i = 0; i < n && batches.length < limit; i++) {
      const st = states[i];
      const size = plan.assets[i].batchSize;
      for (let k = readyIndex[i].firstFrom(0); k >= 0 && batches.length < limit;) {
        const keys = [k];
        if (st[k] === 'p')
          while (keys.length < size && ready[i][k + keys.length] && st[k + keys.length] === 'p') keys.push(k + keys.length);
        batches.push({ asset: i, keys });
        k = readyIndex[i].firstFrom(k + keys.length);
      }
    }
    return batches;
  };

  return { set, next, finished: () => unfinished === 0 };
}
