// Salted jobs (hotKeys.salted with several shards): a key's events may sit on any partition, so
// no shard sees all of a window. Each shard appends partial windows (the encoded aggregate
// state) to the job's `partials` table, and records its watermark with every commit as a txn
// mark; merge.ts combines the shards' partials once every mark has passed a window.
import { STREAM_PARTIALS_DIR } from '../contract/layout.ts';
import type { StreamingAsset } from '../core/streaming.ts';
import type { ObjectStore } from '../storage/types.ts';
import type { WindowRow } from './operator.ts';
import { resultColumns } from './sink.ts';
import type { Column, CommitStamp } from './sink.ts';

/** Whether a run writes partials instead of final rows: salted, and more than one shard. */
export function writesPartials(asset: StreamingAsset, shard: { count: number } | undefined): boolean {
  return asset.hotKeys.salted && (shard?.count ?? 1) > 1;
}

/** The table the shards' partial windows go to, under the job's store. */
export function partialsTable(jobStore: ObjectStore): ObjectStore {
  return jobStore.at(STREAM_PARTIALS_DIR);
}

/** The txn appId under which a writer records its watermark next to its own appId. */
export function watermarkMark(appId: string): string {
  return `${appId}/watermark`;
}

/** The sink's columns (the shard's own values: final when no other shard has the window), plus the shard and its encoded state. */
export function partialColumns(asset: StreamingAsset, stamp: CommitStamp, shard: number): Column<WindowRow>[] {
  return [
    ...resultColumns(asset, stamp),
    { field: { name: 'shard', type: 'integer', nullable: false }, get: () => shard },
    // base64: the table stays readable by any Delta reader that lacks binary columns
    { field: { name: 'state', type: 'string', nullable: false }, get: (r) => Buffer.from(r.partial!).toString('base64') },
  ];
}
