// Types of the Delta Lake protocol as Freshet uses them.
import type { ObjectStore } from '../storage/types.ts';

export type PrimitiveType =
  | 'string'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'float'
  | 'double'
  | 'boolean'
  | 'binary'
  | 'date'
  | 'timestamp'
  | 'timestamp_ntz'
  | `decimal(${number},${number})`;

export interface Field {
  name: string;
  /** a primitive type; a nested type (struct, array, map) read from another writer is kept as its JSON text */
  type: PrimitiveType;
  nullable: boolean;
  /** column metadata as in the log (e.g. comments); omitted when empty */
  metadata?: Record<string, unknown>;
}

/** Partition values are strings per the protocol; null means a null partition value. */
export type PartitionValues = Record<string, string | null>;

export interface FileStats {
  numRecords: number;
  minValues: Record<string, unknown>;
  maxValues: Record<string, unknown>;
  nullCount: Record<string, number>;
}

export interface AddFile {
  /** relative to the table root, URI-encoded as the protocol asks */
  path: string;
  partitionValues: PartitionValues;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  /** JSON string of FileStats, as in the log */
  stats?: string;
}

export interface RemoveFile {
  path: string;
  deletionTimestamp: number;
  dataChange: boolean;
  partitionValues?: PartitionValues;
  size?: number;
  extendedFileMetadata?: boolean;
}

export interface Metadata {
  id: string;
  schema: Field[];
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime: number;
  name?: string;
  description?: string;
}

export interface Protocol {
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures?: string[];
  writerFeatures?: string[];
}

export interface Snapshot {
  version: number;
  /** commit timestamp of `version`, ms */
  timestamp: number;
  protocol: Protocol;
  metadata: Metadata;
  /** live data files */
  files: AddFile[];
  /** latest txn version per appId */
  txns: Map<string, number>;
}

export interface CommitEntry {
  version: number;
  timestamp: number;
  /** the commit's commitInfo action, as written */
  commitInfo: Record<string, unknown> | undefined;
  adds: AddFile[];
  removes: RemoveFile[];
}

/** A Delta table: a store rooted at the table's directory. */
export type Table = ObjectStore;
