// Materialization through a real Temporal dev server, checked against independent DuckDB queries.
import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import project from '../assets/index.ts';
import { assetTable, materializations } from '../engine/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { openStore } from '../storage/index.ts';
import { materializeWorkflowId } from '../contract/ids.ts';
import type { MaterializeResult } from '../engine/index.ts';
import { startMaterialize } from '../control/materialize.ts';
import { materializeEach, startHarness, testConfig, type Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness(project, testConfig('materialize'));
});
afterAll(async () => h?.stop());

async function run(asset: string, partition?: string): Promise<MaterializeResult> {
  return (await startMaterialize(h.client, h.config.taskQueue, project.get(asset), partition)).result();
}

describe('materializing the example project through Temporal', () => {
  it('user_purchases_30d equals an independent DuckDB query over the raw transactions, row for row', async () => {
    const days: string[] = [];
    for (let d = 1; d <= 31; d++) days.push(`2026-01-${String(d).padStart(2, '0')}`);
    days.push('2026-02-01');
    const tx = await materializeEach(h, project.get('transactions'), days);
    expect(tx).toHaveLength(32);
    await run('user_profiles');

    const targets = ['2026-01-30', '2026-01-31', '2026-02-01'];
    for (const day of targets) {
      const r = await run('user_purchases_30d', day);
      expect(r.rows).toBeGreaterThan(0);
      expect(r.inputVersions.transactions).toBeGreaterThanOrEqual(31);
    }

    // Independent query: the raw Parquet files by glob, not Freshet's snapshot or views.
    const wh = h.config.warehouse;
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const expected = (
      await db.runAndReadAll(`
      WITH tx AS (SELECT * FROM read_parquet('${wh}/transactions/day=*/*.parquet', hive_partitioning = true)),
           days AS (SELECT unnest([DATE '2026-01-30', DATE '2026-01-31', DATE '2026-02-01']) AS d)
      SELECT days.d AS day, tx.user_id, count(*) AS purchases_30d, sum(tx.amount) AS spend_30d,
             max(tx.event_time) AS last_purchase_at, p.country, p.segment
      FROM days JOIN tx ON tx.day BETWEEN days.d - 29 AND days.d
      LEFT JOIN read_parquet('${wh}/user_profiles/part-*.parquet') p USING (user_id)
      GROUP BY days.d, tx.user_id, p.country, p.segment
      ORDER BY day, user_id`)
    ).getRowObjectsJS();

    const snapshot = await loadSnapshot(assetTable(openStore(wh), 'user_purchases_30d'));
    const files = snapshot!.files.map((f) => `'${path.join(wh, 'user_purchases_30d', decodeURIComponent(f.path))}'`);
    const actual = (
      await db.runAndReadAll(`
      SELECT day, user_id, purchases_30d, spend_30d, last_purchase_at, country, segment
      FROM read_parquet([${files.join(', ')}], hive_partitioning = true)
      ORDER BY day, user_id`)
    ).getRowObjectsJS();
    expect(actual.length).toBeGreaterThan(1000);
    expect(actual).toEqual(expected);
  });

  it('a second materialization of a partition replaces it with exactly one commit', async () => {
    const table = assetTable(openStore(h.config.warehouse), 'user_purchases_30d');
    const before = await loadSnapshot(table);
    const r = await run('user_purchases_30d', '2026-01-31');
    const after = await loadSnapshot(table);
    expect(r.version).toBe(before!.version + 1);
    expect(after!.files.length).toBe(before!.files.length);
    const list = await materializations(table);
    expect(list.filter((m) => m.partition === '2026-01-31')).toHaveLength(2);
  });

  it('a partition whose upstream is missing fails at once, naming what to materialize', async () => {
    await expect(run('user_purchases_30d', '2026-03-15')).rejects.toThrow();
    const handle = h.client.workflow.getHandle(materializeWorkflowId(h.config.taskQueue, 'user_purchases_30d', '2026-03-15'));
    const history = await handle.fetchHistory();
    const failed = history.events!.filter((e) => e.activityTaskFailedEventAttributes);
    expect(failed).toHaveLength(1); // non-retryable: no second attempt
    expect(failed[0].activityTaskFailedEventAttributes!.failure!.message).toMatch(
      /not materialized: 2026-02-14.*freshet materialize transactions --from 2026-02-14/,
    );
  });
});
