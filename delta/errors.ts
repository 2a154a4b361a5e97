// Errors of delta/: each names the table (or file) and what is wrong.
import type { PartitionValues } from './types.ts';

/** A log that cannot be read: corrupt or missing commit, unsupported protocol feature, missing data file. */
export class DeltaLogError extends Error {
  override name = 'DeltaLogError';
}

/** A write that the table cannot accept: schema, partitioning, protocol or table properties. */
export class DeltaWriteError extends Error {
  override name = 'DeltaWriteError';
}

/** A concurrent commit changed the partition this write replaces; nothing was committed. */
export class DeltaConflictError extends Error {
  override name = 'DeltaConflictError';
  constructor(
    message: string,
    readonly details: {
      table: string;
      partition: PartitionValues | undefined;
      /** the version this write read */
      readVersion: number;
      /** the concurrent commit that touched the same partition */
      conflictingVersion: number;
    } = { table: '', partition: undefined, readVersion: -1, conflictingVersion: -1 },
  ) {
    super(message);
  }
}

export function describePartition(pv: PartitionValues | undefined): string {
  if (!pv) return 'the whole table';
  const keys = Object.keys(pv);
  if (keys.length === 0) return 'the whole table';
  return keys.map((k) => `${k}=${pv[k] ?? 'null'}`).join('/');
}
