// `freshet status | head -1` and `freshet backfill --list | head -1`: a reader that closes the
// pipe ends the command quietly (exit 0, nothing about EPIPE), through the real command.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../control/backfills.ts';
import { openStore } from '../../storage/index.ts';
import { startHarness, testConfig, type Harness } from '../../test/harness.ts';

const fixture = path.resolve('test/fixtures/upstream-project.ts');
const { default: project } = await import('../../test/fixtures/upstream-project.ts');
const bin = path.resolve('bin/freshet.mjs');

let h: Harness;
beforeAll(async () => {
  // no worker: the backfills listed stay queued, which is all --list needs
  h = await startHarness(project, testConfig('closed-pipe', { project: fixture }), { worker: false });
  const ctx = { client: h.client, taskQueue: h.config.taskQueue, graph: project, warehouse: openStore(h.config.warehouse) };
  for (const [from, to] of [
    ['2026-01-01', '2026-01-03'],
    ['2026-01-05', '2026-01-07'],
  ])
    await startBackfill(ctx, { assets: ['events'], downstream: false, from, to });
});
afterAll(async () => h?.stop());

/** Runs `freshet args`; the reader closes after the first line, or (`before`) before the command writes anything. */
function piped(args: string[], when: 'first-line' | 'before'): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: h.env });
    let [out, err] = ['', ''];
    if (when === 'before') child.stdout.destroy();
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('a closed pipe ends a command quietly', () => {
  for (const args of [['status'], ['status', 'events', '--all'], ['backfill', '--list']]) {
    for (const when of ['first-line', 'before'] as const) {
      it(`freshet ${args.join(' ')} (reader closes ${when === 'before' ? 'before any output' : 'after one line'})`, async () => {
        const r = await piped(args, when);
        expect(r.err).not.toMatch(/EPIPE|Unhandled|Error/);
        expect(r.code, r.err).toBe(0);
        if (when === 'first-line') expect(r.out.split('\n')[0]).toMatch(/\S/);
      });
    }
  }
});
