// Range-batched and per-partition materialization give the same rows, and both equal an
// independent DuckDB query over the raw transaction files.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import project from '../assets/index.ts';
import { definitions, keysBetween, type AssetDef } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { openStore } from '../storage/index.ts';
import { tempDir } from '../test/harness.ts';
import { assetTable, materializations, materializeMany } from './index.ts';

const dir = tempDir('range');
const warehouse = openStore(dir);
const days = (a: string, b: string) => keysBetween(project.get('transactions').partitions!, a, b);
const targets = days('2026-01-28', '2026-03-05');
let db: DuckDBConnection;

/** Rows of user_purchases_30d for `keys`, ordered, read from the table's current files. */
async function tableRows(keys: string[]): Promise<Record<string, unknown>[]> {
  const snapshot = await loadSnapshot(assetTable(warehouse, 'user_purchases_30d'));
  const files = snapshot!.files
    .filter((f) => keys.includes(f.partitionValues.day!))
    .map((f) => `'${path.join(dir, 'user_purchases_30d', decodeURIComponent(f.path))}'`);
  return (
    await db.runAndReadAll(`
    SELECT CAST(day AS VARCHAR) AS day, user_id, purchases_30d, CAST(spend_30d AS VARCHAR) AS spend_30d, last_purchase_at, country, segment
    FROM read_parquet([${files.join(', ')}], hive_partitioning = true) ORDER BY day, user_id`)
  ).getRowObjectsJS();
}

beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
  await materializeMany({ graph: project, warehouse, asset: 'transactions', partitions: days('2026-01-01', '2026-03-05') });
  await materializeMany({ graph: project, warehouse, asset: 'user_profiles', partitions: [''] });
});
afterAll(() => {
  db?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

describe('range batching', () => {
  it('per-partition, range-batched (rangeSql) and union-once (no rangeSql) give identical rows, equal to raw DuckDB', async () => {
    const perPartition = await materializeMany({
      graph: project,
      warehouse,
      asset: 'user_purchases_30d',
      partitions: targets,
      engine: { rangeBatch: 1 },
    });
    expect(perPartition.every((r) => r.mode === 'partition')).toBe(true);
    const a = await tableRows(targets);

    const ranged = await materializeMany({
      graph: project,
      warehouse,
      asset: 'user_purchases_30d',
      partitions: targets,
      txnVersion: 7,
      engine: { rangeBatch: 100 },
    });
    expect(ranged.map((r) => [r.partition, r.mode, r.batchSize])).toEqual(targets.map((k) => [k, 'range', targets.length]));
    expect(ranged.map((r) => r.rows)).toEqual(perPartition.map((r) => r.rows));
    const b = await tableRows(targets);

    const plain: AssetDef = { ...project.get('user_purchases_30d'), rangeSql: undefined };
    const graph = definitions({ assets: [project.get('transactions'), project.get('user_profiles'), plain] });
    // The default batch size cuts the 37 days into runs of 16, 16 and 5.
    const union = await materializeMany({ graph, warehouse, asset: 'user_purchases_30d', partitions: targets });
    expect(union.map((r) => r.batchSize)).toEqual([...Array(32).fill(16), ...Array(5).fill(5)]);
    const c = await tableRows(targets);

    const raw = (
      await db.runAndReadAll(`
      WITH tx AS (SELECT * FROM read_parquet('${dir}/transactions/day=*/*.parquet', hive_partitioning = true)),
           days AS (SELECT unnest(generate_series(DATE '${targets[0]}', DATE '${targets[targets.length - 1]}', INTERVAL 1 DAY))::DATE AS d)
      SELECT CAST(days.d AS VARCHAR) AS day, tx.user_id, count(*) AS purchases_30d, CAST(sum(tx.amount) AS VARCHAR) AS spend_30d,
             max(tx.event_time) AS last_purchase_at, p.country, p.segment
      FROM days JOIN tx ON tx.day BETWEEN days.d - 29 AND days.d
      LEFT JOIN read_parquet('${dir}/user_profiles/part-*.parquet') p USING (user_id)
      GROUP BY days.d, tx.user_id, p.country, p.segment ORDER BY day, user_id`)
    ).getRowObjectsJS();
    expect(raw.length).toBeGreaterThan(10_000);
    expect(a).toEqual(raw);
    expect(b).toEqual(raw);
    expect(c).toEqual(raw);
  });

  it('a retried batch (same txn version) commits nothing twice; lineage records the batch', async () => {
    const table = assetTable(warehouse, 'user_purchases_30d');
    const before = (await loadSnapshot(table))!.version;
    const again = await materializeMany({ graph: project, warehouse, asset: 'user_purchases_30d', partitions: targets, txnVersion: 7 });
    expect(again.every((r) => r.alreadyCommitted)).toBe(true);
    expect((await loadSnapshot(table))!.version).toBe(before);
    const last = (await materializations(table)).at(-1)!;
    expect(last.rows).toBeGreaterThan(0);
  });
});
