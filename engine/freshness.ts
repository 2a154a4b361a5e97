// Every asset's freshness, read from the warehouse (the commits Freshet wrote).
import { dataEnd, freshnessOf, type AssetGraph, type Freshness } from '../core/index.ts';
import { materializations } from './lineage.ts';
import { assetTable } from './materialize.ts';
import type { ObjectStore } from '../storage/types.ts';

export async function freshnessReport(graph: AssetGraph, warehouse: ObjectStore, now = Date.now()): Promise<Freshness[]> {
  const out: Freshness[] = [];
  for (const asset of graph.assets) {
    const list = await materializations(assetTable(warehouse, asset.name));
    // Time partitions: the newest key. Otherwise: the most recent materialization.
    const byKey = !!asset.partitions && asset.partitions.kind !== 'static';
    let newest: { key: string; at: number } | undefined;
    for (const m of list) {
      const key = m.partition ?? '';
      const newer = !newest || (byKey ? key > newest.key || (key === newest.key && m.timestamp > newest.at) : m.timestamp > newest.at);
      if (newer) newest = { key, at: m.timestamp };
    }
    out.push(freshnessOf(asset, dataEnd(asset, newest?.key, newest?.at), now, newest?.key));
  }
  return out;
}
