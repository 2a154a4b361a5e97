// Real `freshet worker` processes for crash tests: started, waited for, killed with SIGKILL or
// stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';

export interface WorkerProcess {
  child: ChildProcess;
  /** the worker's process id: what a shard's heartbeat names as its pid */
  pid: number;
  output: () => string;
  kill9: () => Promise<void>;
  stop: () => Promise<void>;
  /** sends SIGTERM; resolves when the process has exited, with its exit code and how long it took */
  term: () => Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

export async function spawnWorker(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const child = spawn('node', ['bin/freshet.mjs', 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 60_000;
  while (!out.includes('worker polling')) {
    if (child.exitCode !== null) throw new Error(`worker exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`worker did not start within 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    pid: child.pid!,
    output: () => out,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    term: async () => {
      const sent = Date.now();
      child.kill('SIGTERM');
      const how = await exited;
      return { ...how, ms: Date.now() - sent };
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
