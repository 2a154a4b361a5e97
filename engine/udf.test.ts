// Scalar TypeScript functions called from an asset's SQL (DuckDB registerScalarFunction).
import { DuckDBInstance } from '@duckdb/node-api';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asset, definitions, source } from '../core/index.ts';
import { openStore } from '../storage/index.ts';
import { tempDir } from '../test/harness.ts';
import { loadSnapshot } from '../delta/index.ts';
import { assetTable, materialize } from './index.ts';

const dir = tempDir('udf');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scalar TypeScript functions in SQL', () => {
  it('are callable per row, NULL in gives NULL out, and a throw fails the query naming the function', async () => {
    const raw = source({ name: 'raw', sql: `SELECT i AS id, CASE WHEN i = 3 THEN NULL ELSE 'v' || i END AS s FROM range(5000) r(i)` });
    const scored = asset({
      name: 'scored',
      deps: ['raw'],
      functions: { shout: { params: ['VARCHAR', 'BIGINT'], returns: 'VARCHAR', fn: (s: string, n: bigint) => `${s.toUpperCase()}!${n}` } },
      sql: `SELECT count(*) AS n, count(shout(s, id)) AS non_null, max(shout(s, id)) AS top FROM raw`,
    });
    const bad = asset({
      name: 'bad',
      deps: ['raw'],
      functions: {
        boom: {
          params: ['BIGINT'],
          returns: 'BIGINT',
          fn: () => {
            throw new Error('no');
          },
        },
      },
      sql: `SELECT boom(id) AS x FROM raw`,
    });
    const graph = definitions({ assets: [raw, scored, bad] });
    const warehouse = openStore(dir);
    await materialize({ graph, warehouse, asset: 'raw', partition: undefined });
    const r = await materialize({ graph, warehouse, asset: 'scored', partition: undefined });
    expect(r.rows).toBe(1);
    const file = (await loadSnapshot(assetTable(warehouse, 'scored')))!.files[0].path;
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const row = (
      await db.runAndReadAll(`SELECT * FROM read_parquet('${path.join(dir, 'scored', decodeURIComponent(file))}')`)
    ).getRowObjectsJS()[0];
    db.closeSync();
    // 'V999' sorts highest among 'V0'..'V4999'; row 3 (NULL s) is skipped.
    expect(row).toEqual({ n: 5000n, non_null: 4999n, top: 'V999!999' });
    await expect(materialize({ graph, warehouse, asset: 'bad', partition: undefined })).rejects.toThrow(/asset 'bad' function 'boom': no/);
  });
});
