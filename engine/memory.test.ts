// A build bigger than DuckDB's memory limit spills to the configured directory instead of failing.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { definitions, source } from '../core/index.ts';
import { openStore } from '../storage/index.ts';
import { tempDir } from '../test/harness.ts';
import { materialize, materializations, assetTable } from './index.ts';

// ~3M groups of a 32-character string: a hash table of a few hundred MB.
const big = source({
  name: 'big',
  sql: `SELECT k, count(*) AS n, max(s) AS s FROM (SELECT i % 3000000 AS k, md5(CAST(i AS VARCHAR)) AS s FROM range(6000000) r(i)) GROUP BY k`,
});
const graph = definitions({ assets: [big] });
const dir = tempDir('memory');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('memory bound', () => {
  it('a 64 MB memory_limit build of a few hundred MB spills and succeeds; lineage records peak memory and spill', async () => {
    const spill = path.join(dir, 'spill');
    const r = await materialize({
      graph,
      warehouse: openStore(path.join(dir, 'wh')),
      asset: 'big',
      partition: undefined,
      engine: { memoryLimit: '64MB', spillDirectory: spill, threads: 1 },
    });
    expect(r.rows).toBe(3_000_000);
    expect(existsSync(spill)).toBe(true);
    expect(r.spilledBytes).toBeGreaterThan(0);
    expect(r.peakMemoryBytes).toBeGreaterThan(0);
    const [m] = await materializations(assetTable(openStore(path.join(dir, 'wh')), 'big'));
    expect(m.peakMemoryBytes).toBe(r.peakMemoryBytes);
    expect(m.spilledBytes).toBe(r.spilledBytes);
  });
});
