// `freshet stack up|down|status` (`npm run stack`): the production topology on this machine.
import type { Command } from 'commander';
import path from 'node:path';
import { defaultStackDir, stackDown, stackEnv, stackStatus, stackUp } from '../../services/stack.ts';
import { loadConfig, SECRET_VARIABLES, type ConfigVariable } from '../../runtime/index.ts';

interface DirOption {
  dir?: string;
}

export function stackCommand(program: Command): void {
  const stack = program
    .command('stack')
    .description('PostgreSQL, a Temporal server on it, MinIO, two workers and the web page on loopback, without Docker');

  stack
    .command('up', { isDefault: true })
    .description('start what is not running (the first run builds the Temporal server: minutes)')
    .option(
      '--dir <folder>',
      `stack folder: data, logs, state.json (default ${path.relative(process.cwd(), defaultStackDir) || defaultStackDir})`,
    )
    .option('--project <module>', 'project the workers and page load (default FRESHET_PROJECT or assets/index.ts)')
    .action(async (opts: DirOption & { project?: string }) => {
      const started = Date.now();
      const state = await stackUp({ dir: opts.dir, project: opts.project, configured: loadConfig() });
      console.log(`stack up in ${Math.round((Date.now() - started) / 1000)} s.`);
      await printStatus(opts.dir);
      console.log(`\nweb page: http://127.0.0.1:${state.ports.web}`);
      console.log('to use it from this shell:');
      for (const [k, v] of Object.entries(stackEnv(state))) {
        if (SECRET_VARIABLES.includes(k as ConfigVariable))
          console.log(`  export ${k}=<minio.secretAccessKey in ${path.join(path.resolve(opts.dir ?? defaultStackDir), 'state.json')}>`);
        else console.log(`  export ${k}=${v}`);
      }
    });

  stack
    .command('down')
    .description('stop everything, in reverse order; data is kept for the next `up` unless --purge')
    .option('--dir <folder>', 'stack folder (default .freshet/stack)')
    .option('--purge', 'also delete the databases, the warehouse and the logs')
    .action(async (opts: DirOption & { purge?: boolean }) => {
      const stopped = await stackDown({ dir: opts.dir, purge: opts.purge });
      console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
      if (opts.purge) console.log(`removed ${path.resolve(opts.dir ?? defaultStackDir)}`);
    });

  stack
    .command('status')
    .description('which processes of the stack are up (mute: running, its port does not answer); exit code 1 unless all are up')
    .option('--dir <folder>', 'stack folder (default .freshet/stack)')
    .action(async (opts: DirOption) => {
      const allUp = await printStatus(opts.dir);
      if (!allUp) process.exitCode = 1;
    });
}

async function printStatus(dir: string | undefined): Promise<boolean> {
  const { state, entries } = await stackStatus(dir);
  if (!state) {
    console.log(`no stack in ${path.resolve(dir ?? defaultStackDir)}: start one with \`freshet stack up\``);
    return false;
  }
  let allUp = true;
  for (const e of entries) {
    const up = e.alive && e.answers !== false;
    allUp &&= up;
    const word = up ? 'up' : e.alive ? 'mute' : 'down';
    const where = e.port === undefined ? '' : `127.0.0.1:${e.port}`;
    console.log(`${e.name.padEnd(9)} ${word.padEnd(5)} pid ${String(e.pid ?? '-').padEnd(8)} ${where.padEnd(16)} ${e.log}`);
  }
  return allUp;
}
