// TypeScript transforms: upstream rows stream in as batches of at most `batchSize` (DuckDB result
// chunks, read on demand), output batches stream out through DuckDB's appender into a temp table
// that DuckDB spills under its memory limit, then one COPY writes the Parquet file. The JS heap
// holds one input batch per upstream and the output batch being appended, never the partition.
import { DuckDBDataChunk, JSToDuckDBValueConverter, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { AssetContext, AssetDef, Row } from '../core/index.ts';
import { ident, type PartitionValues, type Table } from '../delta/index.ts';
import { openConnection, type EngineConfig } from './duckdb.ts';
import { createInputView, selectFiles, type InputSelection } from './inputs.ts';
import { checkNoPartitionColumn, describeQuery, writeParquet, type WrittenFile } from './output.ts';

export interface TransformJob {
  asset: AssetDef;
  ctx: AssetContext;
  inputs: InputSelection[];
  table: Table;
  values: PartitionValues;
  partitionColumns: string[];
  owner: string;
  engine?: EngineConfig;
  signal?: AbortSignal;
}

export interface TransformStats {
  /** input batches handed to the transform, per upstream */
  inputBatches: Record<string, number>;
  /** output batches the transform yielded */
  outputBatches: number;
  /** most rows of one batch seen (in or out) */
  largestBatch: number;
}

const CHUNK = 2048; // DuckDB's vector size: rows per appended chunk

/** Runs the asset's transform for one partition; `conn` holds the input views already. */
export async function runTransform(conn: DuckDBConnection, job: TransformJob, stats?: TransformStats): Promise<WrittenFile> {
  const { asset, owner } = job;
  const schema = asset.schema!;
  const names = Object.keys(schema);
  checkNoPartitionColumn(names, job.partitionColumns, owner, 'schema');
  const out = `__freshet_out_${process.pid}_${Date.now()}`;
  await conn.run(`CREATE TEMP TABLE ${ident(out)} (${names.map((n) => `${ident(n)} ${schema[n]}`).join(', ')})`);
  const s: TransformStats = stats ?? { inputBatches: {}, outputBatches: 0, largestBatch: 0 };
  const streams: DuckDBConnection[] = [];
  try {
    const inputs: Record<string, AsyncIterable<Row[]>> = {};
    for (const input of job.inputs) {
      s.inputBatches[input.asset.name] = 0;
      inputs[input.asset.name] = batches(job, input, streams, (n) => {
        s.inputBatches[input.asset.name]++;
        s.largestBatch = Math.max(s.largestBatch, n);
      });
    }
    const appender = await conn.createAppender(out, 'main', 'temp');
    try {
      for await (const batch of asset.transform!({ ...job.ctx, inputs })) {
        if (job.signal?.aborted) throw new Error(`${owner}: cancelled`);
        if (!Array.isArray(batch)) throw new Error(`${owner}: the transform yielded ${typeof batch}; yield arrays of row objects.`);
        s.outputBatches++;
        s.largestBatch = Math.max(s.largestBatch, batch.length);
        appendRows(appender, names, batch, owner);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const sql = `SELECT * FROM ${ident(out)}`;
    return await writeParquet(conn, job.table, sql, await describeQuery(conn, `(${sql})`), job.values, job.partitionColumns, owner);
  } finally {
    for (const c of streams) c.closeSync();
    await conn.run(`DROP TABLE IF EXISTS ${ident(out)}`);
  }
}

/** One upstream's rows in batches of at most batchSize, read lazily on a connection of its own
 *  (a streaming result lives only while its connection runs nothing else). */
async function* batches(
  job: TransformJob,
  input: InputSelection,
  streams: DuckDBConnection[],
  seen: (n: number) => void,
): AsyncGenerator<Row[]> {
  const size = job.asset.batchSize;
  const conn = await openConnection(job.engine ?? {});
  streams.push(conn);
  await createInputView(conn, input, selectFiles(input, job.owner));
  const result = await conn.stream(`SELECT * FROM ${ident(input.asset.name)}`);
  let batch: Row[] = [];
  for await (const rows of result.yieldRowObjectJs()) {
    for (const row of rows) {
      batch.push(row);
      if (batch.length === size) {
        seen(batch.length);
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length) {
    seen(batch.length);
    yield batch;
  }
}

function appendRows(appender: DuckDBAppender, names: string[], rows: Row[], owner: string): void {
  const types = names.map((_, i) => appender.columnType(i));
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const chunk = DuckDBDataChunk.create(types, part.length);
    try {
      chunk.setRowsConverted(
        part.map((r) => names.map((n) => (r[n] ?? null) as never)),
        JSToDuckDBValueConverter,
      );
    } catch (err) {
      throw new Error(
        `${owner}: a row the transform yielded does not fit the declared schema (${names.map((n, j) => `${n} ${types[j]}`).join(', ')}): ${(err as Error).message}`,
        { cause: err },
      );
    }
    appender.appendDataChunk(chunk);
  }
}
