// The incremental batch engine through a real Temporal dev server: range-batched (backfill
// activities) vs per-partition (materializePartition workflows) vs raw DuckDB, and a late
// correction to one day of transactions recomputing exactly the 30 days that read it.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import project from '../assets/index.ts';
import { startBackfill, type ControlContext } from '../control/backfills.ts';
import { startMaterialize } from '../control/materialize.ts';
import { definitions, keysBetween, type AssetDef, type AssetContext } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { assetTable, materializations, materializeMany, partitionStates } from '../engine/index.ts';
import { openStore } from '../storage/index.ts';
import type { BackfillProgress } from '../contract/backfill.ts';
import { materializeEach, startHarness, testConfig, type Harness } from './harness.ts';

// The example project, except that `transactions` adds 1 to every amount of the day named in
// FRESHET_TEST_CORRECT_DAY: a late correction the in-process worker picks up when it is set.
const tx = project.get('transactions');
const base = tx.sql as (ctx: AssetContext) => string;
const correctable: AssetDef = {
  ...tx,
  sql: (ctx) =>
    process.env.FRESHET_TEST_CORRECT_DAY === ctx.partition?.key
      ? `SELECT * REPLACE (CAST(amount + 1 AS DECIMAL(10, 2)) AS amount) FROM (${base(ctx)})`
      : base(ctx),
};
const graph = definitions({ assets: [correctable, project.get('user_profiles'), project.get('user_purchases_30d')] });
const days = (a: string, b: string) => keysBetween(tx.partitions!, a, b);
const targets = days('2026-02-01', '2026-03-15');

let h: Harness;
let db: DuckDBConnection;
const warehouse = () => openStore(h.config.warehouse);

beforeAll(async () => {
  h = await startHarness(graph, testConfig('incremental'));
  db = await (await DuckDBInstance.create(':memory:')).connect();
  // Inputs straight through the engine: what is under test is user_purchases_30d.
  await materializeMany({ graph, warehouse: warehouse(), asset: 'transactions', partitions: days('2026-01-03', '2026-03-15') });
  await materializeMany({ graph, warehouse: warehouse(), asset: 'user_profiles', partitions: [''] });
});
afterAll(async () => {
  db?.closeSync();
  await h?.stop();
});

async function rows(keys: string[]): Promise<Record<string, unknown>[]> {
  const wh = h.config.warehouse;
  const snapshot = await loadSnapshot(assetTable(warehouse(), 'user_purchases_30d'));
  const files = snapshot!.files
    .filter((f) => keys.includes(f.partitionValues.day!))
    .map((f) => `'${path.join(wh, 'user_purchases_30d', decodeURIComponent(f.path))}'`);
  return (
    await db.runAndReadAll(`
    SELECT CAST(day AS VARCHAR) AS day, user_id, purchases_30d, CAST(spend_30d AS VARCHAR) AS spend, last_purchase_at, country, segment
    FROM read_parquet([${files.join(', ')}], hive_partitioning = true) ORDER BY day, user_id`)
  ).getRowObjectsJS();
}

/** A full recompute, independently: the live transaction files (by the table's snapshot) and a range join. */
async function rawRows(keys: string[]): Promise<Record<string, unknown>[]> {
  const wh = h.config.warehouse;
  const live = (await loadSnapshot(assetTable(warehouse(), 'transactions')))!.files.map(
    (f) => `'${path.join(wh, 'transactions', decodeURIComponent(f.path))}'`,
  );
  return (
    await db.runAndReadAll(`
    WITH tx AS (SELECT * FROM read_parquet([${live.join(', ')}], hive_partitioning = true)),
         days AS (SELECT unnest(generate_series(DATE '${keys[0]}', DATE '${keys[keys.length - 1]}', INTERVAL 1 DAY))::DATE AS d)
    SELECT CAST(days.d AS VARCHAR) AS day, tx.user_id, count(*) AS purchases_30d, CAST(sum(tx.amount) AS VARCHAR) AS spend,
           max(tx.event_time) AS last_purchase_at, p.country, p.segment
    FROM days JOIN tx ON tx.day BETWEEN days.d - 29 AND days.d
    LEFT JOIN read_parquet('${wh}/user_profiles/part-*.parquet') p USING (user_id)
    GROUP BY ALL ORDER BY day, user_id`)
  ).getRowObjectsJS();
}

describe('incremental batch engine through Temporal', () => {
  it('range-batched (backfill) and per-partition (materializePartition) give identical rows, equal to raw DuckDB', async () => {
    const perPartition = await materializeEach(h, graph.get('user_purchases_30d'), targets, 2);
    expect(perPartition.every((r) => r.mode === 'partition')).toBe(true);
    const a = await rows(targets);

    const ctx: ControlContext = { client: h.client, taskQueue: h.config.taskQueue, graph, warehouse: warehouse() };
    const { id } = await startBackfill(ctx, {
      assets: ['user_purchases_30d'],
      downstream: false,
      from: targets[0],
      to: targets[targets.length - 1],
      force: true,
      concurrency: 2,
    });
    const done: BackfillProgress = await h.client.workflow.getHandle(id).result();
    expect(done.failures).toEqual([]);
    const list = await materializations(assetTable(warehouse(), 'user_purchases_30d'));
    const ranged = list.slice(-targets.length);
    expect(new Set(ranged.map((m) => m.partition))).toEqual(new Set(targets));
    expect(ranged.every((m) => m.mode === 'range' && m.batchSize! > 1)).toBe(true);
    const b = await rows(targets);

    const raw = await rawRows(targets);
    expect(raw.length).toBeGreaterThan(10_000);
    expect(a).toEqual(raw);
    expect(b).toEqual(raw);
  });

  it('a late correction of one transactions day makes exactly the 30 days reading it stale; --stale recomputes those and nothing else', async () => {
    process.env.FRESHET_TEST_CORRECT_DAY = '2026-02-10';
    try {
      await (await startMaterialize(h.client, h.config.taskQueue, tx, '2026-02-10')).result();
    } finally {
      delete process.env.FRESHET_TEST_CORRECT_DAY;
    }
    const expectedStale = days('2026-02-10', '2026-03-11');
    const states = await partitionStates(graph, warehouse(), 'user_purchases_30d', targets);
    expect(targets.filter((k) => states.get(k)!.state !== 'up_to_date')).toEqual(expectedStale);

    const table = assetTable(warehouse(), 'user_purchases_30d');
    const before = (await loadSnapshot(table))!.version;
    const { stdout } = await promisify(execFile)(
      'node',
      ['bin/freshet.mjs', 'materialize', 'user_purchases_30d', '--stale', '--from', targets[0], '--to', targets[targets.length - 1]],
      { env: h.env, timeout: 300_000 },
    );
    expect(stdout).toContain('30 of 43 partitions to compute');
    const recomputed = (await materializations(table))
      .filter((m) => m.version > before)
      .map((m) => m.partition)
      .sort();
    expect(recomputed).toEqual(expectedStale);

    const after = await partitionStates(graph, warehouse(), 'user_purchases_30d', targets);
    expect([...after.values()].every((s) => s.state === 'up_to_date')).toBe(true);
    expect(await rows(targets)).toEqual(await rawRows(targets));

    // a plain range recomputes every partition in it, up to date or not, as one range-batched backfill
    const three = targets.slice(0, 3);
    const last = (await loadSnapshot(table))!.version;
    const forced = await promisify(execFile)(
      'node',
      ['bin/freshet.mjs', 'materialize', 'user_purchases_30d', '--from', three[0], '--to', three[2]],
      { env: h.env, timeout: 300_000 },
    );
    expect(forced.stdout).toContain('user_purchases_30d: 3 materialized, 0 up to date, 0 failed');
    const again = (await materializations(table)).filter((m) => m.version > last);
    expect({ partitions: again.map((m) => m.partition).sort(), modes: [...new Set(again.map((m) => m.mode))] }).toEqual({
      partitions: three,
      modes: ['range'],
    });
  });
});
