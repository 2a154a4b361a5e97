// Many partitions of one asset. Simple first version: one materialize() per key, in order.
import { materialize, type MaterializeRequest, type MaterializeResult } from './materialize.ts';

export type MaterializeManyRequest = Omit<MaterializeRequest, 'partition'> & {
  partitions: string[];
  onPartitionDone?: (r: MaterializeResult) => void;
};

export async function materializeMany(req: MaterializeManyRequest): Promise<MaterializeResult[]> {
  const { partitions, onPartitionDone, ...rest } = req;
  const results: MaterializeResult[] = [];
  for (const partition of partitions) {
    // '' is the one "partition" of an unpartitioned asset, as in partitionStates.
    const r = await materialize({ ...rest, partition: partition === '' ? undefined : partition });
    onPartitionDone?.(r);
    results.push(r);
  }
  return results;
}
