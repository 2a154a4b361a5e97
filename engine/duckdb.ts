// One DuckDB instance per process, shared by every computation; a connection per job.
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDuckDB } from '../delta/index.ts';
import type { SparkConfig } from './spark/settings.ts';

export interface EngineConfig {
  /** DuckDB memory_limit, e.g. '4GB' (FRESHET_DUCKDB_MEMORY) */
  memoryLimit?: string;
  /** where DuckDB spills when a build is bigger than memory (FRESHET_DUCKDB_SPILL) */
  spillDirectory?: string;
  /** DuckDB threads (FRESHET_DUCKDB_THREADS) */
  threads?: number;
  /** most contiguous partitions one range-batched query computes (FRESHET_RANGE_BATCH, default 16) */
  rangeBatch?: number;
  /** where assets with `engine: spark()` run (FRESHET_SPARK_*) */
  spark?: SparkConfig;
}

// One instance per distinct configuration (in practice one per process; tests use a second, tiny one).
const shared = new Map<string, Promise<DuckDBInstance>>();

export function instance(config: EngineConfig): Promise<DuckDBInstance> {
  const id = JSON.stringify([config.memoryLimit, config.spillDirectory, config.threads]);
  let db = shared.get(id);
  if (!db) shared.set(id, (db = create(config)));
  return db;
}

async function create(config: EngineConfig): Promise<DuckDBInstance> {
  // createDuckDB sets the session time zone to UTC: reads and casts never depend on the machine's.
  const options: Record<string, string> = {};
  if (config.memoryLimit) options.memory_limit = config.memoryLimit;
  if (config.threads) options.threads = String(config.threads);
  // Always a spill directory, so a build bigger than memory_limit spills instead of failing.
  const spill = config.spillDirectory ?? path.join(tmpdir(), 'freshet-spill');
  mkdirSync(spill, { recursive: true });
  options.temp_directory = spill;
  // Insertion order is not needed by any result and costs memory in big sorts and aggregates.
  options.preserve_insertion_order = 'false';
  return createDuckDB(options);
}

/** A new connection to the shared instance; the caller closes it. */
export async function openConnection(config: EngineConfig): Promise<DuckDBConnection> {
  return (await instance(config)).connect();
}

/** Runs `fn` on a fresh connection, interrupting the query when `signal` aborts. */
export async function withConnection<T>(
  config: EngineConfig,
  signal: AbortSignal | undefined,
  fn: (c: DuckDBConnection) => Promise<T>,
): Promise<T> {
  // A listener added to an already-aborted signal never fires: check first.
  signal?.throwIfAborted();
  const conn = await (await instance(config)).connect();
  const onAbort = () => conn.interrupt();
  signal?.addEventListener('abort', onAbort);
  try {
    return await fn(conn);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    conn.closeSync();
  }
}
