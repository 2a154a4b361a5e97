// DuckDB's peak buffer memory per query, from its JSON profile (system_peak_buffer_memory).
// The figure is the instance's (shared by every job of this process) during the query.
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { literal } from '../delta/index.ts';

export interface PeakTracker {
  /** reads the last query's profile; call after each query that matters */
  sample(): void;
  /** bytes, or undefined when no profile could be read */
  readonly peak: number | undefined;
  /** most bytes DuckDB had spilled to its temp directory at once */
  readonly spilled: number | undefined;
  close(): void;
}

export async function trackPeakMemory(conn: DuckDBConnection): Promise<PeakTracker> {
  const dir = path.join(tmpdir(), 'freshet-profiles');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${randomUUID()}.json`);
  let peak: number | undefined;
  let spilled: number | undefined;
  try {
    await conn.run(`SET enable_profiling = 'json'`);
    await conn.run(`SET profiling_output = ${literal(file)}`);
    await conn.run(`SET custom_profiling_settings = '{"SYSTEM_PEAK_BUFFER_MEMORY": "true", "SYSTEM_PEAK_TEMP_DIR_SIZE": "true"}'`);
  } catch {
    // An older DuckDB without these metrics: lineage then has no peak memory.
    return { sample: () => {}, peak: undefined, spilled: undefined, close: () => {} };
  }
  return {
    sample() {
      try {
        const p = JSON.parse(readFileSync(file, 'utf8')) as { system_peak_buffer_memory?: number; system_peak_temp_dir_size?: number };
        if (typeof p.system_peak_buffer_memory === 'number') peak = Math.max(peak ?? 0, p.system_peak_buffer_memory);
        if (typeof p.system_peak_temp_dir_size === 'number') spilled = Math.max(spilled ?? 0, p.system_peak_temp_dir_size);
      } catch {
        /* no profile for this statement */
      }
    },
    get peak() {
      return peak;
    },
    get spilled() {
      return spilled;
    },
    close() {
      // The profiling settings are the connection's, and it is closed after the job.
      rmSync(file, { force: true });
    },
  };
}
