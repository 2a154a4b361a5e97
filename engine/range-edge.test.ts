// Range batching at its edges: partitions with no rows, rows outside the batch, mismatched columns.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { asset, dailyPartitions, definitions, keysBetween, source, type AssetSpec } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { openStore } from '../storage/index.ts';
import { tempDir } from '../test/harness.ts';
import { assetTable, materializeMany } from './index.ts';

const days = dailyPartitions({ start: '2026-01-01' });
// Rows on even days of the month only.
const ev = source({
  name: 'ev',
  partitions: days,
  sql: ({ partition }) =>
    `SELECT i % 3 AS k FROM range(CASE WHEN day(CAST(${partition!.sql.start} AS DATE)) % 2 = 0 THEN 10 ELSE 0 END) r(i)`,
});
const perDay = `SELECT k, count(*) AS n FROM ev GROUP BY k`;
const counts = (extra: Partial<AssetSpec>) => asset({ name: 'counts', partitions: days, deps: ['ev'], sql: perDay, ...extra });
const keys = keysBetween(days, '2026-01-01', '2026-01-06');
const dir = tempDir('range-edge');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function setup(extra: Partial<AssetSpec>) {
  const graph = definitions({ assets: [ev, counts(extra)] });
  const warehouse = openStore(`${dir}/${Math.random().toString(36).slice(2)}`);
  await materializeMany({ graph, warehouse, asset: 'ev', partitions: keys });
  return { graph, warehouse };
}

describe('range batching edges', () => {
  it('a partition with no rows gets an empty file, as per partition', async () => {
    const { graph, warehouse } = await setup({
      rangeSql: ({ sql }) => `SELECT day, k, count(*) AS n FROM ev WHERE day >= CAST(${sql.start} AS DATE) GROUP BY day, k`,
    });
    const ranged = await materializeMany({ graph, warehouse, asset: 'counts', partitions: keys });
    expect(ranged.map((r) => [r.partition, r.rows, r.mode])).toEqual(keys.map((k) => [k, Number(k.slice(-1)) % 2 === 0 ? 3 : 0, 'range']));
    const snapshot = await loadSnapshot(assetTable(warehouse, 'counts'));
    expect(new Set(snapshot!.files.map((f) => f.partitionValues.day))).toEqual(new Set(keys));
    const single = await materializeMany({ graph, warehouse, asset: 'counts', partitions: keys, engine: { rangeBatch: 1 } });
    expect(single.map((r) => r.rows)).toEqual(ranged.map((r) => r.rows));
  });

  it('rows outside the batch, a missing partition column or different columns fail with what to fix', async () => {
    let t = await setup({ rangeSql: `SELECT day + 1 AS day, k, count(*) AS n FROM ev GROUP BY ALL` });
    await expect(materializeMany({ graph: t.graph, warehouse: t.warehouse, asset: 'counts', partitions: keys })).rejects.toThrow(
      /rangeSql returned rows for partitions outside 2026-01-01..2026-01-06 \(offset 6\)/,
    );
    t = await setup({ rangeSql: `SELECT k, count(*) AS n FROM ev GROUP BY ALL` });
    await expect(materializeMany({ graph: t.graph, warehouse: t.warehouse, asset: 'counts', partitions: keys })).rejects.toThrow(
      /rangeSql must return the partition column 'day'/,
    );
    t = await setup({ rangeSql: `SELECT day, k, CAST(count(*) AS INTEGER) AS n FROM ev GROUP BY ALL` });
    await expect(materializeMany({ graph: t.graph, warehouse: t.warehouse, asset: 'counts', partitions: keys })).rejects.toThrow(
      /rangeSql returns \(k BIGINT, n INTEGER\) but sql returns \(k BIGINT, n BIGINT\)/,
    );
  });
});
