// The commit history and the changes since a version, read from the JSON commits.
import type { ObjectStore } from '../storage/types.ts';
import { DeltaLogError } from './errors.ts';
import { LOG_DIR, normalizePartition, pad, type Commit } from './log.ts';
import { listLog, newestVersion, readCommits } from './snapshot.ts';
import type { AddFile, CommitEntry, PartitionValues, RemoveFile } from './types.ts';

function toEntry(c: Commit): CommitEntry {
  const entry: CommitEntry = { version: c.version, timestamp: c.timestamp, commitInfo: undefined, adds: [], removes: [] };
  for (const a of c.actions) {
    if (a.commitInfo) entry.commitInfo = a.commitInfo;
    if (a.add) entry.adds.push(a.add);
    if (a.remove) entry.removes.push(a.remove);
  }
  return entry;
}

/** Commits from `fromVersion` (inclusive, default 0) to `toVersion` (default newest), oldest first. */
export async function history(table: ObjectStore, opts: { fromVersion?: number; toVersion?: number } = {}): Promise<CommitEntry[]> {
  const from = Math.max(0, opts.fromVersion ?? 0);
  const listing = await listLog(table, from);
  const newest = newestVersion(listing);
  const to = Math.min(opts.toVersion ?? newest, newest);
  if (to < from) return [];
  if (!listing.commits.has(from)) {
    throw new DeltaLogError(
      `history of ${table.uri} from version ${from}: ${table.uri}/${LOG_DIR}/${pad(from)}.json is gone (log cleaned up?), so the changes since then cannot be read`,
    );
  }
  return (await readCommits(table, listing, from, to)).map(toEntry);
}

export interface Changes {
  /** the version the changes start after */
  sinceVersion: number;
  /** the newest version included */
  toVersion: number;
  /** files added after sinceVersion and still live at toVersion */
  added: AddFile[];
  /** files live at sinceVersion and removed by toVersion */
  removed: RemoveFile[];
  /** partitions with any added or removed file */
  partitions: PartitionValues[];
  /** a commit after sinceVersion changed the schema or the table's properties */
  metadataChanged: boolean;
}

/** What changed after `sinceVersion`: dataChange=false actions (compaction) only move rows and are left out. */
export async function changesSince(table: ObjectStore, sinceVersion: number, toVersion?: number): Promise<Changes> {
  const commits = await historyCommits(table, sinceVersion + 1, toVersion);
  const added = new Map<string, AddFile>();
  const removed = new Map<string, RemoveFile>();
  const partitions = new Map<string, PartitionValues>();
  let metadataChanged = false;
  let last = sinceVersion;
  for (const c of commits) {
    last = c.version;
    for (const a of c.actions) {
      if (a.metaData) metadataChanged = true;
      if (a.remove && a.remove.dataChange !== false) {
        // Removing a file added after sinceVersion cancels out; otherwise it existed at sinceVersion.
        if (!added.delete(a.remove.path)) removed.set(a.remove.path, a.remove);
        if (a.remove.partitionValues) note(partitions, a.remove.partitionValues);
      }
      if (a.add && a.add.dataChange !== false) {
        added.set(a.add.path, a.add);
        note(partitions, a.add.partitionValues);
      }
    }
  }
  return {
    sinceVersion,
    toVersion: last,
    added: [...added.values()],
    removed: [...removed.values()],
    partitions: [...partitions.values()],
    metadataChanged,
  };
}

async function historyCommits(table: ObjectStore, from: number, to?: number): Promise<Commit[]> {
  const listing = await listLog(table, from);
  const newest = newestVersion(listing);
  const last = Math.min(to ?? newest, newest);
  if (last < from) return [];
  if (!listing.commits.has(from)) {
    throw new DeltaLogError(
      `changes of ${table.uri} since version ${from - 1}: ${table.uri}/${LOG_DIR}/${pad(from)}.json is gone, so they cannot be read; recompute from a snapshot instead`,
    );
  }
  return readCommits(table, listing, from, last);
}

function note(map: Map<string, PartitionValues>, pv: PartitionValues): void {
  const n = normalizePartition(pv);
  map.set(JSON.stringify(Object.entries(n).sort()), n);
}
