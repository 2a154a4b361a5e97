import { describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ensureDeltaLake, runPython } from '../../services/deltalake.ts';
import { write } from '../../delta/index.ts';
import { dataFile, SCHEMA, tempDir, tempTable } from '../../test/support/delta/testkit.ts';
import { tableInfoCommand } from './table-info.ts';

async function run(...args: string[]): Promise<string> {
  const program = new Command('freshet').exitOverride();
  tableInfoCommand(program);
  const out: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => {
    out.push(s);
  });
  try {
    await program.parseAsync(['node', 'freshet', 'table-info', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out.join('\n');
}

describe('freshet table-info', () => {
  it('prints version, rows, files, partitions and schema of a Freshet table, at any version, counting rows without stats', async () => {
    const t = await tempTable();
    const row = { user_id: 1, amount: 1, ts: '2024-01-01 00:00:00+00' };
    await write(t, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: 'append',
      adds: [await dataFile(t, [row, row], { pv: { date: 'd1' } })],
    });
    const noStats = { ...(await dataFile(t, [row, row, row], { pv: { date: 'd2' } })), stats: undefined };
    await write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [noStats] });

    const json = JSON.parse(await run(t.uri, '--json'));
    expect(json).toMatchObject({ version: 1, rows: 5, files: 2, partitionColumns: ['date'] });
    expect(json.partitions).toEqual([
      expect.objectContaining({ values: { date: 'd1' }, rows: 2, files: 1 }),
      expect.objectContaining({ values: { date: 'd2' }, rows: 3, files: 1 }),
    ]);
    expect(JSON.parse(await run(t.uri, '--version', '0', '--json'))).toMatchObject({ version: 0, rows: 2, files: 1 });

    const text = await run(t.uri);
    expect(text).toMatch(/^version\s+1 \(committed /m);
    expect(text).toMatch(/^rows\s+5$/m);
    expect(text).toMatch(/^partitions\s+2 by date$/m);
    expect(text).toMatch(/^\s+date=d2\s+3 rows\s+1 files/m);
    expect(text).toMatch(/^\s+amount\s+double$/m);
    await expect(run(t.uri, '--version', 'x')).rejects.toThrow(/--version must be a whole number/);
  });

  it('reads a table delta-rs wrote', async () => {
    await ensureDeltaLake();
    const uri = path.join(await tempDir('freshet-info'), 'rs');
    await runPython(
      `
import sys, pandas as pd
from deltalake import write_deltalake
write_deltalake(sys.argv[1], pd.DataFrame({"k": ["a", "b", "b"], "v": [1, 2, 3]}), partition_by=["k"])
write_deltalake(sys.argv[1], pd.DataFrame({"k": ["c"], "v": [4]}), partition_by=["k"], mode="append")`,
      [uri],
    );
    const json = JSON.parse(await run(uri, '--json'));
    expect(json).toMatchObject({ version: 1, rows: 4, files: 3, partitionColumns: ['k'] });
    expect(json.partitions.map((p: { values: { k: string }; rows: number }) => [p.values.k, p.rows])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 1],
    ]);
    expect(json.schema.map((f: { name: string; type: string }) => `${f.name}:${f.type}`)).toEqual(['k:string', 'v:long']);
  });

  it('names the path when there is no table', async () => {
    const dir = await tempDir('freshet-info');
    await expect(run(dir)).rejects.toThrow(`${dir} is not a Delta table`);
  });

  it('says a data file path that leaves the table was refused, not that it is missing', async () => {
    const t = await tempTable();
    const row = { user_id: 1, amount: 1, ts: '2024-01-01 00:00:00+00' };
    for (const escaping of ['../outside.parquet', '%2E%2E/outside.parquet', 'date%3Dd1/../../outside.parquet']) {
      const add = { ...(await dataFile(t, [row], { pv: { date: 'd1' } })), stats: undefined, path: escaping };
      const u = await tempTable();
      // The file is there, one level up: a reader that followed the path would find it.
      await writeFile(path.join(u.uri, '..', 'outside.parquet'), 'not ours');
      await write(u, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [add] });
      const err = await run(u.uri, '--json').then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toBe(
        `version 0 of ${u.uri}: data file path ${escaping} leaves the table (a '..' segment), so it is refused: Freshet reads only files inside the table`,
      );
    }
  });
});
