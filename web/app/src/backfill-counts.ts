// A backfill's partitions by outcome, in words: each outcome apart, never "done" for skipped or cancelled ones.
import type { BackfillCounts } from '../../api-types.ts';

export const OUTCOMES: ReadonlyArray<[keyof BackfillCounts, string]> = [
  ['materialized', 'materialized'],
  ['skipped', 'up to date'],
  ['failed', 'failed'],
  ['cancelled', 'cancelled'],
  ['left', 'left'],
];

/** The outcomes that happened, e.g. "3 materialized · 2 up to date · 5 cancelled". */
export function countsText(c: BackfillCounts): string {
  return OUTCOMES.filter(([k]) => c[k] > 0)
    .map(([k, what]) => `${c[k]} ${what}`)
    .join(' · ');
}
