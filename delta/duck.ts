// One in-process DuckDB for the few things delta/ needs it for: checkpoint Parquet and row counts.
// Every DuckDB instance Freshet opens comes from openDuckDB, which runs it in UTC.
import { DuckDBInstance, DuckDBTimestampTZValue, type DuckDBConnection } from '@duckdb/node-api';

/**
 * A DuckDB instance whose session time zone is UTC, whatever the machine's TZ. Delta's `timestamp`
 * is a UTC instant: casting a zone-less value to TIMESTAMPTZ (a timestamp partition value, Spark's
 * INT96, a column written without isAdjustedToUTC, union_by_name over files of several writers)
 * uses the session zone, and so would every row read under TZ=America/Los_Angeles.
 */
export async function openDuckDB(options: Record<string, string> = {}): Promise<DuckDBInstance> {
  const db = await DuckDBInstance.create(':memory:', options);
  // ICU is built in and loaded only once the instance exists, so the zone cannot be a create option.
  const conn = await db.connect();
  try {
    await conn.run("SET GLOBAL TimeZone = 'UTC'");
  } finally {
    conn.closeSync();
  }
  // The node client renders TIMESTAMPTZ as text in the process's offset at load time (one fixed offset,
  // even across DST); UTC gives every Delta timestamp one representation, `+00`.
  DuckDBTimestampTZValue.timezoneOffsetInMinutes = 0;
  return db;
}

let instance: Promise<DuckDBInstance> | undefined;

export async function withDuck<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  instance ??= openDuckDB();
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
