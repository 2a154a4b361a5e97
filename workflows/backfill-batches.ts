// Cutting ready batches to fill a backfill's free slots. Range batching pays while there is more
// ready work than slots; at the tail of a chain it does not: each asset's last batch waits for the
// one before it, one activity at a time, while the other slots stay idle. Pure, for replay.
import type { BackfillPlan } from '../contract/backfill.ts';
import type { Batch } from './backfill-readiness.ts';

/**
 * `batches` as they are when there are at least as many as `slots`; else each cut, in key order,
 * into near-equal batches (sizes one apart at most) of about an equal share of the ready keys,
 * none with fewer keys than its asset's `minBatch`. An asset without `minBatch` (a Spark asset, a
 * plan made before the cut) keeps its batches whole.
 */
export function fillSlots(plan: BackfillPlan, batches: Batch[], slots: number): Batch[] {
  if (batches.length >= slots) return batches;
  const ready = batches.reduce((n, b) => n + b.keys.length, 0);
  const share = Math.ceil(ready / slots);
  return batches.flatMap((b) => {
    const min = plan.assets[b.asset].minBatch;
    if (min === undefined) return [b];
    const n = b.keys.length;
    const pieces = Math.min(Math.floor(n / min), Math.ceil(n / share));
    if (pieces <= 1) return [b];
    const cut: Batch[] = [];
    // the first n % pieces get one key more
    for (let p = 0, at = 0; p < pieces; p++) {
      const size = Math.floor(n / pieces) + (p < n % pieces ? 1 : 0);
      cut.push({ asset: b.asset, keys: b.keys.slice(at, (at += size)) });
    }
    return cut;
  });
}
