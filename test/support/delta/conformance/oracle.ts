// Running the delta-rs oracle (oracle.py) from tests: its commands, and its read of a table as
// rows DuckDB can compare with Freshet's.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPython } from '../../../../services/deltalake.ts';
import { withDuck } from '../../../../delta/duck.ts';
import { literal } from '../../../../delta/sql.ts';
import { tempDir } from '../testkit.ts';

const script = fs.readFile(path.join(path.dirname(fileURLToPath(import.meta.url)), 'oracle.py'), 'utf8');

/** One oracle command; its last line of output, parsed. Storage options (S3) travel in the environment. */
export async function oracle(args: string[], storageOptions: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const out = await runPython(await script, args, { DELTA_STORAGE_OPTIONS: JSON.stringify(storageOptions) });
  return JSON.parse(out.trim().split('\n').pop()!);
}

export interface DeltaRsRead {
  version: number;
  files: string[];
  /** the table's schemaString as delta-rs sees it */
  schema: { fields: Array<{ name: string; type: unknown }> };
  /** delta-rs' rows, written by pyarrow: a Parquet file for DuckDB to read */
  parquet: string;
}

/** delta-rs reads the table (at `version`) and dumps its rows into a Parquet file. */
export async function deltaRsRead(uri: string, storageOptions: Record<string, string> = {}, version?: number): Promise<DeltaRsRead> {
  const parquet = path.join(await tempDir('freshet-oracle'), 'rows.parquet');
  const meta = await oracle(['read', uri, parquet, ...(version === undefined ? [] : [String(version)])], storageOptions);
  return { version: meta.version as number, files: meta.files as string[], schema: meta.schema as DeltaRsRead['schema'], parquet };
}

/** Rows of a Parquet file (or a SELECT over `__file` standing for it) as DuckDB's JSON objects. */
export async function parquetRows(file: string, select = 'SELECT * FROM __file'): Promise<Record<string, unknown>[]> {
  const sql = select.replaceAll('__file', `read_parquet(${literal(file)})`);
  return withDuck(async (c) => (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]);
}

/** Rows as sorted JSON strings with sorted keys, so two readers compare row by row. */
export function canonical(rows: Record<string, unknown>[]): string[] {
  return rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b))))).sort();
}
