// What the orchestration benchmarks share: a `freshet worker` process started and awaited until it
// polls, and the percentile both report.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { tailLog } from '../services/detached.ts';

/** the p-th percentile of xs (sorted here, so callers need not) */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : 0;
}

/** A worker process with its output in logFile; resolves once it polls, rejects if it exits first. */
export function startWorker(env: NodeJS.ProcessEnv, logFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/freshet.mjs', 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stderr!.pipe(log);
  return new Promise<ChildProcess>((resolve, reject) => {
    // Read stdout to its end, or a chatty worker would block on a full pipe.
    child.stdout!.on('data', (d: Buffer) => {
      log.write(d);
      if (d.toString().includes('worker polling')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`a worker exited with ${code} while starting. End of ${logFile}:\n${tailLog(logFile)}`)));
  });
}
