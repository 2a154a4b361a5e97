// Batch benchmark: user_purchases_30d over N transactions (365 daily partitions, 1M users),
//   1. raw DuckDB: one COPY statement over the same Parquet files (the baseline the issue names),
//      and the same statement cut into the backfill's batches (Freshet minus Delta and Temporal),
//   2. Freshet: a full backfill through Temporal (range-batched activities, Delta commits),
//   3. Freshet: one new day of transactions arrives; the incremental (missing/stale) run.
// Writes bench/results/batch.json (and batch-<rows>.json).
//   node --import tsx bench/batch.ts [--rows 10000000|100000000|1000000000] [--users 1000000] [--concurrency 2] [--keep]
// With --engine spark [--partitions N]: Freshet on DuckDB, Freshet on Spark and raw Spark SQL
// instead, over all days or the last N (batch-spark.ts).
import { DuckDBInstance } from '@duckdb/node-api';
import { Client, Connection } from '@temporalio/client';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createWorker, installRuntime, loadConfig } from '../runtime/index.ts';
import { startBackfill, type ControlContext } from '../control/backfills.ts';
import { keysBetween, shiftKey, type AssetGraph } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { assetTable, materializeMany } from '../engine/index.ts';
import { sparkBench } from './batch-spark.ts';

// DuckDB settings as a worker would take them (FRESHET_DUCKDB_*).
const engineConfigFromEnv = () => loadConfig().engine;
import { rangeContext } from '../engine/range.ts';
import { freshetHome, repoRoot } from '../services/paths.ts';
import { startTemporalDevServer } from '../services/temporal.ts';
import { openStore, type ObjectStore } from '../storage/index.ts';
import type { BackfillProgress } from '../contract/backfill.ts';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    users: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '365' },
    concurrency: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    engine: { type: 'string', default: 'duckdb' },
    // --engine spark only: compute the last N days (each still reads its 30), not all of them
    partitions: { type: 'string' },
  },
});
if (flags.engine !== 'duckdb' && flags.engine !== 'spark') throw new Error(`--engine is duckdb or spark, got '${flags.engine}'`);
const ROWS = Number(flags.rows);
const USERS = Number(flags.users);
const DAYS = Number(flags.days);
const DAY_MS = 86_400_000;
// Partitions per backfill activity (activities/backfill.ts plans batches of this size).
const BACKFILL_BATCH = 16;

// The example project reads its size from the environment when it is imported.
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const first = new Date(today - (DAYS + 1) * DAY_MS).toISOString().slice(0, 10);
process.env.FRESHET_ROWS_PER_DAY = String(Math.round(ROWS / DAYS));
process.env.FRESHET_USERS = String(USERS);
process.env.FRESHET_START_DATE = first;
const graph: AssetGraph = (await import('../assets/index.ts')).default;
const days = keysBetween(
  graph.get('transactions').partitions!,
  first,
  shiftKey(graph.get('transactions').partitions! as never, first, DAYS - 1),
);
const newDay = shiftKey(graph.get('transactions').partitions! as never, days[days.length - 1], 1);

const dir = path.join(freshetHome, 'bench', `batch-${ROWS}`);
const warehouse = openStore(path.join(dir, 'warehouse'));
const log = (...a: unknown[]) => console.log(new Date().toISOString().slice(11, 19), ...a);

/** Peak RSS while `fn` runs (sampled every 100 ms) and its wall time. */
async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const t0 = performance.now();
  try {
    const result = await fn();
    return { result, seconds: (performance.now() - t0) / 1000, peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20) };
  } finally {
    clearInterval(timer);
  }
}

async function generate(store: ObjectStore): Promise<void> {
  const snap = await loadSnapshot(assetTable(store, 'transactions'));
  const have = new Set(snap?.files.map((f) => f.partitionValues.day) ?? []);
  const missing = days.filter((d) => !have.has(d));
  if (missing.length) {
    log(`generating ${missing.length} days of transactions (${process.env.FRESHET_ROWS_PER_DAY}/day)...`);
    await materializeMany({ graph, warehouse: store, asset: 'transactions', partitions: missing, engine: engineConfigFromEnv() });
  }
  if (!(await loadSnapshot(assetTable(store, 'user_profiles')))) {
    log(`generating ${USERS} user profiles...`);
    await materializeMany({ graph, warehouse: store, asset: 'user_profiles', partitions: [''], engine: engineConfigFromEnv() });
  }
}

/** The baseline: the same computation as one DuckDB statement over the same files, written partitioned by day. */
async function raw(store: ObjectStore): Promise<number> {
  const tx = (await loadSnapshot(assetTable(store, 'transactions')))!.files.filter((f) => days.includes(f.partitionValues.day!));
  const profiles = (await loadSnapshot(assetTable(store, 'user_profiles')))!.files;
  const paths = (table: string, files: typeof tx) =>
    files.map((f) => `'${path.join(dir, 'warehouse', table, decodeURIComponent(f.path))}'`).join(', ');
  const config = engineConfigFromEnv();
  const options: Record<string, string> = { preserve_insertion_order: 'false', temp_directory: path.join(dir, 'spill-raw') };
  if (config.memoryLimit) options.memory_limit = config.memoryLimit;
  if (config.threads) options.threads = String(config.threads);
  const db = await (await DuckDBInstance.create(':memory:', options)).connect();
  await db.run(`CREATE VIEW transactions AS SELECT * FROM read_parquet([${paths('transactions', tx)}], hive_partitioning = true)`);
  await db.run(`CREATE VIEW user_profiles AS SELECT * FROM read_parquet([${paths('user_profiles', profiles)}])`);
  const asset = graph.get('user_purchases_30d');
  const sql = (asset.rangeSql as (c: ReturnType<typeof rangeContext>) => string)(rangeContext(asset, days, 1));
  const out = path.join(dir, 'raw-out');
  rmSync(out, { recursive: true, force: true });
  await db.run(`COPY (${sql}) TO '${out}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day))`);
  const n = Number((await db.runAndReadAll(`SELECT count(*) FROM read_parquet('${out}/*/*.parquet')`)).getRows()[0][0]);
  db.closeSync();
  rmSync(out, { recursive: true, force: true });
  return n;
}

/**
 * Raw DuckDB again, cut the way Freshet's backfill cuts the work (batches of `batch` days, each
 * reading its days plus the 29-day lookback, `concurrency` at a time): Freshet minus Delta,
 * Temporal and commits, so freshet_s / this is Freshet's own overhead.
 */
async function rawBatched(store: ObjectStore, batch: number, concurrency: number): Promise<number> {
  const tx = (await loadSnapshot(assetTable(store, 'transactions')))!.files;
  const profiles = (await loadSnapshot(assetTable(store, 'user_profiles')))!.files;
  const file = (table: string, f: (typeof tx)[number]) => `'${path.join(dir, 'warehouse', table, decodeURIComponent(f.path))}'`;
  const config = engineConfigFromEnv();
  const options: Record<string, string> = { preserve_insertion_order: 'false', temp_directory: path.join(dir, 'spill-raw') };
  if (config.memoryLimit) options.memory_limit = config.memoryLimit;
  if (config.threads) options.threads = String(config.threads);
  const instance = await DuckDBInstance.create(':memory:', options);
  const asset = graph.get('user_purchases_30d');
  const out = path.join(dir, 'raw-batched-out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const batches: string[][] = [];
  for (let i = 0; i < days.length; i += batch) batches.push(days.slice(i, i + batch));
  let next = 0;
  let rows = 0;
  const worker = async () => {
    const db = await instance.connect();
    while (next < batches.length) {
      const keys = batches[next++];
      const lo = shiftKey(graph.get('transactions').partitions! as never, keys[0], -29);
      const read = tx.filter((f) => f.partitionValues.day! >= lo && f.partitionValues.day! <= keys[keys.length - 1]);
      await db.run(
        `CREATE OR REPLACE TEMP VIEW transactions AS SELECT * FROM read_parquet([${read.map((f) => file('transactions', f)).join(', ')}], hive_partitioning = true)`,
      );
      await db.run(
        `CREATE OR REPLACE TEMP VIEW user_profiles AS SELECT * FROM read_parquet([${profiles.map((f) => file('user_profiles', f)).join(', ')}])`,
      );
      const sql = (asset.rangeSql as (c: ReturnType<typeof rangeContext>) => string)(rangeContext(asset, keys, 1));
      const target = path.join(out, keys[0]);
      await db.run(`COPY (${sql}) TO '${target}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day))`);
      rows += Number((await db.runAndReadAll(`SELECT count(*) FROM read_parquet('${target}/*/*.parquet')`)).getRows()[0][0]);
    }
    db.closeSync();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  instance.closeSync();
  rmSync(out, { recursive: true, force: true });
  return rows;
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await generate(warehouse);
  const txRows = (await loadSnapshot(assetTable(warehouse, 'transactions')))!.files
    .filter((f) => days.includes(f.partitionValues.day!))
    .reduce((n, f) => n + (JSON.parse(f.stats!) as { numRecords: number }).numRecords, 0);
  log(`${txRows} transactions over ${days.length} days (${days[0]}..${days[days.length - 1]}), ${USERS} users`);
  if (flags.engine === 'spark') {
    const computed = flags.partitions ? days.slice(-Number(flags.partitions)) : days;
    return sparkBench({ graph, warehouse, dir, days: computed, rows: txRows, size: ROWS, users: USERS, log });
  }

  log('raw DuckDB: one statement...');
  const r = await measure(() => raw(warehouse));
  log(`raw: ${r.result} output rows in ${r.seconds.toFixed(1)} s`);

  const concurrency = Number(flags.concurrency);
  log(`raw DuckDB, batched as Freshet's backfill (${BACKFILL_BATCH} days, ${concurrency} at a time)...`);
  const rb = await measure(() => rawBatched(warehouse, BACKFILL_BATCH, concurrency));
  log(`raw batched: ${rb.result} output rows in ${rb.seconds.toFixed(1)} s`);

  rmSync(path.join(dir, 'warehouse', 'user_purchases_30d'), { recursive: true, force: true });
  installRuntime('ERROR');
  const server = await startTemporalDevServer();
  const taskQueue = `bench-batch-${process.pid}`;
  const config = {
    ...loadConfig(),
    temporalAddress: server.address,
    taskQueue,
    warehouse: path.join(dir, 'warehouse'),
    project: path.join(repoRoot, 'assets/index.ts'),
  };
  const { worker, connection: native } = await createWorker({ config, graph });
  const running = worker.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const ctx: ControlContext = { client, taskQueue, graph, warehouse };
  const backfill = async (to: string, force: boolean): Promise<BackfillProgress> => {
    const { id } = await startBackfill(ctx, { assets: ['user_purchases_30d'], downstream: false, from: days[0], to, force, concurrency });
    const done = (await client.workflow.getHandle(id).result()) as BackfillProgress;
    if (done.failures.length) throw new Error(`backfill failed: ${JSON.stringify(done.failures.slice(0, 3))}`);
    return done;
  };
  try {
    log('Freshet: full backfill through Temporal...');
    const full = await measure(() => backfill(days[days.length - 1], true));
    const snap = await loadSnapshot(assetTable(warehouse, 'user_purchases_30d'));
    const fullRows = snap!.files.reduce((n, f) => n + (JSON.parse(f.stats!) as { numRecords: number }).numRecords, 0);
    log(`full: ${fullRows} rows in ${full.seconds.toFixed(1)} s (${JSON.stringify(full.result.assets[0].counts)})`);
    if (fullRows !== r.result) throw new Error(`Freshet wrote ${fullRows} rows, raw DuckDB ${r.result}`);

    log(`a new day of transactions arrives (${newDay})...`);
    await materializeMany({ graph, warehouse, asset: 'transactions', partitions: [newDay], engine: engineConfigFromEnv() });
    const inc = await measure(() => backfill(newDay, false));
    const counts = inc.result.assets[0].counts;
    log(`incremental: ${inc.seconds.toFixed(2)} s (${JSON.stringify(counts)})`);
    if (counts.materialized !== 1) throw new Error(`the incremental run computed ${counts.materialized} partitions, expected 1`);

    const result = {
      rows: txRows,
      users: USERS,
      days: days.length,
      output_rows: fullRows,
      raw_s: round(r.seconds),
      freshet_s: round(full.seconds),
      freshet_over_raw: round(full.seconds / r.seconds),
      raw_batched_s: round(rb.seconds),
      freshet_over_raw_batched: round(full.seconds / rb.seconds),
      incremental_s: round(inc.seconds),
      full_over_incremental: round(full.seconds / inc.seconds),
      raw_rows_per_s: Math.round(txRows / r.seconds),
      freshet_rows_per_s: Math.round(txRows / full.seconds),
      peak_rss_mb: full.peakRssMb,
      raw_peak_rss_mb: r.peakRssMb,
      incremental_peak_rss_mb: inc.peakRssMb,
      concurrency,
      duckdb: engineConfigFromEnv(),
      machine: { cpus: (await import('node:os')).cpus().length, total_mem_gb: Math.round((await import('node:os')).totalmem() / 2 ** 30) },
      at: new Date().toISOString(),
    };
    console.log(JSON.stringify(result, null, 2));
    const results = path.join(repoRoot, 'bench', 'results');
    mkdirSync(results, { recursive: true });
    // batch.json is the default size (10M); every size also has its own file.
    if (ROWS === 10_000_000) writeFileSync(path.join(results, 'batch.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(results, `batch-${ROWS}.json`), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
    await server.stop();
    if (!flags.keep) rmSync(path.join(dir, 'warehouse', 'user_purchases_30d'), { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
await main();
