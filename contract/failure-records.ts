// Where Freshet records a partition's failed run inside the warehouse, what the record holds,
// and when it still counts: a partition's last run failed when no commit of it came after the
// failure. Pure: the engine reads and writes the records (engine/failure-records.ts), the page
// lists them (web/health.ts).
import { FAILURE_RECORDS_PREFIX } from './layout.ts';
import type { RunRef } from './runs.ts';

export interface FailureRecord {
  asset: string;
  /** '' for an unpartitioned asset */
  partition: string;
  /** when the attempt failed, ISO 8601 UTC (for people; the decision uses versions, not clocks) */
  at: string;
  /** Temporal's attempt number of the failed try */
  attempt: number;
  /** the Delta txn version the failed run's commit would have carried: which run failed */
  txnVersion?: number;
  error: string;
  /** the asset table's newest version when the attempt failed; -1 when the table did not exist */
  tableVersion: number;
  /** the table's Delta metadata id then: a table deleted and created again is another table */
  tableId?: string;
  /** the failed attempt: its workflow, run, trigger and log object */
  run?: RunRef;
}

// Objects are named by the key so each partition has one record (the newest failure wins).
// Kept: a-z 0-9 '-' '_'; everything else is %xx of its UTF-8 bytes (lower-case hex), so no key
// makes '/', '..', an empty name or two names that differ only in case (macOS, Windows).
// Long keys are cut into 200-character folders to stay under file-name limits.
const SEGMENT = 200;

function encodeKeySegment(key: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(key)) {
    const c = String.fromCharCode(byte);
    out += /[a-z0-9_-]/.test(c) ? c : `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The records of one asset: list this prefix. */
export function failureRecordsPrefix(asset: string): string {
  return `${FAILURE_RECORDS_PREFIX}${asset}/`;
}

/** The one object holding the newest failure of `asset`'s partition `key` ('' when unpartitioned). */
export function failureRecordPath(asset: string, key: string): string {
  return `${failureRecordsPrefix(asset)}${keyPath(key)}.json`;
}

/** A partition key as a path inside a folder (also the run logs': contract/runs.ts). */
export function keyPath(key: string): string {
  const encoded = encodeKeySegment(key);
  const parts: string[] = [];
  for (let i = 0; i < encoded.length; i += SEGMENT) parts.push(encoded.slice(i, i + SEGMENT));
  // 'key=' keeps the unpartitioned asset's name ('key=.json') from being empty.
  return `key=${parts.join('/')}`;
}

/** The record in an object's bytes, or an error naming the object and the fix. */
export function parseFailureRecord(path: string, text: string): FailureRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`Failure record ${path} is not JSON (${(err as Error).message}); delete it: it only marks a failed run.`, {
      cause: err,
    });
  }
  const r = value as Partial<FailureRecord> | null;
  if (
    !r ||
    typeof r !== 'object' ||
    typeof r.asset !== 'string' ||
    typeof r.partition !== 'string' ||
    typeof r.tableVersion !== 'number' ||
    typeof r.error !== 'string' ||
    typeof r.at !== 'string' ||
    typeof r.attempt !== 'number'
  ) {
    throw new Error(
      `Failure record ${path} lacks asset, partition, at, attempt, error or tableVersion; delete it: it only marks a failed run.`,
    );
  }
  return r as FailureRecord;
}

/**
 * Whether the partition's last run is the recorded failure: true unless the partition was
 * committed after it (a version past the table's version at the failure). Versions, not
 * clocks, so workers with skewed clocks agree.
 */
export function lastRunFailed(record: FailureRecord, tableId: string | undefined, newestCommit: number | undefined): boolean {
  if (record.tableId !== undefined && record.tableId !== tableId) return false;
  return newestCommit === undefined || newestCommit <= record.tableVersion;
}
