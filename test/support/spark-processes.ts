// The processes of a Spark application this checkout's worker submitted, and only them (other
// checkouts' Spark applications may run on the machine): each process group whose launcher JVM
// runs this checkout's driver.py for the asset (the worker starts spark-submit in its own group).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { until } from './until.ts';

const DRIVER = path.resolve(import.meta.dirname, '..', '..', 'engine', 'spark', 'driver.py');

export interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  args: string;
}

function processes(): Proc[] {
  const out = execFileSync('ps', ['-ww', '-eo', 'pid=,ppid=,pgid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), args: m[4] }));
}

/** Every member of the process groups running the application of `asset` (spark-submit --name freshet:<asset>). */
export function sparkApplication(asset: string): Proc[] {
  const all = processes();
  const groups = new Set(
    all.filter((p) => p.args.includes(DRIVER) && p.args.includes(`freshet:${asset}`) && p.pid === p.pgid).map((p) => p.pgid),
  );
  return all.filter((p) => groups.has(p.pgid));
}

/** Waits until the application's Python driver runs: the launcher JVM is up and the application starting. */
export function untilPythonDriver(asset: string): Promise<Proc[]> {
  return until(
    `the Python driver of the Spark application of '${asset}'`,
    () => Promise.resolve(sparkApplication(asset)),
    (ps) => ps.some((p) => /python\S* \S*driver\.py/.test(p.args)),
    300_000,
    200,
  );
}

export const describeProcs = (ps: Proc[]) => ps.map((p) => `${p.pid} (ppid ${p.ppid}): ${p.args.slice(0, 160)}`);

/** Waits until no process of the application of `asset` is left. */
export function untilSparkGone(asset: string, timeoutMs: number): Promise<string[]> {
  return until(
    `the Spark application of '${asset}' to stop`,
    () => Promise.resolve(describeProcs(sparkApplication(asset))),
    (ps) => ps.length === 0,
    timeoutMs,
    100,
  );
}
