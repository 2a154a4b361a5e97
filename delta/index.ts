// Public face of delta/: read a table's snapshot and history, write with optimistic concurrency,
// checkpoints, changes since a version, vacuum and scanning helpers.
import type { AddFile, CommitEntry, Field, PartitionValues, Snapshot, Table } from './types.ts';
export type * from './types.ts';

/** Snapshot at the newest version, or at `version` / the newest commit at or before `timestamp` (ms).
 *  undefined when the table has no log yet. A corrupt log stops with an error naming the path. */
export { loadSnapshot } from './snapshot.ts';

/** One commit, put-if-absent; a race lost to a commit touching other partitions is retried, the same partition is a DeltaConflictError. */
export { write, type WriteRequest, type WriteResult } from './write.ts';

/** Commits from `fromVersion` (inclusive, default 0) to the newest, oldest first. */
export { history, changesSince, type Changes } from './history.ts';

export { DeltaConflictError, DeltaLogError, DeltaWriteError } from './errors.ts';
export { checkpoint } from './maintenance.ts';
export { vacuum, type VacuumOptions, type VacuumResult } from './vacuum.ts';
export { dataFiles, countRows, readRows, type DataFile } from './scan.ts';
export { parseStats, fileStats, statsJson } from './stats.ts';
/** The one DuckDB ↔ Delta type map (see its header for every type). */
export { deltaColumn, deltaColumns, duckdbType, type DuckColumn } from './duckdb-types.ts';
/** Quoting for all SQL Freshet builds. */
export { ident, literal, literalList } from './sql.ts';
export { createDuckDB } from './duck.ts';
export { READER_FEATURES, WRITER_FEATURES } from './protocol.ts';
export type { AddFile, CommitEntry, Field, PartitionValues, Snapshot, Table };
export { addDataFile, addPath, hiveEscape, newDataFileKey, partitionDir, NULL_PARTITION } from './files.ts';
export { tableInfo, type TableInfo } from './info.ts';
export { fileRowCounts } from './scan.ts';
/** The object key of an add/remove path, refusing paths that leave the table. */
export { fileKey } from './log.ts';
export { forgetCachedSnapshots } from './snapshot.ts';
