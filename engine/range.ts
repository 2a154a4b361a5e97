// Range batching: many contiguous partitions of one asset from one read of their inputs (the
// union of what each partition reads, lookback included), then one Parquet file and one
// partition-replacing commit per key.
//
// With `rangeSql` the whole range is one DuckDB query whose result is split by the partition
// column in the same COPY (PARTITION_BY). Without it, the union is loaded once into temp tables
// and the per-partition `sql` runs per key over views restricted to that key's upstream
// partitions: the same SQL over the same rows, so the same result, minus the repeated reads.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { columnType, inputKeys, keyStart, partitionValue, type AssetDef, type Partitions, type RangeContext } from '../core/index.ts';
import { deltaColumns, duckdbType, ident, literal, type DuckColumn } from '../delta/index.ts';
import { assetContext, assetSql, tsLiteral } from './context.ts';
import { commitPartition, partitionValuesOf, type MaterializeResult } from './commit.ts';
import { withConnection } from './duckdb.ts';
import { createInputView, openInputs, selectFiles, type InputSelection } from './inputs.ts';
import { assetTable, ownerOf, versionsOf, type MaterializeRequest } from './materialize.ts';
import {
  checkNoPartitionColumn,
  describeQuery,
  PARQUET_OPTIONS,
  publishFile,
  stagingDir,
  writeParquet,
  type WrittenFile,
} from './output.ts';
import { trackPeakMemory, type PeakTracker } from './profile.ts';
import { registerFunctions } from './udf.ts';

export type RangeRequest = Omit<MaterializeRequest, 'partition'> & { onPartitionDone?: (r: MaterializeResult) => void };

const PART = '__freshet_part';

/** Computes `keys` (contiguous, of a partitioned SQL asset) from one read of their inputs. */
export async function materializeRange(req: RangeRequest, asset: AssetDef, keys: string[]): Promise<MaterializeResult[]> {
  const started = Date.now();
  const inputs = await openInputs(req.graph, req.warehouse, asset, keys);
  const inputsAt = Date.now();
  const owner = `${ownerOf(asset, undefined)} partitions ${keys[0]}..${keys[keys.length - 1]}`;
  const inputVersions = versionsOf(inputs);
  const staging = path.join(stagingDir(), `range-${randomUUID()}`);
  try {
    const { files, peak, spilled } = await withConnection(req.engine ?? {}, req.signal, async (conn) => {
      const tracker = await trackPeakMemory(conn);
      try {
        await registerFunctions(conn, req.engine ?? {}, asset);
        const job: BatchJob = { conn, req, asset, keys, inputs, owner, staging, tracker };
        const files = asset.rangeSql ? await viaRangeSql(job) : await viaUnion(job);
        return { files, peak: tracker.peak, spilled: tracker.spilled };
      } finally {
        tracker.close();
      }
    });
    const table = assetTable(req.warehouse, asset.name);
    const results: MaterializeResult[] = [];
    const before = { inputsMs: (inputsAt - started) / keys.length, computeMs: (Date.now() - inputsAt) / keys.length };
    for (const key of keys) {
      // One commit per partition: its own txn (idempotent retries), its own lineage record, and
      // a crash mid-batch leaves the partitions already committed done.
      const r = await commitPartition({
        table,
        asset,
        key,
        written: files.get(key)!,
        inputVersions,
        txnVersion: req.txnVersion,
        attempt: req.attempt ?? 1,
        started,
        peakMemoryBytes: peak,
        spilledBytes: spilled,
        mode: 'range',
        batchSize: keys.length,
        run: req.run,
        before,
      });
      req.onPartitionDone?.(r);
      results.push(r);
    }
    return results;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

interface BatchJob {
  conn: DuckDBConnection;
  req: RangeRequest;
  asset: AssetDef;
  keys: string[];
  inputs: InputSelection[];
  owner: string;
  staging: string;
  tracker: PeakTracker;
}

/** One query over the whole range, split into a file per partition by the same COPY. */
async function viaRangeSql({ conn, req, asset, keys, inputs, owner, staging, tracker }: BatchJob): Promise<Map<string, WrittenFile[]>> {
  for (const input of inputs) await createInputView(conn, input, selectFiles(input, owner));
  const ctx = rangeContext(asset, keys, req.attempt ?? 1);
  const sql = typeof asset.rangeSql === 'function' ? asset.rangeSql(ctx) : asset.rangeSql!;
  const columns = await checkRangeColumns(conn, asset, keys[0], sql, req.attempt ?? 1, owner);
  const { selects, fields } = deltaColumns(columns, owner);
  const part = partExpr(asset.partitions!, keys);
  await conn.run(
    `COPY (SELECT ${selects.join(', ')}, ${part} AS ${ident(PART)} FROM (${sql})) TO ${literal(staging)} (${PARQUET_OPTIONS}, PARTITION_BY (${ident(PART)}))`,
  );
  tracker.sample();
  const byKey = writtenParts(staging, asset.partitions!, keys, owner);
  const table = assetTable(req.warehouse, asset.name);
  const files = new Map<string, WrittenFile[]>();
  for (const key of keys) {
    // A partition with no rows still gets a file: the commit replaces what the partition held.
    const locals = byKey.get(key) ?? [await emptyFile(conn, columns, selects, staging)];
    const list: WrittenFile[] = [];
    for (const local of locals)
      list.push(await publishFile(conn, table, local, fields, partitionValuesOf(asset, key), [asset.partitions!.column]));
    files.set(key, list);
  }
  return files;
}

/** The union read once into temp tables, then the per-partition SQL per key over its slice. */
async function viaUnion({ conn, req, asset, keys, inputs, owner, tracker }: BatchJob): Promise<Map<string, WrittenFile[]>> {
  await loadUnion(conn, inputs, owner);
  tracker.sample();
  const table = assetTable(req.warehouse, asset.name);
  const column = asset.partitions!.column;
  const files = new Map<string, WrittenFile[]>();
  for (const key of keys) {
    await restrictUnion(conn, req, asset, inputs, key);
    const sql = assetSql(asset, assetContext(asset, key, req.attempt ?? 1));
    const columns = await describeQuery(conn, `(${sql})`);
    checkNoPartitionColumn(
      columns.map((c) => c.name),
      [column],
      ownerOf(asset, key),
      'SQL',
    );
    files.set(key, [await writeParquet(conn, table, sql, columns, partitionValuesOf(asset, key), [column], ownerOf(asset, key), tracker)]);
  }
  return files;
}

function sqlValue(def: Partitions, key: string): string {
  const v = literal(partitionValue(def, key));
  return def.kind === 'daily' ? `DATE ${v}` : def.kind === 'hourly' ? `TIMESTAMP ${v}` : v;
}

export function rangeContext(asset: AssetDef, keys: string[], attempt: number): RangeContext {
  const def = asset.partitions!;
  const list = `[${keys.map((k) => sqlValue(def, k)).join(', ')}]`;
  if (def.kind === 'static') return { asset: asset.name, keys, attempt, sql: { keys: list } };
  const start = keyStart(def, keys[0]);
  const end = assetContext(asset, keys[keys.length - 1], attempt).partition!.end!;
  return { asset: asset.name, keys, start, end, attempt, sql: { keys: list, start: tsLiteral(start), end: tsLiteral(end) } };
}

/** The rangeSql's columns: the partition column plus exactly the per-partition SQL's columns and types. */
async function checkRangeColumns(
  conn: DuckDBConnection,
  asset: AssetDef,
  firstKey: string,
  rangeSql: string,
  attempt: number,
  owner: string,
): Promise<DuckColumn[]> {
  const col = asset.partitions!.column;
  const ranged = await describeQuery(conn, `(${rangeSql})`);
  if (!ranged.some((c) => c.name === col))
    throw new Error(`${owner}: rangeSql must return the partition column '${col}' (it says which partition each row belongs to).`);
  const rest = ranged.filter((c) => c.name !== col);
  const single = await describeQuery(conn, `(${assetSql(asset, assetContext(asset, firstKey, attempt))})`);
  const show = (cs: DuckColumn[]) => cs.map((c) => `${c.name} ${c.type.toString()}`).join(', ');
  if (show(rest) !== show(single)) {
    throw new Error(
      `${owner}: rangeSql returns (${show(rest)}) but sql returns (${show(single)}); both must give the same columns and types, in the same order.`,
    );
  }
  return rest;
}

/** SQL naming each row's partition: its index in `keys` for time partitions, the key itself for static ones. */
function partExpr(def: Partitions, keys: string[]): string {
  const col = ident(def.column);
  if (def.kind === 'daily') return `date_diff('day', ${sqlValue(def, keys[0])}, CAST(${col} AS DATE))`;
  if (def.kind === 'hourly') return `date_diff('hour', ${sqlValue(def, keys[0])}, CAST(${col} AS TIMESTAMP))`;
  return `CAST(${col} AS VARCHAR)`;
}

/** The files DuckDB wrote per partition directory, by key; rows outside the batch are an error. */
function writtenParts(staging: string, def: Partitions, keys: string[], owner: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!existsSync(staging)) return out;
  const outside: string[] = [];
  for (const dir of readdirSync(staging)) {
    const raw = decodeURIComponent(dir.slice(PART.length + 1));
    const key = def.kind === 'static' ? (keys.includes(raw) ? raw : undefined) : keys[Number(raw)];
    if (key === undefined || (def.kind !== 'static' && !/^\d+$/.test(raw))) {
      outside.push(def.kind === 'static' ? raw : raw === 'NULL' || raw === '__HIVE_DEFAULT_PARTITION__' ? 'NULL' : `offset ${raw}`);
      continue;
    }
    out.set(
      key,
      readdirSync(path.join(staging, dir))
        .sort()
        .map((f) => path.join(staging, dir, f)),
    );
  }
  if (outside.length) {
    throw new Error(
      `${owner}: rangeSql returned rows for partitions outside ${keys[0]}..${keys[keys.length - 1]} (${outside.slice(0, 5).join(', ')}); filter them with ctx.sql.start/end or ctx.sql.keys.`,
    );
  }
  return out;
}

async function emptyFile(conn: DuckDBConnection, columns: DuckColumn[], selects: string[], staging: string): Promise<string> {
  const file = path.join(staging, `empty-${randomUUID()}.parquet`);
  const nulls = columns.map((c) => `CAST(NULL AS ${c.type.toString()}) AS ${ident(c.name)}`).join(', ');
  await conn.run(`COPY (SELECT ${selects.join(', ')} FROM (SELECT ${nulls} WHERE false)) TO ${literal(file)} (${PARQUET_OPTIONS})`);
  return file;
}

const unionName = (input: InputSelection) => `__freshet_union_${input.asset.name}`;

/** Reads each upstream's union of partitions once, into a temp table (DuckDB spills it under its memory limit). */
async function loadUnion(conn: DuckDBConnection, inputs: InputSelection[], owner: string): Promise<void> {
  for (const input of inputs) {
    await createInputView(conn, input, selectFiles(input, owner));
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${ident(unionName(input))} AS SELECT * FROM ${ident(input.asset.name)}`);
  }
}

/** Points each upstream's view at the partitions `key` reads, within the loaded union. */
async function restrictUnion(
  conn: DuckDBConnection,
  req: RangeRequest,
  asset: AssetDef,
  inputs: InputSelection[],
  key: string,
): Promise<void> {
  const mapped = inputKeys(req.graph, asset, key);
  for (const [i, input] of inputs.entries()) {
    const keys = mapped[i].keys;
    const up = input.asset.partitions;
    let where = '';
    if (keys !== 'all' && up) {
      const col = ident(input.snapshot!.metadata.partitionColumns[0]);
      const type = duckdbType(columnType(up));
      where = ` WHERE ${col} IN (${keys.map((k) => `CAST(${literal(partitionValue(up, k))} AS ${type})`).join(', ')})`;
    }
    await conn.run(`CREATE OR REPLACE TEMP VIEW ${ident(input.asset.name)} AS SELECT * FROM ${ident(unionName(input))}${where}`);
  }
}
