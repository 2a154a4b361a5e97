// The backfill's task states as one char each, and what a continue-as-new carries of its failures.
// Pure and deterministic (no imports but types), so the workflow can replay it.
import type { BackfillFailure, TaskState } from '../contract/backfill.ts';

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
