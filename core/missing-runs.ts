// Which upstream partitions to materialize before a partition can run, said as commands.
import type { Partitions } from './partitions.ts';

export interface KeyRun {
  from: string;
  to: string;
}

/**
 * The keys of `needed` (in partition order) that are not `present`, as runs of neighbouring
 * keys: `--from/--to` of one run then computes exactly what is missing, nothing already there.
 */
export function missingRuns(needed: readonly string[], present: (key: string) => boolean): KeyRun[] {
  const runs: KeyRun[] = [];
  let open: KeyRun | undefined;
  for (const key of needed) {
    if (present(key)) {
      open = undefined;
      continue;
    }
    if (open) {
      open.to = key;
    } else runs.push((open = { from: key, to: key }));
  }
  return runs;
}

/** The `freshet materialize` command that computes the missing runs of `asset` (one range, or --outdated over the span of several). */
export function materializeMissingCommand(asset: string, partitions: Partitions | undefined, runs: readonly KeyRun[]): string {
  if (!partitions || runs.length === 0) return `freshet materialize ${asset}`;
  const [first, last] = [runs[0], runs[runs.length - 1]];
  // Several gaps: --outdated within their span computes the missing ones and leaves the rest alone.
  const outdated = runs.length > 1 ? ' --outdated' : '';
  return `freshet materialize ${asset}${outdated} --from ${first.from} --to ${last.to}`;
}
