// `freshet materialize <asset> --partition K` when its upstream is missing: the exact upstream
// range to run, through several partition mappings, and --upstream that runs it first.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetGraph } from '../core/index.ts';
import { assetTable, materializations } from '../engine/index.ts';
import { openStore } from '../storage/index.ts';
import { materializeEach, startHarness, testConfig, type Harness } from './harness.ts';

const fixture = path.resolve('test/fixtures/upstream-project.ts');
const { default: project } = (await import('./fixtures/upstream-project.ts')) as { default: AssetGraph };

let h: Harness;
beforeAll(async () => {
  h = await startHarness(project, testConfig('materialize-upstream', { project: fixture }));
});
afterAll(async () => h?.stop());

function cli(args: string[]): Promise<{ code: number; out: string }> {
  return promisify(execFile)('node', ['bin/freshet.mjs', ...args], { env: h.env, timeout: 120_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

const partitionsOf = async (asset: string) =>
  (await materializations(assetTable(openStore(h.config.warehouse), asset))).map((m) => m.partition).sort();

describe('materialize with a missing upstream', () => {
  it('names the exact upstream range for daily→daily, a 30-day window and hourly→daily, never `<key>`', async () => {
    const cases: Array<[string, string, string]> = [
      ['same_day', '2026-02-10', 'freshet materialize events --from 2026-02-10 --to 2026-02-10'],
      ['last_30', '2026-02-10', 'freshet materialize events --from 2026-01-12 --to 2026-02-10'],
      ['ticks_daily', '2026-01-05', 'freshet materialize ticks --from 2026-01-05-00 --to 2026-01-05-23'],
    ];
    for (const [asset, key, command] of cases) {
      const r = await cli(['materialize', asset, '--partition', key]);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain(`never been materialized. Materialize it first: ${command}.`);
      expect(r.out).toContain('--upstream');
      expect(r.out).not.toContain('<key>');
    }
  });

  it('names only what is missing when part of the window is there: one range, or --outdated over several gaps', async () => {
    await materializeEach(h, project.get('events'), ['2026-01-12', '2026-01-13', '2026-01-14']);
    let r = await cli(['materialize', 'last_30', '--partition', '2026-02-10']);
    expect(r.out).toContain('Materialize it first: freshet materialize events --from 2026-01-15 --to 2026-02-10.');
    await materializeEach(h, project.get('events'), ['2026-01-20']);
    r = await cli(['materialize', 'last_30', '--partition', '2026-02-10']);
    expect(r.out).toContain('Materialize it first: freshet materialize events --outdated --from 2026-01-15 --to 2026-02-10.');
  });

  it('--upstream materializes the missing upstream partitions, then the asset', async () => {
    const r = await cli(['materialize', 'last_30', '--partition', '2026-03-20', '--upstream']);
    expect(r.code, r.out).toBe(0);
    const events = await partitionsOf('events');
    // 2026-02-19 .. 2026-03-20: the 30 days last_30 reads, all there now
    for (let d = 19; d <= 28; d++) expect(events).toContain(`2026-02-${d}`);
    for (let d = 1; d <= 20; d++) expect(events).toContain(`2026-03-${String(d).padStart(2, '0')}`);
    expect(events).not.toContain('2026-03-21');
    expect(await partitionsOf('last_30')).toEqual(['2026-03-20']);
  });
});
