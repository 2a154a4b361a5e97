// Checks shared by the backfill tests that crash or kill things: wait for progress, and prove
// each partition went into the Delta log exactly once.
import { expect } from 'vitest';
import { backfillProgress, type ControlContext } from '../../control/backfills.ts';
import type { BackfillProgress } from '../../contract/backfill.ts';
import { loadSnapshot, type Table } from '../../delta/index.ts';
import { materializations } from '../../engine/index.ts';

export const materialized = (p: BackfillProgress) => p.assets.reduce((n, a) => n + a.counts.materialized, 0);

/** Polls the backfill's progress query until `pred` holds. */
export async function waitForProgress(
  ctx: ControlContext,
  id: string,
  pred: (p: BackfillProgress) => boolean,
  timeoutMs = 120_000,
): Promise<BackfillProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await backfillProgress(ctx, id);
    if (pred(p)) return p;
    if (Date.now() > deadline) throw new Error(`timed out waiting; last progress ${JSON.stringify(p.assets)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Every key of `keys` was committed exactly once (one commit with Freshet's lineage each, read
 * from the log's commitInfo) and the snapshot holds one live file for each. Commits and files of
 * other partitions (an earlier run's) are left out when the partition column is given, whose
 * values are the keys (daily partitions).
 */
export async function expectEachPartitionOnce(table: Table, keys: string[], column?: string): Promise<void> {
  const wanted = new Set(keys);
  const ours = (key: string | null | undefined) => column === undefined || wanted.has(key ?? '');
  const list = (await materializations(table)).filter((m) => ours(m.partition));
  expect(list.map((m) => m.partition).sort()).toEqual([...keys].sort());
  const snap = await loadSnapshot(table);
  expect(snap!.files.filter((f) => ours(column === undefined ? undefined : f.partitionValues[column]))).toHaveLength(keys.length);
}
