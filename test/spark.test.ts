// Spark assets through a real Temporal dev server and a real local Spark (pyspark + delta-spark,
// local[2]): a DuckDB → Spark → DuckDB chain over 30 daily partitions, the Spark asset's rows equal
// to DuckDB's for the same SQL, a late correction recomputed with `freshet materialize --outdated`
// (and `--stale`), a retried commit written once, a cancel that kills the Spark application, and
// Spark as the Delta oracle for every kind of table Freshet writes. Spark is slow to start: the
// file starts as few applications as it can (six).
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill, type ControlContext } from '../control/backfills.ts';
import { keysBetween, streamingAsset } from '../core/index.ts';
import type { BackfillProgress } from '../contract/backfill.ts';
import { loadSnapshot, readRows, type Snapshot } from '../delta/index.ts';
import { assetTable, materialize, materializations, materializeMany, partitionStates } from '../engine/index.ts';
import { txnAppId } from '../engine/commit.ts';
import { sparkSettings } from '../engine/spark/settings.ts';
import { SparkJobError } from '../engine/spark/submit.ts';
import { runStreamingJob } from '../stream/job.ts';
import { generatorSource } from '../stream/source-generator.ts';
import { openStore } from '../storage/index.ts';
import type { ObjectStore } from '../storage/types.ts';
import { describeProcs, sparkApplication, untilPythonDriver, untilSparkGone } from './support/spark-processes.ts';
import { startHarness, testConfig, type Harness } from './harness.ts';
import graph, { CORRECT_DAY_ENV, daily } from './fixtures/spark-project.ts';
import { spend10sInput } from './support/stream/test-assets.ts';

const days = keysBetween(daily, '2026-01-01', '2026-01-30');
const run = promisify(execFile);

let h: Harness;
let db: DuckDBConnection;
const warehouse = () => openStore(h.config.warehouse);

beforeAll(async () => {
  // A test that needs Spark fails, with how to get it, when it is not installed.
  sparkSettings(undefined);
  h = await startHarness(graph, testConfig('spark', { project: path.resolve('test/fixtures/spark-project.ts') }));
  db = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(async () => {
  db?.closeSync();
  await h?.stop();
});

/** A table's rows as Freshet's snapshot lists them, the partition value from the log, sorted. */
async function tableRows(name: string): Promise<Record<string, unknown>[]> {
  const snapshot = (await loadSnapshot(assetTable(warehouse(), name)))!;
  const parts = snapshot.files.map(
    (f) =>
      `SELECT *, '${f.partitionValues.day}' AS day FROM read_parquet('${path.join(h.config.warehouse, name, decodeURIComponent(f.path))}', hive_partitioning = false)`,
  );
  return (await db.runAndReadAll(`SELECT * FROM (${parts.join(' UNION ALL BY NAME ')}) ORDER BY ALL`)).getRowObjectsJS();
}

/** `freshet ...` as a user runs it, against this file's server, queue, warehouse and project. */
const cli = (...args: string[]) => run('node', ['bin/freshet.mjs', ...args], { env: h.env, timeout: 540_000 });

/** The keys of `name` that are not up to date, in order. */
async function notUpToDate(name: string): Promise<string[]> {
  const states = await partitionStates(graph, warehouse(), name, undefined);
  return [...states].filter(([, s]) => s.state !== 'up_to_date').map(([k]) => k);
}

/** Partitions of `name` committed after `version`, oldest first. */
async function recomputedSince(name: string, version: number): Promise<Array<string | null>> {
  return (await materializations(assetTable(warehouse(), name))).filter((m) => m.version > version).map((m) => m.partition);
}

async function backfill(assets: string[]): Promise<BackfillProgress> {
  const ctx: ControlContext = { client: h.client, taskQueue: h.config.taskQueue, graph, warehouse: warehouse() };
  const { id } = await startBackfill(ctx, { assets, downstream: false, from: days[0], to: days[days.length - 1], concurrency: 2 });
  return h.client.workflow.getHandle(id).result();
}

// Each test starts one Spark application; on a loaded 2-core machine that takes minutes (and
// each of the chain's 30 partitions, a Spark query and a Delta commit, up to half a minute).
describe('Spark assets', { timeout: 1_200_000 }, () => {
  it(
    'a DuckDB → Spark → DuckDB chain backfills 30 days through Temporal; Spark rows equal DuckDB rows for the same SQL',
    { timeout: 2_400_000 },
    async () => {
      // the source first, so every day of the Spark asset is ready at once: one Spark application for all 30
      expect((await backfill(['raw'])).failures).toEqual([]);
      const done = await backfill(['clean', 'clean_duck', 'rolling']);
      expect(done.failures).toEqual([]);
      const spark = await tableRows('clean');
      expect(new Set(spark.map((r) => r.day))).toEqual(new Set(days));
      expect(spark.length).toBeGreaterThan(days.length * 30);
      expect(spark).toEqual(await tableRows('clean_duck'));
      const list = await materializations(assetTable(warehouse(), 'clean'));
      const rawVersion = (await loadSnapshot(assetTable(warehouse(), 'raw')))!.version;
      expect(list.map((m) => [m.partition, m.mode, m.inputVersions, m.rows, m.batchSize])).toEqual(
        days.map((d) => [d, 'spark', { raw: rawVersion }, spark.filter((r) => r.day === d).length, days.length]),
      );
      // DuckDB read Spark's table: each day of rolling saw that day and the one before (the first day only itself)
      const rolling = await tableRows('rolling');
      expect(days.map((d) => rolling.filter((r) => r.day === d).reduce((n, r) => n + Number(r.n), 0))).toEqual(
        days.map((d, i) => spark.filter((r) => r.day === d || r.day === days[i - 1]).length),
      );
    },
  );

  it('a late correction upstream makes exactly the right partitions outdated, hop by hop, and `freshet materialize --outdated` / `--stale` recomputes only those', async () => {
    const day = days[14];
    const next = days[15];
    // the correction also adds a column to the source: the schema evolution the oracle test reads back
    process.env[CORRECT_DAY_ENV] = day;
    try {
      await materializeMany({ graph, warehouse: warehouse(), asset: 'raw', partitions: [day], txnVersion: Date.now() });
    } finally {
      delete process.env[CORRECT_DAY_ENV];
    }
    expect(await notUpToDate('clean')).toEqual([day]);
    expect(await notUpToDate('clean_duck')).toEqual([day]);
    // staleness is one hop: rolling reads clean, which has not changed yet
    expect(await notUpToDate('rolling')).toEqual([]);

    const clean = (await loadSnapshot(assetTable(warehouse(), 'clean')))!.version;
    const duck = (await loadSnapshot(assetTable(warehouse(), 'clean_duck')))!.version;
    const [bySpark, byDuck] = await Promise.all([
      cli('materialize', 'clean', '--outdated'),
      cli('materialize', 'clean_duck', '--outdated'),
    ]);
    for (const [name, out] of [
      ['clean', bySpark.stdout],
      ['clean_duck', byDuck.stdout],
    ]) {
      expect(out).toContain(`${name} ${day}: outdated (raw ${day} changed`);
      expect(out).toContain(`1 of ${days.length} partitions to compute`);
    }
    expect(await recomputedSince('clean', clean)).toEqual([day]);
    expect(await recomputedSince('clean_duck', duck)).toEqual([day]);
    expect(await tableRows('clean')).toEqual(await tableRows('clean_duck'));

    // now the recomputed Spark day is newer than what rolling read: the two days whose lookback holds it
    expect(await notUpToDate('rolling')).toEqual([day, next]);
    const rolling = (await loadSnapshot(assetTable(warehouse(), 'rolling')))!.version;
    const { stdout } = await cli('materialize', 'rolling', '--stale');
    expect(stdout).toContain(`2 of ${days.length} partitions to compute`);
    expect((await recomputedSince('rolling', rolling)).sort()).toEqual([day, next]);
    for (const name of ['clean', 'clean_duck', 'rolling']) expect({ name, left: await notUpToDate(name) }).toEqual({ name, left: [] });

    // rolling's recomputed days summed the corrected rows of Spark's table
    const spark = await tableRows('clean');
    const rows = await tableRows('rolling');
    for (const [d, window] of [
      [day, [days[13], day]],
      [next, [day, next]],
    ] as const) {
      const sum = (of: Record<string, unknown>[], column: string) => of.reduce((n, x) => n + Number(x[column]), 0);
      expect(
        sum(
          rows.filter((r) => r.day === d),
          'total',
        ),
      ).toBe(
        sum(
          spark.filter((r) => window.includes(r.day as string)),
          'value2',
        ),
      );
    }
  });

  it('an attempt retried after its commit landed writes nothing twice (Delta txn in the Spark writer)', async () => {
    const table = assetTable(warehouse(), 'clean');
    const snapshot = (await loadSnapshot(table))!;
    const txnVersion = snapshot.txns.get(txnAppId('clean', days[0]))!;
    expect(txnVersion).toBeGreaterThan(0);
    // materialize() goes straight to Spark (no pre-check): the driver's writer must skip the commit itself
    const again = await materialize({ graph, warehouse: warehouse(), asset: 'clean', partition: days[0], txnVersion, attempt: 2 });
    expect(again.alreadyCommitted).toBe(true);
    const after = (await loadSnapshot(table))!;
    expect(after.version).toBe(snapshot.version);
    expect((await materializations(table)).filter((m) => m.partition === days[0])).toHaveLength(1);
  });

  it("a failure's error names the Spark application and carries the end of the driver's log", async () => {
    const error = await materialize({ graph, warehouse: warehouse(), asset: 'broken', partition: days[0], txnVersion: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SparkJobError);
    const e = error as SparkJobError;
    expect(e.applicationId).toMatch(/^local-\d+$/);
    expect(e.message).toContain(`asset 'broken' partition ${days[0]} failed on Spark (application ${e.applicationId})`);
    expect(e.message).toMatch(/no_such_column/);
    expect(e.message).toContain('--- last lines of the driver log ---');
    expect(e.logTail).toMatch(/Traceback|AnalysisException/);
    expect(await loadSnapshot(assetTable(warehouse(), 'broken'))).toBeUndefined();
  });

  it('cancelling kills the Spark application within seconds and commits nothing', async () => {
    const table = assetTable(warehouse(), 'clean');
    const version = (await loadSnapshot(table))!.version;
    const abort = new AbortController();
    const run = materialize({
      graph,
      warehouse: warehouse(),
      asset: 'clean',
      partition: days[2],
      txnVersion: Date.now(),
      signal: abort.signal,
    });
    const outcome = run.then(
      () => 'committed',
      (e: Error) => e,
    );
    await untilPythonDriver('clean');
    const cancelledAt = Date.now();
    abort.abort(new Error('cancelled by the test'));
    expect(await outcome).toMatchObject({ message: 'cancelled by the test' });
    await untilSparkGone('clean', 10_000);
    expect(describeProcs(sparkApplication('clean'))).toEqual([]);
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    expect((await loadSnapshot(table))!.version).toBe(version);
  });

  it('Spark as the Delta oracle: it reads every kind of table Freshet writes as Freshet does; Freshet reads what Spark wrote and refuses the features it cannot read, by name', async () => {
    // The streaming runtime's sink, as a job writes it: a commit per checkpoint with txn (job → checkpoint id)
    const streams = openStore(path.join(h.config.warehouse, '_streams'));
    const job = await runStreamingJob({
      job: streamingAsset(spend10sInput),
      store: streams,
      sinkTable: streams.at('spend_10s'),
      source: generatorSource({
        partitions: 1,
        eventsPerSecond: 10,
        limit: 600,
        disorder: { probability: 0.05, maxDelayMs: 15_000 },
        seed: 42,
      }),
      checkpointIntervalMs: 0,
      batchSize: 25,
      signal: new AbortController().signal,
    });
    expect(job.reason).toBe('source-exhausted');
    const tables: Record<string, ObjectStore> = {
      raw: assetTable(warehouse(), 'raw'),
      clean_duck: assetTable(warehouse(), 'clean_duck'),
      rolling: assetTable(warehouse(), 'rolling'),
      stream_sink: streams.at('spend_10s'),
      stream_late: streams.at('late_events'),
    };
    const ours: Record<string, { snapshot: Snapshot; checkpoint: number; rows: string[] }> = {};
    for (const [name, table] of Object.entries(tables)) {
      const snapshot = (await loadSnapshot(table))!;
      const rows = (await readRows(table, snapshot)).map((r) => comparable(snapshot, r));
      ours[name] = { snapshot, checkpoint: lastCheckpoint(table), rows };
    }
    // every kind: partitioned with a Delta checkpoint Freshet wrote, schema evolved (the correction's
    // column, read as null before it), the sink's txn actions in a checkpoint
    expect(ours.raw.checkpoint).toBeGreaterThan(0);
    expect(ours.raw.snapshot.metadata.schema.map((f) => f.name)).toEqual(['id', 'value', 'day', 'note']);
    expect(ours.raw.rows.filter((r) => r.includes('"late correction"'))).toHaveLength(40);
    expect(ours.clean_duck.checkpoint).toBeGreaterThan(0);
    expect(ours.stream_sink.checkpoint).toBeGreaterThan(0);
    // the job's txn version is the checkpoint of its newest commit (a checkpoint with no rows commits nothing)
    const checkpoints = ours.stream_sink.rows.map((r) => Number(new Map(JSON.parse(r) as Array<[string, unknown]>).get('checkpoint_id')));
    expect(ours.stream_sink.snapshot.txns.get(`freshet-stream:${spend10sInput.name}`)).toBe(Math.max(...checkpoints));
    expect(ours.stream_late.rows.length).toBeGreaterThan(0);

    const dir = path.join(h.config.warehouse, 'by-spark');
    const read = Object.fromEntries(Object.entries(tables).map(([n, t]) => [n, t.uri]));
    const oracle = runOracle({ read, write: dir });
    for (const [name, { snapshot, checkpoint, rows }] of Object.entries(ours)) {
      const theirs = oracle.read[name];
      expect({ name, version: theirs.version, checkpoint: theirs.checkpoint }).toEqual({ name, version: snapshot.version, checkpoint });
      expect({ name, txns: theirs.txns }).toEqual({ name, txns: Object.fromEntries(snapshot.txns) });
      expect({ name, schema: theirs.schema }).toEqual({ name, schema: snapshot.metadata.schema.map((f) => [f.name, f.type]) });
      const sparkRows = theirs.rows.map((j) => comparable(snapshot, JSON.parse(j) as Record<string, unknown>));
      expect({ name, rows: sparkRows.sort() }).toEqual({ name, rows: [...rows].sort() });
      // each column equal to its min and to its max: as many rows through Delta's file skipping
      // (by the stats Freshet wrote) as without it, and at least one (the value went there and back)
      expect(theirs.filtered.length).toBeGreaterThan(0);
      for (const [column, value, scanned, skipped] of theirs.filtered) {
        expect({ name, column, value, rows: skipped }).toEqual({ name, column, value, rows: scanned });
        expect(scanned).toBeGreaterThan(0);
      }
    }

    const plain = openStore(path.join(dir, 'plain'));
    const rows = await readRows(plain, (await loadSnapshot(plain))!);
    expect(rows.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 8, 100, 101, 102]);
    await expect(loadSnapshot(openStore(path.join(dir, 'dv')))).rejects.toThrow(/deletionVectors/);
    await expect(loadSnapshot(openStore(path.join(dir, 'cm')))).rejects.toThrow(/columnMapping/);
  });
});

interface OracleTable {
  version: number;
  /** the checkpoint Spark loaded the snapshot from, -1 for none */
  checkpoint: number;
  txns: Record<string, number>;
  schema: Array<[string, unknown]>;
  /** each row as Spark's JSON, timestamps as epoch microseconds */
  rows: string[];
  /** [column, value, rows equal to it counted by a scan, rows read with the filter (files skipped by stats)] */
  filtered: Array<[string, string, number, number]>;
}

/** One Spark application: test/fixtures/spark-oracle.py reads `read` and writes its tables under `write`. */
function runOracle(job: { read: Record<string, string>; write: string }): { read: Record<string, OracleTable> } {
  const settings = sparkSettings(undefined);
  const stdout = execFileSync(
    settings.submit,
    [
      '--master',
      'local[2]',
      '--conf',
      'spark.ui.enabled=false',
      '--conf',
      'spark.sql.session.timeZone=UTC',
      '--conf',
      'spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension',
      '--conf',
      'spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog',
      '--jars',
      settings.jars.join(','),
      path.join(import.meta.dirname, 'fixtures', 'spark-oracle.py'),
      JSON.stringify(job),
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, PYSPARK_PYTHON: settings.python, PYSPARK_DRIVER_PYTHON: settings.python },
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('ORACLE '))!;
  return JSON.parse(line.slice(7)) as { read: Record<string, OracleTable> };
}

/** The version of the newest checkpoint `_last_checkpoint` names, -1 for none. */
function lastCheckpoint(table: ObjectStore): number {
  try {
    return (JSON.parse(readFileSync(path.join(table.uri, '_delta_log', '_last_checkpoint'), 'utf8')) as { version: number }).version;
  } catch {
    return -1;
  }
}

/** A row in the table's column order, each value as the same JSON whoever read it: numbers as
 *  numbers, timestamps as epoch microseconds (Freshet's read prints them `2026-01-01 00:00:00.5+00`). */
function comparable(snapshot: Snapshot, row: Record<string, unknown>): string {
  return JSON.stringify(
    snapshot.metadata.schema.map((f) => {
      const v = row[f.name];
      if (v === null || v === undefined) return [f.name, null];
      if (f.type === 'timestamp') return [f.name, typeof v === 'number' ? v : micros(String(v))];
      if (['long', 'integer', 'short', 'byte', 'double', 'float'].includes(f.type)) return [f.name, Number(v)];
      return [f.name, String(v)];
    }),
  );
}

function micros(text: string): number {
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:Z|\+00(?::00)?)$/.exec(text);
  if (!m) throw new Error(`not a UTC timestamp: ${text}`);
  return Date.parse(`${m[1]}T${m[2]}Z`) * 1000 + Number((m[3] ?? '').padEnd(6, '0'));
}
