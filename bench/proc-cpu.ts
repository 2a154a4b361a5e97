// CPU time of a process tree and of the whole machine, from /proc (Linux), for benchmarks that
// need to say which process is the bottleneck. A tree counts the root, its live descendants and
// what those reaped (cutime+cstime), so PostgreSQL's short-lived backends are counted too.
import { readdirSync, readFileSync } from 'node:fs';

// USER_HZ: 100 on every Linux architecture Node runs on (sysconf(_SC_CLK_TCK) is not exposed).
const TICKS_PER_S = 100;

interface Stat {
  ppid: number;
  /** utime + stime */
  own: number;
  /** cutime + cstime: what its exited, waited-for children used */
  reaped: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may hold spaces): state is field 3 overall.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined; // gone between listing and reading
  }
}

function allStats(): Map<number, Stat> {
  const out = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.set(Number(name), s);
  }
  return out;
}

export interface TreeSample {
  /** each member's own ticks */
  own: Map<number, number>;
  /** sum of the members' reaped ticks */
  reaped: number;
}

/** One sample of each tree (by root PID), from one scan of /proc. */
export function sampleTrees(roots: number[]): TreeSample[] {
  const stats = allStats();
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  return roots.map((root) => {
    const own = new Map<number, number>();
    let reaped = 0;
    const todo = stats.has(root) ? [root] : [];
    while (todo.length) {
      const pid = todo.pop()!;
      const s = stats.get(pid)!;
      own.set(pid, s.own);
      reaped += s.reaped;
      todo.push(...(children.get(pid) ?? []));
    }
    return { own, reaped };
  });
}

/**
 * CPU seconds the tree used between two samples. A member that exited in between was reaped by
 * another member (its whole time moved into `reaped`), so its ticks from before `a` come off.
 */
export function cpuSecondsBetween(a: TreeSample, b: TreeSample): number {
  let ticks = b.reaped - a.reaped;
  for (const [pid, t] of b.own) ticks += t - (a.own.get(pid) ?? 0);
  for (const [pid, t] of a.own) if (!b.own.has(pid)) ticks -= t;
  return ticks / TICKS_PER_S;
}

/** Busy and total CPU ticks of the whole machine (all cores) from /proc/stat. */
export function sampleMachine(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((s, x) => s + x, 0);
  // idle and iowait are the two not-busy states
  return { busy: total - f[3] - (f[4] ?? 0), total };
}

/** CPU seconds all processes on the machine used between two machine samples. */
export function machineCpuSeconds(a: { busy: number }, b: { busy: number }): number {
  return (b.busy - a.busy) / TICKS_PER_S;
}

/** PIDs of the direct children of `parent` whose command name is `comm`. */
export function childrenNamed(parent: number, comm: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const c = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      if (c === comm && readStat(Number(name))?.ppid === parent) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}
