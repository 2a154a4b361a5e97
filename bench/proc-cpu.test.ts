// The orchestration bench's CPU accounting: a tree's CPU includes a child that exited and was
// reaped within the window, and equals what the processes themselves report using.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuSecondsBetween, sampleTrees } from './proc-cpu.ts';

// Burns `ms` of its own CPU (not wall time, so a busy machine changes nothing) and prints its total use.
const burn = (ms: number) =>
  `const until=${ms * 1000};while(process.cpuUsage().user+process.cpuUsage().system<until){}` +
  `const u=process.cpuUsage();process.stdout.write(String(u.user+u.system))`;

describe('process tree CPU from /proc', () => {
  it('counts the root and a child it reaped, equal to their own reports', async () => {
    // The root runs a child that burns and exits, burns itself, reports both, then waits to be sampled.
    const root = spawn(
      process.execPath,
      [
        '-e',
        `const {execFileSync}=require('node:child_process');` +
          `const child=Number(execFileSync(process.execPath,['-e',${JSON.stringify(burn(300))}]));` +
          `${burn(400)};process.stdout.write(' '+child+'\\n');setInterval(()=>{},1000)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [before] = sampleTrees([root.pid!]);
      const line = await new Promise<string>((resolve) => {
        let out = '';
        root.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out);
        });
      });
      const [after] = sampleTrees([root.pid!]);
      const [rootUs, childUs] = line.trim().split(' ').map(Number);
      expect(childUs).toBeGreaterThanOrEqual(300_000);
      const measured = cpuSecondsBetween(before, after);
      // /proc counts in 10 ms ticks; the root had used at most a few before the first sample.
      expect(measured).toBeGreaterThan((rootUs + childUs) / 1e6 - 0.1);
      expect(measured).toBeLessThan((rootUs + childUs) / 1e6 + 0.1);
    } finally {
      root.kill('SIGKILL');
    }
  }, 60_000);

  it('a tree that does not exist uses nothing', () => {
    const [a] = sampleTrees([-1]);
    const [b] = sampleTrees([-1]);
    expect(cpuSecondsBetween(a, b)).toBe(0);
  });
});
