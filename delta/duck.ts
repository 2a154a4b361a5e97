// Every DuckDB instance Freshet opens (delta/'s own, the engine's, the stream sink's) comes from
// here, so all of them read and write times in UTC whatever the machine's time zone.
import { DuckDBInstance, DuckDBTimestampTZValue, type DuckDBConnection } from '@duckdb/node-api';

// The client library prints TIMESTAMPTZ values with the process's UTC offset (read once at load):
// rows turned into JSON would then depend on the machine. Freshet's are UTC.
DuckDBTimestampTZValue.timezoneOffsetInMinutes = 0;

/**
 * A DuckDB instance whose session time zone is UTC: casts between TIMESTAMP and TIMESTAMPTZ, and
 * text in and out of TIMESTAMPTZ, never depend on the machine's time zone (DuckDB's default is the
 * machine's, through ICU). `options` are DuckDB configuration settings.
 */
export async function createDuckDB(options: Record<string, string> = {}): Promise<DuckDBInstance> {
  const db = await DuckDBInstance.create(':memory:', options);
  // TimeZone cannot be given at creation (ICU loads after the configuration is applied).
  const conn = await db.connect();
  try {
    await conn.run("SET GLOBAL TimeZone = 'UTC'");
  } finally {
    conn.closeSync();
  }
  return db;
}

/** A connection of `db`, closed after `fn`. */
async function withConnection<T>(db: Promise<DuckDBInstance>, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const conn = await (await db).connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
  }
}

let instance: Promise<DuckDBInstance> | undefined;

/** One in-process DuckDB for the few things delta/ needs it for: checkpoint Parquet, stats, row counts. */
export async function withDuck<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  return withConnection((instance ??= createDuckDB()), fn);
}

let checkpointInstance: Promise<DuckDBInstance> | undefined;

/**
 * withDuck on an instance of two threads, for reading checkpoints: their per-block aggregates
 * (checkpoint-adds.ts) are built per thread and then merged, copying every string again, so more
 * threads cost more than they read faster. A 100,000-file checkpoint (bench/delta.ts, medians of
 * 5) on a quiet 2-core machine: 248 / 273 ms on two threads, 320 / 329 ms on one, interleaved;
 * at load average 8.5-9.7 one thread was the faster (370-786 ms against 506-1007).
 */
export async function withCheckpointDuck<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  return withConnection((checkpointInstance ??= createDuckDB({ threads: '2' })), fn);
}
