// `freshet assets`: the graph, one line per asset with its deps, partitions and SLA.
import type { Command } from 'commander';
import { describeMapping, describePartitions, formatDuration } from '../../core/index.ts';
import { loadConfig, loadProject } from '../../runtime/index.ts';

export function assetsCommand(program: Command): void {
  program
    .command('assets')
    .description('list the assets of the project in dependency order')
    .action(async () => {
      const graph = await loadProject(loadConfig().project);
      const rows = graph.assets.map((a) => [
        a.name + (a.isSource ? ' (source)' : ''),
        graph
          .upstream(a.name)
          .map((d) => `${d.asset.name}[${describeMapping(d.mapping)}]`)
          .join(', ') || '-',
        describePartitions(a.partitions),
        a.freshness ? `maxLag ${formatDuration(a.freshness.maxLagMs)}, budget ${formatDuration(a.freshness.computeBudgetMs)}` : '-',
      ]);
      printTable(['asset', 'deps', 'partitions', 'freshness'], rows);
    });
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}
