// What the job reads from. Offsets belong to Freshet's checkpoints, never to the source:
// open() starts each partition at the offset the restored checkpoint recorded.
import type { SourceBatch } from './batch.ts';

export interface StreamSource {
  /** a name for messages and metrics, e.g. 'kafka:transactions' */
  readonly name: string;
  /** Starts reading; `from` maps partition → next offset (absent: from the beginning). Returns the partitions read. */
  open(from: Record<string, number>): Promise<number[]>;
  /** Up to about `max` records, waiting at most `waitMs` for some; [] when none came in time; null once a finite source is exhausted. */
  poll(max: number, waitMs: number): Promise<SourceBatch[] | null>;
  close(): Promise<void>;
}

/** Partition ownership for a job split into `count` shards: partition p belongs to shard p mod count. */
export function ownsPartition(shard: { index: number; count: number } | undefined, partition: number): boolean {
  return !shard || partition % shard.count === shard.index;
}
