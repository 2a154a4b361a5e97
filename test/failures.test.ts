// Retries, failures and duplicate requests, through a real Temporal dev server and the real CLI.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetGraph } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { assetTable, materializations } from '../engine/index.ts';
import { openStore } from '../storage/index.ts';
import { startMaterialize } from '../control/materialize.ts';
import { startHarness, tempDir, testConfig, type Harness } from './harness.ts';

const exec = promisify(execFile);
const control = tempDir('control');
process.env.FRESHET_TEST_CONTROL = control;
const fixture = path.resolve('test/fixtures/flaky-project.ts');
const { default: project, attemptsSeen } = (await import('./fixtures/flaky-project.ts')) as {
  default: AssetGraph;
  attemptsSeen: Array<{ asset: string; partition?: string; attempt: number }>;
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness(project, testConfig('failures', { project: fixture }));
});
afterAll(async () => h?.stop());

function cli(args: string[], env = h.env) {
  return exec('node', ['bin/freshet.mjs', ...args], { env: { ...env, FRESHET_TEST_CONTROL: control }, timeout: 90_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

function start(asset: string, partition: string) {
  return startMaterialize(h.client, h.config.taskQueue, project.get(asset), partition);
}

describe('failures and retries', () => {
  it('two concurrent requests for one partition make one computation and one commit', async () => {
    const [a, b] = await Promise.all([start('numbers', '2026-01-02'), start('numbers', '2026-01-02')]);
    expect(a.firstExecutionRunId).toBe(b.firstExecutionRunId);
    const [ra, rb] = await Promise.all([a.result(), b.result()]);
    expect(ra).toEqual(rb);
    expect(attemptsSeen.filter((s) => s.asset === 'numbers' && s.partition === '2026-01-02')).toHaveLength(1);
    const list = await materializations(assetTable(openStore(h.config.warehouse), 'numbers'));
    expect(list.filter((m) => m.partition === '2026-01-02')).toHaveLength(1);
  });

  it('Temporal retries a compute that fails twice, and the partition is materialized once', async () => {
    const r = await (await start('flaky', '2026-01-02')).result();
    expect(attemptsSeen.filter((s) => s.asset === 'flaky').map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(r.rows).toBe(10);
    const list = await materializations(assetTable(openStore(h.config.warehouse), 'flaky'));
    expect(list).toHaveLength(1);
    expect(list[0].version).toBe(r.version);
  });

  it('an asset that always fails ends failed, the CLI shows the error, and the partition keeps its data', async () => {
    const ok = await cli(['materialize', 'breakable', '--partition', '2026-01-02']);
    expect(ok.out).toMatch(/materialized breakable 2026-01-02: 10 rows/);
    expect(ok.code).toBe(0);
    const table = assetTable(openStore(h.config.warehouse), 'breakable');
    const before = await loadSnapshot(table);

    mkdirSync(control, { recursive: true });
    writeFileSync(path.join(control, 'break'), '');
    const failed = await cli(['materialize', 'breakable', '--partition', '2026-01-02']);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/materialize breakable failed: breakable is broken: upstream contract violated/);
    const after = await loadSnapshot(table);
    expect(after!.version).toBe(before!.version);
    expect(after!.files).toEqual(before!.files);
  });

  it('the CLI explains how to get a server when none answers', async () => {
    const res = await cli(['materialize', 'numbers', '--partition', '2026-01-02'], { ...h.env, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/Cannot reach Temporal at 127\.0\.0\.1:1[\s\S]*npm start/);
  });

  it('the CLI refuses bad input before starting anything', async () => {
    expect((await cli(['materialize', 'numbrs', '--partition', '2026-01-02'])).out).toMatch(
      /Unknown asset 'numbrs'. Did you mean 'numbers'\?/,
    );
    expect((await cli(['materialize', 'numbers', '--partition', '2026-1-2'])).out).toMatch(/malformed.*YYYY-MM-DD/);
    expect((await cli(['materialize', 'numbers', '--from', '2026-01-05', '--to', '2026-01-01'])).out).toMatch(/reversed/);
  });

  it('`freshet assets` lists the graph with deps and partitions', async () => {
    const res = await cli(['assets']);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/numbers \(source\)\s+-\s+daily from 2026-01-01/);
    expect(res.out).toMatch(/flaky\s+numbers\[identity\]\s+daily from 2026-01-01/);
  });
});
