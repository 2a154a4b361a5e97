// The context an asset's SQL or transform sees for one partition.
import { keyWindow, type AssetContext, type AssetDef } from '../core/index.ts';
import { literal } from '../delta/index.ts';

/** A TIMESTAMP literal for an instant (ms): its UTC wall time, as Freshet's DuckDB runs in UTC. */
export const tsLiteral = (ms: number) => `TIMESTAMP ${literal(new Date(ms).toISOString().replace('T', ' ').replace('Z', ''))}`;

export function assetContext(asset: AssetDef, key: string | undefined, attempt: number): AssetContext {
  if (!asset.partitions || key === undefined) return { asset: asset.name, partition: undefined, attempt };
  if (asset.partitions.kind === 'static') {
    return { asset: asset.name, attempt, partition: { key, sql: { key: literal(key) } } };
  }
  const { start, end } = keyWindow(asset.partitions, key);
  return {
    asset: asset.name,
    attempt,
    partition: { key, start, end, sql: { key: literal(key), start: tsLiteral(start), end: tsLiteral(end) } },
  };
}

/** The asset's SQL for one partition: its `sql`, called with the context when it is a function. */
export function assetSql(asset: AssetDef, ctx: AssetContext): string {
  return typeof asset.sql === 'function' ? asset.sql(ctx) : asset.sql!;
}
