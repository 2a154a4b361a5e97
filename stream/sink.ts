// The exactly-once sink: window results, late events and dead letters become Parquet files
// staged into their Delta tables before the checkpoint that names them is written, and are
// committed after it with txn (appId = job, version = checkpoint id). A restore re-issues the
// newest checkpoint's commit; Delta's txn makes the repeat a no-op if it had gone through.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { aggregateOutputType } from '../core/streaming.ts';
// delta/'s light public modules (no storage, no log): the rest loads on first use, below.
import { createDuckDB } from '../delta/duck.ts';
import { duckdbType } from '../delta/duckdb-types.ts';
import { ident, literal } from '../delta/sql.ts';
import type { StreamingAsset } from '../core/streaming.ts';
import type { AddFile, Field, Table } from '../delta/types.ts';
import { recordText } from './decode.ts';
import type { DeadLetter } from './decode.ts';
import type { LateEvent, WindowRow } from './operator.ts';

export interface Column<T> {
  field: Field;
  get: (row: T) => unknown;
}

/** Stages files and commits them; the default writes Parquet through DuckDB and commits with delta/. */
export interface SinkWriter {
  stage<T>(table: Table, rows: T[], columns: Column<T>[]): Promise<AddFile[]>;
  /** `txn.marks` are further txn actions recorded with the commit (a shard's watermark for the merge) */
  commit(
    table: Table,
    schema: Field[],
    adds: AddFile[],
    txn: { appId: string; version: number; marks?: Array<{ appId: string; version: number }> },
    commitInfo: Record<string, unknown>,
  ): Promise<{ skipped: boolean; version: number }>;
  /** the table's txn version for appId, -1 when none */
  committedVersion(table: Table, appId: string): Promise<number>;
  close(): Promise<void>;
}

/** how a column travels in the staging JSON: a list of its DuckDB type, timestamps as epoch milliseconds */
const stagedType = (type: string): string => (type === 'timestamp' ? 'BIGINT[]' : `${duckdbType(type)}[]`);

function jsonValue(type: string, v: unknown): unknown {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return null;
  switch (type) {
    case 'string': {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      // a lone surrogate (from an escaped event field) is not valid UTF-8 for DuckDB
      return text.isWellFormed() ? text : text.toWellFormed();
    }
    case 'long':
    case 'integer':
      return Math.trunc(v as number);
    case 'double':
      return v;
    case 'timestamp':
      return Math.round(v as number);
    default:
      throw new Error(`stream sink: column type ${type} is not supported`);
  }
}

/** rows per line of the staging JSON: bounds each string built (and the event loop waits per write) */
const PART_ROWS = 50_000;

/**
 * Writes `rows` as newline-delimited JSON, one line per part, each line the part's columns as
 * arrays (c0, c1, ...). Column arrays stringify fast and DuckDB parses them on its own threads:
 * appending value by value blocked the event loop ~1.6 s for 200k rows.
 */
async function writeColumnsJson<T>(file: string, rows: T[], columns: Column<T>[]): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    for (let from = 0; from < rows.length; from += PART_ROWS) {
      const to = Math.min(rows.length, from + PART_ROWS);
      const part: Record<string, unknown[]> = {};
      columns.forEach((col, i) => {
        const values = new Array<unknown>(to - from);
        for (let r = from; r < to; r++) values[r - from] = jsonValue(col.field.type, col.get(rows[r]));
        part[`c${i}`] = values;
      });
      await handle.write(`${JSON.stringify(part)}\n`);
    }
  } finally {
    await handle.close();
  }
}

export function deltaSink(): SinkWriter {
  let conn: Promise<DuckDBConnection> | undefined;
  const connect = () => (conn ??= createDuckDB().then((db) => db.connect()));
  // delta/ is loaded on first use so the runtime's pure parts import without it
  const delta = () => import('../delta/index.ts');
  let tmpDir: string | undefined;

  return {
    async stage(table, rows, columns) {
      if (rows.length === 0) return [];
      const c = await connect();
      tmpDir ??= await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-sink-'));
      const name = `stage_${randomUUID().replace(/-/g, '')}`;
      const json = path.join(tmpDir, `${name}.json`);
      const file = path.join(tmpDir, `${name}.parquet`);
      try {
        await writeColumnsJson(json, rows, columns);
        // unnest zips the column arrays of each line back into rows, in order
        const select = columns.map(
          (col, i) =>
            `${col.field.type === 'timestamp' ? `timezone('UTC', make_timestamp(unnest(${ident(`c${i}`)}) * 1000))` : `unnest(${ident(`c${i}`)})`} AS ${ident(col.field.name)}`,
        );
        const types = columns.map((col, i) => `${literal(`c${i}`)}: ${literal(stagedType(col.field.type))}`);
        const source = `read_json(${literal(json)}, format = 'newline_delimited', maximum_object_size = 1000000000, columns = {${types.join(', ')}})`;
        await c.run(`COPY (SELECT ${select.join(', ')} FROM ${source}) TO ${literal(file)} (FORMAT parquet, COMPRESSION snappy)`);
      } finally {
        await fs.rm(json, { force: true });
      }
      const { addDataFile } = await delta();
      const schema = columns.map((col) => col.field);
      return [await addDataFile(table, file, { schema, partitionColumns: [], partitionValues: {} })];
    },
    async commit(table, schema, adds, txn, commitInfo) {
      const { write } = await delta();
      const r = await write(table, {
        schema,
        partitionColumns: [],
        mode: 'append',
        adds,
        commitInfo,
        txn: { appId: txn.appId, version: txn.version },
        marks: txn.marks,
      });
      return { skipped: r.skipped, version: r.version };
    },
    async committedVersion(table, appId) {
      const { loadSnapshot } = await delta();
      const snap = await loadSnapshot(table);
      return snap?.txns.get(appId) ?? -1;
    },
    async close() {
      if (conn) (await conn).closeSync();
      if (tmpDir) await fs.rm(tmpDir, { recursive: true, force: true });
    },
  };
}

// ---- the three tables' columns ----

/** What every row of one checkpoint's commit shares (columns carry it, rows are not copied). */
export interface CommitStamp {
  emittedAt: number;
  checkpoint: number;
}

export function resultColumns(asset: StreamingAsset, stamp: CommitStamp): Column<WindowRow>[] {
  const cols: Column<WindowRow>[] = asset.key.map((k, i) => ({
    field: { name: k, type: 'string', nullable: false },
    get: (r: WindowRow) => r.keyParts[i],
  }));
  cols.push(
    { field: { name: 'window_start', type: 'timestamp', nullable: false }, get: (r) => r.windowStart },
    { field: { name: 'window_end', type: 'timestamp', nullable: false }, get: (r) => r.windowEnd },
    { field: { name: 'revision', type: 'long', nullable: false }, get: (r) => r.revision },
  );
  Object.entries(asset.aggregates).forEach(([name, spec], i) => {
    cols.push({ field: { name, type: aggregateOutputType(spec), nullable: true }, get: (r) => r.values[i] });
  });
  cols.push(
    { field: { name: 'emitted_at', type: 'timestamp', nullable: false }, get: () => stamp.emittedAt },
    { field: { name: 'checkpoint_id', type: 'long', nullable: false }, get: () => stamp.checkpoint },
  );
  return cols;
}

export function lateColumns(stamp: CommitStamp): Column<LateEvent>[] {
  return [
    { field: { name: 'partition', type: 'integer', nullable: false }, get: (r) => r.partition },
    { field: { name: 'offset', type: 'long', nullable: false }, get: (r) => r.offset },
    { field: { name: 'key', type: 'string', nullable: false }, get: (r) => r.key },
    { field: { name: 'event_time', type: 'timestamp', nullable: false }, get: (r) => r.eventTime },
    { field: { name: 'watermark', type: 'timestamp', nullable: true }, get: (r) => r.watermark },
    { field: { name: 'reason', type: 'string', nullable: false }, get: (r) => r.reason },
    { field: { name: 'payload', type: 'string', nullable: true }, get: (r) => payloadText(r.payload) },
    { field: { name: 'checkpoint_id', type: 'long', nullable: false }, get: () => stamp.checkpoint },
  ];
}

export function deadColumns(stamp: CommitStamp): Column<DeadLetter>[] {
  return [
    { field: { name: 'partition', type: 'integer', nullable: false }, get: (r) => r.partition },
    { field: { name: 'offset', type: 'long', nullable: false }, get: (r) => r.offset },
    { field: { name: 'raw', type: 'string', nullable: false }, get: (r) => r.raw },
    { field: { name: 'error', type: 'string', nullable: false }, get: (r) => r.error },
    { field: { name: 'checkpoint_id', type: 'long', nullable: false }, get: () => stamp.checkpoint },
    // nullable: tables written before reasons had codes gain the column (rows before it read null)
    { field: { name: 'reason', type: 'string', nullable: true }, get: (r) => r.reason },
  ];
}

function payloadText(p: unknown): string | null {
  return p === null || p === undefined ? null : recordText(p);
}
