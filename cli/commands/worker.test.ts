// `freshet worker --queues/--slots`: bad values are refused before anything connects, naming the flag.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/freshet.mjs');
// nothing listens here: a worker that got past the checks would fail to connect instead
const env = { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' };

const worker = (args: string[]) =>
  promisify(execFile)(process.execPath, [bin, 'worker', ...args], { env, timeout: 60_000 }).then(
    (r) => ({ code: 0, err: r.stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, err: e.stderr }),
  );

describe('freshet worker', () => {
  it.each([
    [['--queues', 'scheduled,batch'], /^error: --queues: expected one or more of scheduled, backfill.*got 'scheduled,batch'$/m],
    [['--queues', 'backfill,backfill'], /^error: --queues: .*each once/m],
    [['--queues', ''], /^error: --queues: /m],
    [['--slots', '0'], /^error: --slots: expected a whole number from 1 to 10000, got '0'$/m],
    [['--slots', '2.5'], /^error: --slots: .*got '2.5'$/m],
  ])('refuses %j, naming the flag and what it takes', async (args, expected) => {
    const r = await worker(args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(expected);
    expect(r.err).not.toMatch(/127\.0\.0\.1:1/);
  });
});
