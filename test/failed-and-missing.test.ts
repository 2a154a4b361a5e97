// "Only failed and missing" through the real stack: a Temporal dev server, a worker, the CLI.
// Partitions whose last run failed (in a backfill, or alone) are re-run even though they hold
// older data; missing ones are computed; outdated and up-to-date ones are left alone.
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewBackfill, startBackfill, type ControlContext } from '../control/backfills.ts';
import { startMaterialize } from '../control/materialize.ts';
import type { AssetGraph } from '../core/index.ts';
import { assetTable, materializations, partitionStates } from '../engine/index.ts';
import { openStore } from '../storage/index.ts';
import type { BackfillProgress, BackfillRequest } from '../contract/backfill.ts';
import { startHarness, tempDir, testConfig, type Harness } from './harness.ts';

const control = tempDir('control');
process.env.FRESHET_TEST_CONTROL = control;
const fixture = path.resolve('test/fixtures/flaky-project.ts');
const { default: project } = (await import('./fixtures/flaky-project.ts')) as { default: AssetGraph };

let h: Harness;
let ctx: ControlContext;
beforeAll(async () => {
  h = await startHarness(project, testConfig('failed-missing', { project: fixture }));
  ctx = { client: h.client, taskQueue: h.config.taskQueue, graph: project, warehouse: openStore(h.config.warehouse) };
});
afterAll(async () => h?.stop());

async function backfill(request: BackfillRequest): Promise<BackfillProgress> {
  const { id } = await startBackfill(ctx, request);
  return h.client.workflow.getHandle(id).result();
}

function cli(args: string[]) {
  return promisify(execFile)('node', ['bin/freshet.mjs', ...args], {
    env: { ...h.env, FRESHET_TEST_CONTROL: control },
    timeout: 90_000,
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

const breakPartition = (key: string) => {
  mkdirSync(control, { recursive: true });
  writeFileSync(path.join(control, `fail-${key}`), '');
};
const committed = async () => (await materializations(assetTable(ctx.warehouse, 'picky'))).map((m) => m.partition);

describe('only failed and missing', () => {
  it('after runs that failed, re-runs exactly the failed and missing partitions and skips outdated and up-to-date ones', async () => {
    expect((await backfill({ assets: ['numbers'], downstream: false, from: '2026-02-01', to: '2026-02-08' })).status).toBe('succeeded');
    expect((await backfill({ assets: ['picky'], downstream: false, from: '2026-02-01', to: '2026-02-06' })).status).toBe('succeeded');

    // A forced re-run in which two partitions fail: they keep the data of the first run.
    breakPartition('2026-02-02');
    breakPartition('2026-02-03');
    const failed = await backfill({ assets: ['picky'], downstream: false, from: '2026-02-02', to: '2026-02-03', force: true });
    expect(failed.status).toBe('failed');
    expect(failed.failures.map((f) => f.partition).sort()).toEqual(['2026-02-02', '2026-02-03']);
    // A single partition run outside any backfill that fails.
    breakPartition('2026-02-04');
    await expect((await startMaterialize(h.client, h.config.taskQueue, project.get('picky'), '2026-02-04')).result()).rejects.toThrow();
    // 2026-02-05 goes outdated: the numbers it read are recomputed.
    expect((await backfill({ assets: ['numbers'], downstream: false, from: '2026-02-05', to: '2026-02-05', force: true })).status).toBe(
      'succeeded',
    );
    rmSync(control, { recursive: true, force: true });

    const states = await partitionStates(project, ctx.warehouse, 'picky', undefined);
    expect(Object.fromEntries([...states].filter(([k]) => k >= '2026-02-01' && k <= '2026-02-08').map(([k, s]) => [k, s.state]))).toEqual({
      '2026-02-01': 'up_to_date',
      '2026-02-02': 'failed',
      '2026-02-03': 'failed',
      '2026-02-04': 'failed',
      '2026-02-05': 'outdated',
      '2026-02-06': 'up_to_date',
      '2026-02-07': 'missing',
      '2026-02-08': 'missing',
    });

    const before = (await committed()).length;
    const run = await cli(['backfill', 'picky', '--from', '2026-02-01', '--to', '2026-02-08', '--only-failed-and-missing']);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/picky\s+8\s+5\s+3/); // the preview: partitions, to run, up to date
    expect(run.out).toMatch(/picky: 5 materialized, 3 up to date, 0 failed/);
    expect((await committed()).slice(before).sort()).toEqual(['2026-02-02', '2026-02-03', '2026-02-04', '2026-02-07', '2026-02-08']);

    // The successes cleared the failures: the same request has nothing left to run, and 2026-02-05 is still only outdated.
    const again = await previewBackfill(ctx, {
      assets: ['picky'],
      downstream: false,
      from: '2026-02-01',
      to: '2026-02-08',
      onlyFailedAndMissing: true,
    });
    expect(again.tasks).toBe(0);
    expect((await partitionStates(project, ctx.warehouse, 'picky', ['2026-02-04', '2026-02-05'])).get('2026-02-05')!.state).toBe(
      'outdated',
    );

    const list = await cli(['backfill', '--list']);
    expect(list.out).toMatch(/2026-02-01\.\.2026-02-08 \(only failed and missing\)/);
  });

  it('answers the old flag with the new name', async () => {
    const old = await cli(['backfill', 'picky', '--only-missing']);
    expect(old.code).toBe(1);
    expect(old.out).toMatch(/--only-missing is now --only-failed-and-missing/);
  });
});
