// Spark assets through a real Temporal dev server and a real local Spark (pyspark + delta-spark,
// local[2]): a DuckDB → Spark → DuckDB chain, the Spark asset's rows equal to DuckDB's for the
// same SQL, staleness across engines, a retried commit written once, and a cancel that kills
// the Spark application. Spark is slow to start: the file starts as few applications as it can.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill, type ControlContext } from '../control/backfills.ts';
import { asset, dailyPartitions, definitions, keysBetween, lookback, source, spark } from '../core/index.ts';
import type { BackfillProgress } from '../contract/backfill.ts';
import { loadSnapshot, readRows } from '../delta/index.ts';
import { assetTable, materialize, materializations, materializeMany, partitionStates } from '../engine/index.ts';
import { txnAppId } from '../engine/commit.ts';
import { sparkSettings } from '../engine/spark/settings.ts';
import { SparkJobError } from '../engine/spark/submit.ts';
import { openStore } from '../storage/index.ts';
import { startHarness, testConfig, type Harness } from './harness.ts';

const daily = dailyPartitions({ start: '2026-01-01' });
const days = keysBetween(daily, '2026-01-01', '2026-01-03');
// The same SQL on both engines: integer and floating arithmetic, a filter, a CASE, a string.
const SQL = `SELECT id, value * 2 AS value2, value / 4 AS quarter,
  CASE WHEN value > 500 THEN 'high' ELSE 'low' END AS band FROM raw WHERE value % 7 <> 0`;
const graph = definitions({
  assets: [
    source({
      name: 'raw',
      partitions: daily,
      // 200 rows a day that depend on the day; FRESHET_TEST_CORRECT_DAY shifts that day's values (a late correction)
      sql: (ctx) =>
        `SELECT i AS id, (i * 37 + ${Number(ctx.partition!.key.slice(-2)) * 11} + ${process.env.FRESHET_TEST_CORRECT_DAY === ctx.partition!.key ? 5 : 0}) % 1000 AS value FROM range(200) t(i)`,
    }),
    asset({ name: 'clean', partitions: daily, deps: ['raw'], engine: spark(), sql: SQL }),
    asset({ name: 'clean_duck', partitions: daily, deps: ['raw'], sql: SQL }),
    asset({ name: 'broken', partitions: daily, deps: ['raw'], engine: spark(), sql: 'SELECT no_such_column FROM raw' }),
    asset({
      name: 'rolling',
      partitions: daily,
      deps: { clean: lookback(2) },
      sql: 'SELECT id % 5 AS bucket, count(*) AS n, sum(value2) AS total FROM clean GROUP BY ALL',
    }),
  ],
});

let h: Harness;
let db: DuckDBConnection;
const warehouse = () => openStore(h.config.warehouse);

beforeAll(async () => {
  // A test that needs Spark fails, with how to get it, when it is not installed.
  sparkSettings(undefined);
  h = await startHarness(graph, testConfig('spark'));
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

async function backfill(assets: string[]): Promise<BackfillProgress> {
  const ctx: ControlContext = { client: h.client, taskQueue: h.config.taskQueue, graph, warehouse: warehouse() };
  const { id } = await startBackfill(ctx, { assets, downstream: false, from: days[0], to: days[days.length - 1], concurrency: 2 });
  return h.client.workflow.getHandle(id).result();
}

/** Processes of a Spark application Freshet submitted: the launcher JVM and the Python driver. */
function sparkProcesses(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes('engine/spark/driver.py'));
}

// Each test starts one Spark application; on a loaded 2-core machine that takes minutes.
describe('Spark assets', { timeout: 600_000 }, () => {
  it('a DuckDB → Spark → DuckDB chain backfills through Temporal; Spark rows equal DuckDB rows for the same SQL', async () => {
    const done = await backfill(['raw', 'clean', 'clean_duck', 'rolling']);
    expect(done.failures).toEqual([]);
    const spark = await tableRows('clean');
    expect(spark.length).toBeGreaterThan(400);
    expect(spark).toEqual(await tableRows('clean_duck'));
    const list = await materializations(assetTable(warehouse(), 'clean'));
    const rawVersion = (await loadSnapshot(assetTable(warehouse(), 'raw')))!.version;
    expect(list.map((m) => [m.partition, m.mode, m.inputVersions, m.rows])).toEqual(
      days.map((d) => [d, 'spark', { raw: rawVersion }, spark.filter((r) => r.day === d).length]),
    );
    // DuckDB read Spark's table: each day of rolling saw that day and the one before
    const rolling = await tableRows('rolling');
    expect(rolling.filter((r) => r.day === days[2]).reduce((n, r) => n + Number(r.n), 0)).toBe(
      spark.filter((r) => r.day === days[1] || r.day === days[2]).length,
    );
  });

  it('a late correction upstream makes exactly its Spark partition outdated, and a backfill recomputes that one only', async () => {
    process.env.FRESHET_TEST_CORRECT_DAY = days[1];
    try {
      await materializeMany({ graph, warehouse: warehouse(), asset: 'raw', partitions: [days[1]], txnVersion: Date.now() });
    } finally {
      delete process.env.FRESHET_TEST_CORRECT_DAY;
    }
    const states = await partitionStates(graph, warehouse(), 'clean', days);
    expect(days.map((d) => states.get(d)!.state)).toEqual(['up_to_date', 'outdated', 'up_to_date']);
    const before = (await loadSnapshot(assetTable(warehouse(), 'clean')))!.version;
    const done = await backfill(['clean', 'clean_duck']);
    expect(done.failures).toEqual([]);
    const recomputed = (await materializations(assetTable(warehouse(), 'clean'))).filter((m) => m.version > before);
    expect(recomputed.map((m) => m.partition)).toEqual([days[1]]);
    expect(await tableRows('clean')).toEqual(await tableRows('clean_duck'));
    const after = await partitionStates(graph, warehouse(), 'clean', days);
    expect([...after.values()].every((s) => s.state === 'up_to_date')).toBe(true);
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
    // wait until the Python driver runs: the launcher JVM is up and the application starting
    const pythonDriver = () => sparkProcesses().some((l) => /python\S* \S*driver\.py/.test(l));
    const deadline = Date.now() + 240_000;
    while (!pythonDriver() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(pythonDriver()).toBe(true);
    const cancelledAt = Date.now();
    abort.abort(new Error('cancelled by the test'));
    expect(await outcome).toMatchObject({ message: 'cancelled by the test' });
    while (sparkProcesses().length > 0 && Date.now() - cancelledAt < 10_000) await new Promise((r) => setTimeout(r, 100));
    expect(sparkProcesses()).toEqual([]);
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    expect((await loadSnapshot(table))!.version).toBe(version);
  });

  it('Spark as the Delta oracle: it reads what Freshet wrote; Freshet reads what Spark wrote and refuses the features it cannot read, by name', async () => {
    const dir = path.join(h.config.warehouse, 'by-spark');
    const read = Object.fromEntries(['raw', 'clean_duck', 'rolling'].map((n) => [n, path.join(h.config.warehouse, n)]));
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
        JSON.stringify({ read, write: dir }),
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, PYSPARK_PYTHON: settings.python },
        maxBuffer: 64 << 20,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('ORACLE '))!;
    const oracle = JSON.parse(line.slice(7)) as { read: Record<string, string[]> };
    // Spark's rows, as sorted JSON, against Freshet's read of the same snapshot
    for (const name of Object.keys(read)) {
      const ours = (await tableRows(name)).map((r) =>
        JSON.stringify(
          Object.keys(r)
            .sort()
            .map((k) => [k, String(r[k])]),
        ),
      );
      const theirs = oracle.read[name].map((j) => {
        const r = JSON.parse(j) as Record<string, unknown>;
        return JSON.stringify(
          Object.keys(r)
            .sort()
            .map((k) => [k, String(r[k])]),
        );
      });
      expect({ name, rows: theirs.sort() }).toEqual({ name, rows: ours.sort() });
    }

    const plain = openStore(path.join(dir, 'plain'));
    const rows = await readRows(plain, (await loadSnapshot(plain))!);
    expect(rows.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 8, 100, 101, 102]);
    await expect(loadSnapshot(openStore(path.join(dir, 'dv')))).rejects.toThrow(/deletionVectors/);
    await expect(loadSnapshot(openStore(path.join(dir, 'cm')))).rejects.toThrow(/columnMapping/);
  });
});
