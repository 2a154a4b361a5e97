// The `freshet` command: one file per subcommand under commands/.
import { Command } from 'commander';
import { assetsCommand } from './commands/assets.ts';
import { backfillCommand } from './commands/backfill.ts';
import { configCommand } from './commands/config.ts';
import { devCommand } from './commands/dev.ts';
import { logsCommand } from './commands/logs.ts';
import { materializeCommand } from './commands/materialize.ts';
import { schedulesCommand } from './commands/schedules.ts';
import { stackCommand } from './commands/stack.ts';
import { statusCommand } from './commands/status.ts';
import { streamCommand } from './commands/stream.ts';
import { tableInfoCommand } from './commands/table-info.ts';
import { webCommand } from './commands/web.ts';
import { workerCommand } from './commands/worker.ts';
import { loadConfigFile, useConfigFile } from '../runtime/index.ts';

// `freshet backfill --list | head` closes the pipe early: end quietly, as other Unix commands do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const program = new Command('freshet')
  .description('Feature assets in TypeScript, run by Temporal, stored as Delta Lake tables.')
  .showHelpAfterError();

for (const register of [
  devCommand,
  workerCommand,
  materializeCommand,
  logsCommand,
  backfillCommand,
  assetsCommand,
  statusCommand,
  schedulesCommand,
  tableInfoCommand,
  webCommand,
  streamCommand,
  configCommand,
  stackCommand,
])
  register(program);

try {
  // freshet.config.ts is read once, here; every loadConfig() after lays the environment over it.
  useConfigFile(await loadConfigFile());
  await program.parseAsync(process.argv);
} catch (err) {
  // Errors that users cause are explained in their message; a stack adds nothing.
  console.error(`error: ${(err as Error).message}`);
  process.exitCode = 1;
}
