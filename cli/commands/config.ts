// `freshet config`: the configuration in effect, where each value came from, secrets masked.
import type { Command } from 'commander';
import { describeConfig } from '../../runtime/index.ts';
import { printTable } from './assets.ts';

export function configCommand(program: Command): void {
  program
    .command('config')
    .description('print the configuration in effect: every variable Freshet reads, its value (secrets masked) and its source')
    .option('--json', 'print one JSON array')
    .action((opts: { json?: boolean }) => {
      const rows = describeConfig();
      if (opts.json) return console.log(JSON.stringify(rows, null, 2));
      printTable(
        ['variable', 'value', 'source'],
        rows.map((r) => [r.variable, r.value || '-', r.origin ? `${r.source} (${r.origin})` : r.source]),
      );
    });
}
