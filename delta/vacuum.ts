// Vacuum: delete data files that no version inside the retention window needs.
import type { ObjectStore } from '../storage/types.ts';
import { deletedFileRetentionMs } from './config.ts';
import { DeltaLogError, DeltaWriteError } from './errors.ts';
import { fileKey, LOG_DIR } from './log.ts';
import { toMetadata } from './replay.ts';
import { latestState } from './snapshot.ts';

export interface VacuumOptions {
  /** default: the table's delta.deletedFileRetentionDuration (7 days) */
  retentionHours?: number;
  /** list what would be deleted, delete nothing */
  dryRun?: boolean;
  /** refuse a retention shorter than the table's (default true, as delta-rs) */
  enforceRetention?: boolean;
  /** clock, for tests */
  now?: number;
}

export interface VacuumResult {
  dryRun: boolean;
  /** object keys deleted (or, with dryRun, to delete), sorted */
  files: string[];
  /** bytes they hold */
  bytes: number;
}

/**
 * A file is kept when the newest version references it, when a remove inside the retention window
 * names it (an older version still in the window needs it), or when it is younger than the window
 * (a writer may be about to commit it). Everything else outside _delta_log and hidden paths goes.
 */
export async function vacuum(table: ObjectStore, opts: VacuumOptions = {}): Promise<VacuumResult> {
  const state = await latestState(table);
  if (!state) throw new DeltaLogError(`${table.uri} is not a Delta table: it has no _delta_log`);
  state.checkWritable();
  const metadata = toMetadata(state.metadata!, state.metadataSource);
  const tableRetention = deletedFileRetentionMs(metadata);
  const retention = opts.retentionHours === undefined ? tableRetention : opts.retentionHours * 3_600_000;
  if (retention < tableRetention && opts.enforceRetention !== false) {
    throw new DeltaWriteError(
      `vacuum of ${table.uri}: retention ${opts.retentionHours} h is shorter than the table's ${tableRetention / 3_600_000} h; time travel to versions inside it would break. Pass enforceRetention: false to do it anyway`,
    );
  }
  const cutoff = (opts.now ?? Date.now()) - retention;
  const keep = new Set<string>();
  for (const add of state.files.values()) keep.add(fileKey(add.path));
  for (const rm of state.tombstones.values()) if ((rm.deletionTimestamp ?? 0) >= cutoff) keep.add(fileKey(rm.path));

  const partitionColumns = new Set(metadata.partitionColumns);
  const files: string[] = [];
  let bytes = 0;
  for (const obj of await table.list('')) {
    if (obj.path.startsWith(`${LOG_DIR}/`) || isHidden(obj.path, partitionColumns)) continue;
    if (keep.has(obj.path) || obj.modified >= cutoff) continue;
    files.push(obj.path);
    bytes += obj.size;
  }
  if (!opts.dryRun) {
    for (const key of files) await table.delete(key);
  }
  return { dryRun: opts.dryRun === true, files, bytes };
}

/** Paths with a segment starting with '_' or '.' are not data (except partition directories like `_col=x`). */
function isHidden(key: string, partitionColumns: Set<string>): boolean {
  return key.split('/').some((seg) => {
    if (!seg.startsWith('_') && !seg.startsWith('.')) return false;
    const eq = seg.indexOf('=');
    return !(eq > 0 && partitionColumns.has(decodeHive(seg.slice(0, eq))));
  });
}

function decodeHive(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
