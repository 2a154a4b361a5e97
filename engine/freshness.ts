// Every asset's freshness from its table's current snapshot: the newest partition it holds (time
// partitions) or when it last changed. A snapshot, not the whole history: the monitor asks often.
import { dataEnd, freshnessOf, keyOfValue, type AssetGraph, type Freshness } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import type { ObjectStore } from '../storage/types.ts';
import { assetTable } from './materialize.ts';

export async function freshnessReport(graph: AssetGraph, warehouse: ObjectStore, now = Date.now()): Promise<Freshness[]> {
  const out: Freshness[] = [];
  for (const asset of graph.assets) {
    const snapshot = await loadSnapshot(assetTable(warehouse, asset.name));
    let newest: string | undefined;
    const def = asset.partitions;
    if (snapshot && def && def.kind !== 'static') {
      // Partition values of time partitions sort as their times do.
      let value: string | undefined;
      for (const f of snapshot.files) {
        const v = f.partitionValues[def.column];
        if (v && (value === undefined || v > value)) value = v;
      }
      newest = value === undefined ? undefined : keyOfValue(def, value);
    } else if (snapshot) {
      newest = '';
    }
    out.push(freshnessOf(asset, dataEnd(asset, newest, snapshot?.timestamp), now, newest));
  }
  return out;
}
