// `freshet status [asset]`: what is materialized, when, with how many rows and which inputs; how
// late each asset is against its SLA, and which partitions are outdated (an input changed since).
import type { Command } from 'commander';
import { allKeys, formatDuration, type AssetDef, type AssetGraph, type Freshness } from '../../core/index.ts';
import {
  assetTable,
  freshnessReport,
  latestByPartition,
  materializations,
  partitionStates,
  type PartitionStatus,
} from '../../engine/index.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { loadConfig, loadProject, openWarehouse } from '../../runtime/index.ts';
import { printTable } from './assets.ts';

export function statusCommand(program: Command): void {
  program
    .command('status [asset]')
    .description('materialized partitions of one asset, or a summary of every asset')
    .option('--all', 'list every partition, not only the newest 20')
    .action(async (name: string | undefined, opts: { all?: boolean }) => {
      const config = loadConfig();
      const graph = await loadProject(config.project);
      const warehouse = openWarehouse(config);
      if (!name) {
        const rows: string[][] = [];
        const freshness = new Map((await freshnessReport(graph, warehouse)).map((f) => [f.asset, f]));
        for (const a of graph.assets) {
          const latest = latestByPartition(await materializations(assetTable(warehouse, a.name)));
          const expected = a.partitions ? allKeys(a.partitions, Date.now()).length : 1;
          const newest = [...latest.values()].sort((x, y) => y.timestamp - x.timestamp)[0];
          const f = freshness.get(a.name)!;
          const states = await partitionStates(graph, warehouse, a.name, undefined);
          rows.push([
            a.name,
            f.status,
            f.lagMs === undefined ? '-' : formatDuration(Math.round(f.lagMs / 1000) * 1000 || 0),
            f.maxLagMs ? formatDuration(f.maxLagMs) : '-',
            `${latest.size}/${expected}`,
            String(countOutdated(states)),
            newest ? new Date(newest.timestamp).toISOString() : 'never',
          ]);
        }
        printTable(['asset', 'freshness', 'lag', 'max lag', 'materialized', 'outdated', 'last materialization'], rows);
        console.log(
          'freshness: against the SLA (late = the newest data is older than it allows); outdated: partitions whose inputs changed since they were computed (`freshet materialize <asset> --outdated` recomputes them)',
        );
        return;
      }
      await assetStatus(graph, graph.get(name), warehouse, opts.all ?? false);
    });
}

const countOutdated = (states: Map<string, PartitionStatus>) => [...states.values()].filter((s) => s.state === 'outdated').length;

function describeFreshness(f: Freshness): string {
  const lag = f.lagMs === undefined ? '' : `, lag ${formatDuration(Math.round(f.lagMs / 1000) * 1000 || 0)}`;
  return `${f.status}${lag}${f.maxLagMs ? ` (SLA ${formatDuration(f.maxLagMs)})` : ''}`;
}

async function assetStatus(graph: AssetGraph, asset: AssetDef, warehouse: ObjectStore, all: boolean): Promise<void> {
  const list = await materializations(assetTable(warehouse, asset.name));
  const latest = [...latestByPartition(list).values()].sort((a, b) => (a.partition ?? '').localeCompare(b.partition ?? ''));
  const f = (await freshnessReport(graph, warehouse)).find((x) => x.asset === asset.name)!;
  const states = await partitionStates(graph, warehouse, asset.name, undefined);
  console.log(`${asset.name}: ${latest.length} partition(s) materialized, ${list.length} materialization(s) in the log`);
  console.log(
    `freshness: ${describeFreshness(f)}; outdated: ${countOutdated(states)} partition(s) whose inputs changed since they were computed`,
  );
  const shown = all ? latest : latest.slice(-20);
  printTable(
    ['partition', 'state', 'version', 'rows', 'bytes', 'duration', 'peak mem', 'how', 'materialized at', 'inputs'],
    shown.map((m) => [
      m.partition ?? '(all)',
      (states.get(m.partition ?? '')?.state ?? 'missing').replace('_', ' '),
      String(m.version),
      String(m.rows),
      String(m.bytes),
      `${(m.durationMs / 1000).toFixed(2)} s`,
      m.peakMemoryBytes === null ? '-' : `${(m.peakMemoryBytes / 2 ** 20).toFixed(0)} MiB`,
      m.mode === 'range' ? `range of ${m.batchSize}` : (m.mode ?? '-'),
      new Date(m.timestamp).toISOString(),
      Object.entries(m.inputVersions)
        .map(([k, v]) => `${k}@v${v}`)
        .join(' ') || '-',
    ]),
  );
  if (!all && latest.length > shown.length) console.log(`(${latest.length - shown.length} older partitions hidden; --all shows them)`);
}
