// The partition column comes from the key: an asset that returns (SQL, one partition or a range
// run over its inputs once) or declares (a transform's schema) it fails before writing, saying so.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { asset, dailyPartitions, definitions, keysBetween, source } from '../core/index.ts';
import { loadSnapshot, readRows } from '../delta/index.ts';
import { openStore } from '../storage/index.ts';
import { tempDir } from '../test/harness.ts';
import { assetTable, materialize, materializeMany } from './index.ts';

const days = dailyPartitions({ start: '2026-01-01' });
const keys = keysBetween(days, '2026-01-01', '2026-01-03');
const ev = source({ name: 'ev', partitions: days, sql: ({ partition }) => `SELECT ${partition!.sql.key} AS k` });
const dir = tempDir('partition-column');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function setup(over: ReturnType<typeof asset>) {
  const graph = definitions({ assets: [ev, over] });
  const warehouse = openStore(`${dir}/${Math.random().toString(36).slice(2)}`);
  await materializeMany({ graph, warehouse, asset: 'ev', partitions: keys });
  return { graph, warehouse };
}

describe('the partition column', () => {
  it('returned by the SQL fails for one partition and for a range run, naming the asset, the key and the fix; nothing is written', async () => {
    const { graph, warehouse } = await setup(
      asset({
        name: 'out',
        partitions: days,
        deps: ['ev'],
        sql: ({ partition }) => `SELECT k, CAST(${partition!.sql.start} AS DATE) AS day FROM ev`,
      }),
    );
    await expect(materialize({ graph, warehouse, asset: 'out', partition: keys[0] })).rejects.toThrow(
      "asset 'out' partition 2026-01-01: the SQL returns column 'day', the partition column Freshet fills from the key; remove it from the SELECT.",
    );
    // contiguous keys without rangeSql: the union of inputs is read once, the SQL runs per key
    await expect(materializeMany({ graph, warehouse, asset: 'out', partitions: keys })).rejects.toThrow(
      "asset 'out' partition 2026-01-01: the SQL returns column 'day', the partition column Freshet fills from the key; remove it from the SELECT.",
    );
    expect(await loadSnapshot(assetTable(warehouse, 'out'))).toBeUndefined();
  });

  it("declared by a transform's schema fails the same way", async () => {
    const { graph, warehouse } = await setup(
      asset({
        name: 'out',
        partitions: days,
        deps: ['ev'],
        schema: { k: 'VARCHAR', day: 'DATE' },
        async *transform() {
          yield [];
        },
      }),
    );
    await expect(materialize({ graph, warehouse, asset: 'out', partition: keys[1] })).rejects.toThrow(
      "asset 'out' partition 2026-01-02: the schema declares column 'day', the partition column Freshet fills from the key; remove it from the schema.",
    );
  });

  it('not returned, each key gets its own SQL (a function of the partition) in both paths, and the same rows', async () => {
    const { graph, warehouse } = await setup(
      asset({ name: 'out', partitions: days, deps: ['ev'], sql: ({ partition }) => `SELECT k, ${partition!.sql.key} AS key_seen FROM ev` }),
    );
    const ranged = await materializeMany({ graph, warehouse, asset: 'out', partitions: keys });
    expect(ranged.map((r) => [r.partition, r.rows, r.mode])).toEqual(keys.map((k) => [k, 1, 'range']));
    const one = await materialize({ graph, warehouse, asset: 'out', partition: keys[2] });
    expect(one.rows).toBe(1);
    const table = assetTable(warehouse, 'out');
    const rows = await readRows(table, (await loadSnapshot(table))!);
    expect(rows.map((r) => [r.day, r.key_seen, r.k]).sort()).toEqual(keys.map((k) => [k, k, k]));
  });
});
