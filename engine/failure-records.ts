// Failed runs of a partition, kept in the warehouse (contract/failure-records.ts says where and
// when one still counts) so planning knows which partitions' last run failed after the
// workflow that ran them is gone.
import { failureRecordPath, failureRecordsPrefix, parseFailureRecord, type FailureRecord } from '../contract/failure-records.ts';
import type { RunRef } from '../contract/runs.ts';
import type { AssetDef } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import type { ObjectStore } from '../storage/types.ts';
import { txnAppId } from './commit.ts';
import { assetTable } from './materialize.ts';

export interface FailedAttempt {
  error: string;
  attempt: number;
  txnVersion?: number;
  run?: RunRef;
}

const MAX_ERROR = 2_000;

/**
 * Records that an attempt at `asset`'s partition `key` ('' unpartitioned) failed. Nothing is
 * recorded when this run committed the partition before failing: its data is there, and the
 * retry reports that commit instead of making another.
 */
export async function recordFailure(
  warehouse: ObjectStore,
  asset: AssetDef,
  key: string,
  failed: FailedAttempt,
  now = Date.now(),
): Promise<FailureRecord | undefined> {
  const snapshot = await loadSnapshot(assetTable(warehouse, asset.name));
  const committed = snapshot?.txns.get(txnAppId(asset.name, key || undefined));
  if (failed.txnVersion !== undefined && committed !== undefined && committed >= failed.txnVersion) return undefined;
  const record: FailureRecord = {
    asset: asset.name,
    partition: key,
    at: new Date(now).toISOString(),
    attempt: failed.attempt,
    ...(failed.txnVersion !== undefined ? { txnVersion: failed.txnVersion } : {}),
    // The whole message is in the workflow's history and the logs; a record only needs enough to tell why.
    error: failed.error.length > MAX_ERROR ? `${failed.error.slice(0, MAX_ERROR)}…` : failed.error,
    tableVersion: snapshot?.version ?? -1,
    ...(snapshot ? { tableId: snapshot.metadata.id } : {}),
    ...(failed.run ? { run: failed.run } : {}),
  };
  await warehouse.put(failureRecordPath(asset.name, key), JSON.stringify(record));
  return record;
}

/** The newest recorded failure of each partition of `asset` that has one, by key. */
export async function readFailures(warehouse: ObjectStore, asset: string): Promise<Map<string, FailureRecord>> {
  const out = new Map<string, FailureRecord>();
  const listed = await warehouse.list(failureRecordsPrefix(asset));
  // A few at a time: on S3 each is a request, and an asset may have many partitions that once failed.
  for (let i = 0; i < listed.length; i += READ_AT_ONCE) {
    await Promise.all(
      listed.slice(i, i + READ_AT_ONCE).map(async (info) => {
        const bytes = await warehouse.get(info.path);
        if (!bytes) return; // deleted since the listing
        const record = parseFailureRecord(`${warehouse.uri}/${info.path}`, new TextDecoder().decode(bytes));
        // The path is derived from the key; a record elsewhere (copied by hand) describes another partition.
        if (record.asset === asset && failureRecordPath(asset, record.partition) === info.path) out.set(record.partition, record);
      }),
    );
  }
  return out;
}

const READ_AT_ONCE = 16;
