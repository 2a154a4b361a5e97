// One in-process DuckDB for the few things delta/ needs it for: checkpoint Parquet and row counts.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

let instance: Promise<DuckDBInstance> | undefined;

export async function withDuck<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  instance ??= DuckDBInstance.create(':memory:');
  const conn = await (await instance).connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
  }
}

/** A SQL string literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** A quoted SQL identifier. */
export const sqlIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
