// One DuckDB instance per process, shared by every computation; a connection per job.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';

export interface EngineConfig {
  /** DuckDB memory_limit, e.g. '4GB' (FRESHET_DUCKDB_MEMORY) */
  memoryLimit?: string;
  /** where DuckDB spills when a build is bigger than memory (FRESHET_DUCKDB_SPILL) */
  spillDirectory?: string;
  /** DuckDB threads (FRESHET_DUCKDB_THREADS) */
  threads?: number;
  /** most contiguous partitions one range-batched query computes (FRESHET_RANGE_BATCH, default 366) */
  rangeBatch?: number;
}

let shared: Promise<DuckDBInstance> | undefined;

export function engineConfigFromEnv(): EngineConfig {
  return {
    memoryLimit: process.env.FRESHET_DUCKDB_MEMORY,
    spillDirectory: process.env.FRESHET_DUCKDB_SPILL,
    threads: process.env.FRESHET_DUCKDB_THREADS ? Number(process.env.FRESHET_DUCKDB_THREADS) : undefined,
    rangeBatch: process.env.FRESHET_RANGE_BATCH ? Number(process.env.FRESHET_RANGE_BATCH) : undefined,
  };
}

function instance(config: EngineConfig): Promise<DuckDBInstance> {
  shared ??= (async () => {
    // No ICU extension here (it cannot be downloaded): TIMESTAMPTZ is then always UTC, which is what Delta wants.
    const options: Record<string, string> = {};
    if (config.memoryLimit) options.memory_limit = config.memoryLimit;
    if (config.threads) options.threads = String(config.threads);
    if (config.spillDirectory) {
      mkdirSync(config.spillDirectory, { recursive: true });
      options.temp_directory = config.spillDirectory;
    }
    return DuckDBInstance.create(':memory:', options);
  })();
  return shared;
}

/** A new connection to the shared instance; the caller closes it. */
export async function openConnection(config: EngineConfig): Promise<DuckDBConnection> {
  return (await instance(config)).connect();
}

/** Runs `fn` on a fresh connection, interrupting the query when `signal` aborts. */
export async function withConnection<T>(config: EngineConfig, signal: AbortSignal | undefined, fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
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
