// Helpers for delta/ tests, fault scripts and the benchmark: temp tables and small Parquet files.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LocalStore } from '../../../storage/local.ts';
import type { ObjectStore } from '../../../storage/types.ts';
import { withDuck } from '../../../delta/duck.ts';
import { ident, literal } from '../../../delta/sql.ts';
import { addDataFile } from '../../../delta/files.ts';
import { duckdbType } from '../../../delta/duckdb-types.ts';
import type { AddFile, Field, PartitionValues } from '../../../delta/types.ts';

export const SCHEMA: Field[] = [
  { name: 'user_id', type: 'long', nullable: true },
  { name: 'amount', type: 'double', nullable: true },
  { name: 'ts', type: 'timestamp', nullable: true },
  { name: 'date', type: 'string', nullable: true },
];

export async function tempDir(name = 'freshet-test'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `${name}-`));
}

export async function tempTable(name = 'table'): Promise<LocalStore> {
  return new LocalStore(path.join(await tempDir(), name));
}

/** `fn` on a fresh local table, removed after. */
export async function withTempTable<T>(fn: (store: LocalStore) => Promise<T>): Promise<T> {
  const store = await tempTable();
  try {
    return await fn(store);
  } finally {
    await fs.rm(path.dirname(store.uri), { recursive: true, force: true });
  }
}

type Row = Record<string, string | number | boolean | null>;

/** Writes `rows` (data columns only) to a local Parquet file typed by `schema`. */
export async function parquetFile(rows: Row[], schema: Field[]): Promise<string> {
  const file = path.join(os.tmpdir(), `freshet-data-${randomUUID()}.parquet`);
  const lit = (v: Row[string], f: Field): string =>
    `CAST(${v === null ? 'NULL' : typeof v === 'string' ? literal(v) : String(v)} AS ${duckdbType(f.type)})`;
  const names = schema.map((f) => ident(f.name)).join(', ');
  const values = rows.map((r) => `(${schema.map((f) => lit(r[f.name] ?? null, f)).join(', ')})`).join(', ');
  const select =
    rows.length > 0
      ? `SELECT * FROM (VALUES ${values}) t(${names})`
      : `SELECT ${schema.map((f) => `CAST(NULL AS ${duckdbType(f.type)}) AS ${ident(f.name)}`).join(', ')} LIMIT 0`;
  await withDuck((c) => c.run(`COPY (${select}) TO ${literal(file)} (FORMAT parquet)`));
  return file;
}

/** A data file of `rows` in partition `pv`, moved into the table, as an add action. */
export async function dataFile(
  table: ObjectStore,
  rows: Row[],
  opts: { schema?: Field[]; partitionColumns?: string[]; pv?: PartitionValues } = {},
): Promise<AddFile> {
  const schema = opts.schema ?? SCHEMA;
  const partitionColumns = opts.partitionColumns ?? ['date'];
  const dataSchema = schema.filter((f) => !partitionColumns.includes(f.name));
  const local = await parquetFile(rows, dataSchema);
  return addDataFile(table, local, { schema, partitionColumns, partitionValues: opts.pv ?? {} });
}
