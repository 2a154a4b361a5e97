// Processes that outlive the command that starts them (`freshet stack up` returns while they
// run): each in its own process group with its output in a log file, found again by PID.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface DetachedOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** file that receives stdout and stderr (appended) */
  log: string;
}

/** Starts `cmd` detached, its own process-group leader; returns its PID. */
export function spawnDetached(cmd: string, args: string[], opts: DetachedOptions): number {
  mkdirSync(path.dirname(opts.log), { recursive: true });
  const fd = openSync(opts.log, 'a');
  try {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`${cmd} could not be started (is it installed?)`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Whether a process with this PID exists (and is not a zombie we could reap). */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A dead child of this very process stays a zombie until reaped: not alive for us.
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * When the process started (clock ticks since boot, from /proc), to tell a PID we started from
 * a later process that reused it; undefined where /proc is missing or the process is gone.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; starttime is field 22 overall.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** SIGTERM to the process group of `pid` (its children too), SIGKILL after `graceMs`. */
export async function stopGroup(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  if (!isAlive(pid)) return;
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    signal('SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
}

/** The last `lines` lines of a log file, each cut to 400 characters (stack traces), for error messages. */
export function tailLog(file: string, lines = 15): string {
  if (!existsSync(file)) return `(no log at ${file})`;
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l))
    .join('\n');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
