// `bench/batch.ts --engine spark`: the example's user_purchases_30d over the same Delta tables,
//   1. Freshet on DuckDB: materializeMany in the backfill's batches (range SQL, 16 days a batch),
//   2. Freshet on Spark: the same asset with `engine: spark()` (its per-day SQL; Spark takes no
//      rangeSql), materializeMany in the backfill's batches (32 days, one spark-submit each),
//   3. raw Spark: bench/spark-raw.py, the same per-day SQL in one application by the same
//      spark-submit, plain Delta appends (no Freshet).
// Batches run one after another (a backfill at concurrency 1), so each side has the 2 cores alone.
// Writes bench/results/batch-spark.json (and batch-spark-<rows>.json).
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { definitions, spark, type AssetGraph } from '../core/index.ts';
import { assetTable, materializeMany, preferredBatchSize, type MaterializeResult } from '../engine/index.ts';
import { sparkPath } from '../engine/spark/job.ts';
import { sparkSettings } from '../engine/spark/settings.ts';
import { submitArgs } from '../engine/spark/submit.ts';
import { repoRoot } from '../services/paths.ts';
import { loadConfig } from '../runtime/index.ts';
import type { ObjectStore } from '../storage/index.ts';

const RAW_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'spark-raw.py');
const ASSET = 'user_purchases_30d';

export interface SparkBenchContext {
  graph: AssetGraph;
  warehouse: ObjectStore;
  dir: string;
  days: string[];
  /** transactions read */
  rows: number;
  /** the --rows asked for (names the results file) */
  size: number;
  users: number;
  log: (...a: unknown[]) => void;
}

const round = (x: number) => Math.round(x * 100) / 100;
const load = () => os.loadavg().map(round);

/** The example graph with the rolling asset moved to Spark: its per-day SQL, no rangeSql. */
function sparkGraph(graph: AssetGraph): AssetGraph {
  const rolling = graph.get(ASSET);
  return definitions({
    assets: [graph.get('transactions'), graph.get('user_profiles'), { ...rolling, rangeSql: undefined, engine: spark() }],
  });
}

/** All days through materializeMany, in the batches a backfill hands its activities. */
async function freshet(graph: AssetGraph, ctx: SparkBenchContext): Promise<{ seconds: number; rows: number; batches: number }> {
  rmSync(path.join(ctx.dir, 'warehouse', ASSET), { recursive: true, force: true });
  const size = preferredBatchSize(graph.get(ASSET), loadConfig().engine);
  const results: MaterializeResult[] = [];
  const t0 = performance.now();
  let batches = 0;
  for (let i = 0; i < ctx.days.length; i += size, batches++) {
    const keys = ctx.days.slice(i, i + size);
    results.push(
      ...(await materializeMany({
        graph,
        warehouse: ctx.warehouse,
        asset: ASSET,
        partitions: keys,
        engine: loadConfig().engine,
        txnVersion: 1,
        onPartitionDone: (r) => ctx.log(`  ${r.partition}: ${(r.durationMs / 1000).toFixed(1)} s`),
      })),
    );
    ctx.log(`  ${keys[0]}..${keys[keys.length - 1]}: ${((performance.now() - t0) / 1000).toFixed(1)} s so far`);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, rows: results.reduce((n, r) => n + r.rows, 0), batches };
}

/** bench/spark-raw.py by Freshet's own spark-submit line (same master, conf, jars), timed around the process. */
async function rawSpark(graph: AssetGraph, ctx: SparkBenchContext) {
  const settings = sparkSettings(loadConfig().engine.spark);
  const rolling = graph.get(ASSET);
  const output = path.join(ctx.dir, 'raw-spark-out');
  rmSync(output, { recursive: true, force: true });
  const jobFile = path.join(ctx.dir, 'raw-spark-job.json');
  const job = {
    transactions: sparkPath(assetTable(ctx.warehouse, 'transactions')),
    user_profiles: sparkPath(assetTable(ctx.warehouse, 'user_profiles')),
    output,
    sql: rolling.sql,
    lookback: 30,
    days: ctx.days,
  };
  writeFileSync(jobFile, JSON.stringify(job));
  const args = submitArgs(settings, rolling, jobFile);
  // submitArgs ends with Freshet's driver and its job file: the raw script takes their place.
  args.splice(-2, 2, RAW_SCRIPT, jobFile);
  const t0 = performance.now();
  const inside = await new Promise<{ session_s: number; compute_s: number; rows: number }>((resolve, reject) => {
    const child = spawn(settings.submit, args, {
      env: { ...process.env, PYSPARK_PYTHON: settings.python, PYSPARK_DRIVER_PYTHON: settings.python },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let result: { session_s: number; compute_s: number; rows: number } | undefined;
    const tail: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('RAW_RESULT ')) result = JSON.parse(line.slice(11)) as typeof result;
      else if (line.startsWith('RAW_DAY ')) ctx.log(`  ${line.slice(8)} s so far`);
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
    });
    child.on('close', (code) =>
      code === 0 && result ? resolve(result) : reject(new Error(`raw Spark exited with ${code}:\n${tail.join('\n')}`)),
    );
  });
  const seconds = (performance.now() - t0) / 1000;
  rmSync(output, { recursive: true, force: true });
  return { seconds, ...inside };
}

export async function sparkBench(ctx: SparkBenchContext): Promise<void> {
  const onSpark = sparkGraph(ctx.graph);
  const result: Record<string, unknown> = {
    rows: ctx.rows,
    users: ctx.users,
    partitions: ctx.days.length,
    first_partition: ctx.days[0],
    last_partition: ctx.days[ctx.days.length - 1],
    master: sparkSettings(loadConfig().engine.spark).master,
    load_average_start: load(),
    machine: { cpus: os.cpus().length, total_mem_gb: Math.round(os.totalmem() / 2 ** 30) },
    note:
      'All seconds are end to end and include JVM starts the same way: freshet_spark_s one spark-submit per batch, raw_spark_s ' +
      'its one spark-submit (raw_spark_compute_s: inside the script, after the SparkSession is up). Batches run one at a time. ' +
      "DuckDB computes with the asset's rangeSql (one pass per 16 days); Spark takes no rangeSql, so both Spark sides run the " +
      'per-day SQL (30 days read per partition). spark_over_duckdb on one 2-core machine is expected well above 1: the point ' +
      'is that the cluster path exists. load_average_* are the 1/5/15-minute load averages (other sessions share the machine).',
  };
  // Written after every side, so a run cut short still leaves what it measured.
  const save = () => {
    const text = `${JSON.stringify({ ...result, load_average_end: load(), at: new Date().toISOString() }, null, 2)}\n`;
    const results = path.join(repoRoot, 'bench', 'results');
    mkdirSync(results, { recursive: true });
    if (ctx.size === 10_000_000) writeFileSync(path.join(results, 'batch-spark.json'), text);
    writeFileSync(path.join(results, `batch-spark-${ctx.size}.json`), text);
    return text;
  };

  ctx.log('Freshet on DuckDB (range SQL, batches of the backfill)...');
  const duck = await freshet(ctx.graph, ctx);
  ctx.log(`DuckDB: ${duck.rows} rows in ${duck.seconds.toFixed(1)} s`);
  Object.assign(result, { output_rows: duck.rows, duckdb_s: round(duck.seconds), duckdb_batches: duck.batches });
  save();

  ctx.log('raw Spark SQL (one application, the per-day SQL, plain Delta appends)...');
  const raw = await rawSpark(onSpark, ctx);
  ctx.log(`raw Spark: ${raw.rows} rows in ${raw.seconds.toFixed(1)} s (inside the script ${raw.compute_s.toFixed(1)} s)`);
  if (raw.rows !== duck.rows) throw new Error(`rows differ: DuckDB ${duck.rows}, raw Spark ${raw.rows}`);
  Object.assign(result, {
    raw_spark_s: round(raw.seconds),
    raw_spark_compute_s: round(raw.compute_s),
    raw_spark_session_s: round(raw.session_s),
  });
  save();

  ctx.log('Freshet on Spark (engine: spark(), batches of the backfill)...');
  const fs = await freshet(onSpark, ctx);
  ctx.log(`Freshet on Spark: ${fs.rows} rows in ${fs.seconds.toFixed(1)} s`);
  if (fs.rows !== duck.rows) throw new Error(`rows differ: DuckDB ${duck.rows}, Freshet on Spark ${fs.rows}`);
  rmSync(path.join(ctx.dir, 'warehouse', ASSET), { recursive: true, force: true });
  Object.assign(result, {
    freshet_spark_s: round(fs.seconds),
    freshet_spark_batches: fs.batches,
    freshet_spark_over_raw_spark: round(fs.seconds / raw.seconds),
    spark_over_duckdb: round(fs.seconds / duck.seconds),
  });
  console.log(save());
}
