// Dependency-aware backfills through a real Temporal dev server.
import { DuckDBInstance } from '@duckdb/node-api';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill, type ControlContext } from '../control/backfills.ts';
import { startWorkflow } from '../control/start-workflow.ts';
import { keysBetween, lookback, upstreamKeys } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { assetTable, materializations, type Materialization } from '../engine/index.ts';
import { openStore } from '../storage/index.ts';
import type { BackfillProgress } from '../contract/backfill.ts';
import project from './fixtures/chain-project.ts';
import { startHarness, testConfig, type Harness } from './harness.ts';

let h: Harness;
let ctx: ControlContext;
beforeAll(async () => {
  h = await startHarness(project, testConfig('backfill', { project: path.resolve('test/fixtures/chain-project.ts') }));
  ctx = { client: h.client, taskQueue: h.config.taskQueue, graph: project, warehouse: openStore(h.config.warehouse) };
});
afterAll(async () => h?.stop());

async function finish(id: string): Promise<BackfillProgress> {
  return h.client.workflow.getHandle(id).result();
}

const byPartition = (list: Materialization[]) => new Map(list.map((m) => [m.partition!, m]));

describe('backfill', () => {
  it('materializes 60 days × 3 assets once each, never a downstream before its upstreams, equal to a full recompute', async () => {
    const { id } = await startBackfill(ctx, { assets: ['raw'], downstream: true, from: '2026-01-01', to: '2026-03-01', concurrency: 4 });
    const done = await finish(id);
    expect(done.status).toBe('succeeded');
    expect(done.assets.map((a) => [a.asset, a.counts.materialized])).toEqual([
      ['raw', 60],
      ['clean', 60],
      ['rolling', 60],
    ]);

    const m = Object.fromEntries(
      await Promise.all(['raw', 'clean', 'rolling'].map(async (a) => [a, await materializations(assetTable(ctx.warehouse, a))] as const)),
    );
    for (const a of ['raw', 'clean', 'rolling']) {
      expect(m[a]).toHaveLength(60);
      expect(new Set(m[a].map((x) => x.partition)).size).toBe(60);
    }
    // Each downstream commit read an upstream version at or after every partition it maps to.
    const raw = byPartition(m.raw);
    const clean = byPartition(m.clean);
    const days = keysBetween(project.get('raw').partitions!, '2026-01-01', '2026-03-01');
    for (const d of days) {
      expect(clean.get(d)!.inputVersions.raw).toBeGreaterThanOrEqual(raw.get(d)!.version);
      const reads = upstreamKeys(project.get('rolling').partitions, project.get('clean').partitions, lookback(7), d) as string[];
      for (const u of reads) expect(byPartition(m.rolling).get(d)!.inputVersions.clean).toBeGreaterThanOrEqual(clean.get(u)!.version);
    }

    // Full recompute, independently, from the raw files.
    const wh = h.config.warehouse;
    const files = (await loadSnapshot(assetTable(ctx.warehouse, 'rolling')))!.files.map(
      (f) => `'${path.join(wh, 'rolling', decodeURIComponent(f.path))}'`,
    );
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const expected = (
      await db.runAndReadAll(`
      WITH clean AS (SELECT day, id, value * 2 AS value2 FROM read_parquet('${wh}/raw/day=*/*.parquet', hive_partitioning = true) WHERE value % 7 <> 0),
           days AS (SELECT DISTINCT day AS d FROM clean)
      SELECT d AS day, id % 5 AS bucket, count(*) AS n, sum(value2) AS total
      FROM days JOIN clean ON clean.day BETWEEN days.d - 6 AND days.d GROUP BY ALL ORDER BY ALL`)
    ).getRowObjectsJS();
    const actual = (
      await db.runAndReadAll(`SELECT day, bucket, n, total FROM read_parquet([${files.join(',')}], hive_partitioning = true) ORDER BY ALL`)
    ).getRowObjectsJS();
    expect(actual).toEqual(expected);

    // Re-running the finished backfill does no work: every partition is up to date. startBackfill
    // refuses to start it, saying so; the workflow, started anyway, skips every partition.
    const request = { assets: ['raw'], downstream: true, from: '2026-01-01', to: '2026-03-01' };
    await expect(startBackfill(ctx, request)).rejects.toMatchObject({
      field: 'force',
      message: expect.stringMatching(/^Nothing to run: all 180 selected partitions are up to date\. Recompute them anyway with force/),
    });
    const again = await (
      await startWorkflow(h.client, 'backfill', {
        taskQueue: h.config.taskQueue,
        workflowId: `${h.config.taskQueue}/backfill/up-to-date-test`,
        args: [{ request }],
      })
    ).result();
    expect(again.assets.map((a) => [a.asset, a.counts.skipped, a.counts.materialized])).toEqual([
      ['raw', 60, 0],
      ['clean', 60, 0],
      ['rolling', 60, 0],
    ]);
  });

  it('refuses bad requests naming the field', async () => {
    await expect(
      startBackfill(ctx, { assets: ['rolling'], downstream: false, from: '2026-02-01', to: '2026-01-01' }),
    ).rejects.toMatchObject({ field: 'to' });
    await expect(startBackfill(ctx, { assets: ['rolin'], downstream: false })).rejects.toThrow(
      /Unknown asset 'rolin'. Did you mean 'rolling'/,
    );
    await expect(
      startBackfill(ctx, { assets: ['raw'], downstream: false, from: '2026-01-01', to: '2026-01-02', concurrency: 0 }),
    ).rejects.toMatchObject({ field: 'concurrency' });
  });

  it('`freshet backfill` follows progress to the end and lists failures with the command to re-run them', async () => {
    const cli = (args: string[]) =>
      promisify(execFile)('node', ['bin/freshet.mjs', ...args], { env: h.env, timeout: 90_000 }).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
    const ok = await cli(['backfill', 'raw', '--from', '2026-03-02', '--to', '2026-03-06', '--downstream']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/raw\s+5\s+5\s+0/); // the preview: partitions, to run, up to date
    expect(ok.out).toMatch(/raw: 5 materialized, 0 up to date, 0 failed/);
    expect(ok.out).toMatch(/backfill .*\/backfill\/.*: succeeded/);
    // the same again has nothing to run: said, and no backfill started
    const none = await cli(['backfill', 'raw', '--from', '2026-03-02', '--to', '2026-03-06', '--downstream']);
    expect(none.code, none.out).toBe(0);
    expect(none.out).toMatch(/Nothing to run: all 15 selected partitions are up to date\. Recompute them anyway with force/);
    expect(none.out).not.toMatch(/started/);

    // rolling reads 7 days of clean; 2026-05-03 needs April's last days, never materialized.
    const bad = await cli(['backfill', 'rolling', '--from', '2026-05-03', '--to', '2026-05-04']);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/failures:[\s\S]*rolling 2026-05-03: .*needs partitions of 'clean' that are not materialized/);
    expect(bad.out).toMatch(/re-run them with: npx freshet backfill --retry-failed /);

    const list = await cli(['backfill', '--list']);
    expect(list.code, list.out).toBe(0);
    expect(list.out.match(/\/backfill\//g)?.length, list.out).toBeGreaterThanOrEqual(4);
  });

  it('continues as new when its history grows, carrying every task state across runs', async () => {
    const workflowId = `${h.config.taskQueue}/backfill/continue-as-new-test`;
    const handle = await startWorkflow(h.client, 'backfill', {
      taskQueue: h.config.taskQueue,
      workflowId,
      args: [
        {
          request: { assets: ['raw', 'clean'], downstream: false, from: '2026-08-01', to: '2026-08-20', concurrency: 2, force: true },
          maxHistoryEvents: 12,
        },
      ],
    });
    const done = await handle.result();
    expect(done.status).toBe('succeeded');
    expect(done.assets.map((a) => [a.asset, a.counts.materialized, a.counts.failed])).toEqual([
      ['raw', 20, 0],
      ['clean', 20, 0],
    ]);
    const first = await h.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    const clean = (await materializations(assetTable(ctx.warehouse, 'clean'))).filter((m) => m.partition! >= '2026-08-01');
    expect(clean).toHaveLength(20);
  });
});
