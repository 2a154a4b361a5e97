// Public face of delta/: read a table's snapshot and history, write with optimistic concurrency.
// CONTRACT (implementation pending): the engine and CLI code against these signatures.
import type { AddFile, CommitEntry, Field, PartitionValues, Snapshot, Table } from './types.ts';
export type * from './types.ts';

/** Snapshot at the newest version, or at `version` / the newest commit at or before `timestamp` (ms).
 *  undefined when the table has no log yet. A corrupt log stops with an error naming the path. */
export declare function loadSnapshot(table: Table, at?: { version?: number; timestamp?: number }): Promise<Snapshot | undefined>;

export interface WriteRequest {
  /** schema of the table after this write, partition columns included (new nullable columns = evolution) */
  schema: Field[];
  partitionColumns: string[];
  mode: 'append' | 'overwrite';
  /** with overwrite: the partition replaced (every live file with these partition values is removed); omitted = the whole table */
  replace?: PartitionValues;
  adds: AddFile[];
  /** merged into the commit's commitInfo (delta sets timestamp and operation) */
  commitInfo?: Record<string, unknown>;
  /** idempotent write: when the table's txn version for appId is already >= version, nothing is written */
  txn?: { appId: string; version: number };
}

export interface WriteResult {
  version: number;
  /** true when txn showed the write was already committed */
  skipped: boolean;
  /** files removed by the overwrite */
  removed: number;
}

/** One commit, put-if-absent; a race lost to a commit touching other partitions is retried, the same partition is a DeltaConflictError. */
export declare function write(table: Table, req: WriteRequest): Promise<WriteResult>;

/** Commits from `fromVersion` (inclusive, default 0) to the newest, oldest first. */
export declare function history(table: Table, opts?: { fromVersion?: number }): Promise<CommitEntry[]>;

export declare class DeltaConflictError extends Error {}
export type { AddFile, CommitEntry, Field, PartitionValues, Snapshot, Table };
