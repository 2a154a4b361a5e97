// `freshet logs <asset> [--partition <key>]`: a partition's newest attempts, each with its status,
// trigger, workflow run, error and stack, and the worker's log lines of that attempt. Read
// through engine/runs.ts, as the web page's partition history is.
import type { Command } from 'commander';
import type { PartitionRun } from '../../contract/runs.ts';
import { assetTable, materializations, partitionRuns, readAttemptLog } from '../../engine/index.ts';
import { loadConfig, loadProject, openWarehouse } from '../../runtime/index.ts';

interface Options {
  partition?: string;
  attempts: string;
  json?: boolean;
}

const MAX_ATTEMPTS = 500;

export function logsCommand(program: Command): void {
  program
    .command('logs <asset>')
    .description("a partition's newest attempts with their errors and the worker's log lines")
    .option('-p, --partition <key>', 'the partition key (omit for an unpartitioned asset)')
    .option('-n, --attempts <n>', 'how many attempts, newest first', '1')
    .option('--json', 'the attempts and their lines as JSON')
    .action(async (name: string, opts: Options) => {
      const n = Number(opts.attempts);
      if (!Number.isInteger(n) || n < 1 || n > MAX_ATTEMPTS)
        throw new Error(`--attempts: expected a whole number from 1 to ${MAX_ATTEMPTS}, got '${opts.attempts}'`);
      const config = loadConfig();
      const graph = await loadProject(config.project);
      const warehouse = openWarehouse(config);
      const asset = graph.get(name);
      if (asset.partitions && opts.partition === undefined)
        throw new Error(`Asset '${asset.name}' is partitioned: give --partition <key>.`);
      if (!asset.partitions && opts.partition !== undefined) throw new Error(`Asset '${asset.name}' is not partitioned: omit --partition.`);
      const key = opts.partition ?? '';
      const history = await materializations(assetTable(warehouse, asset.name));
      const page = await partitionRuns(warehouse, { asset: asset.name, history }, key, 0, n);
      const where = key ? ` partition ${key}` : '';
      if (page.runs.length === 0) {
        console.log(`${asset.name}${where}: no attempt recorded yet.`);
        return;
      }
      const attempts = await Promise.all(page.runs.map(async (r) => ({ run: r, lines: await linesOf(warehouse, r) })));
      if (opts.json) {
        console.log(JSON.stringify({ asset: asset.name, key, total: page.total, attempts }, null, 2));
        return;
      }
      for (const { run, lines } of attempts) {
        console.log(header(run));
        if (run.errorDetail?.stack) console.log(run.errorDetail.stack);
        else if (run.error) console.log(`error: ${run.error}`);
        if (lines.missing) console.log('  (no log lines were kept for this attempt)');
        if (lines.dropped > 0) console.log(`  (${lines.dropped} lines left out in the middle)`);
        for (const l of lines.lines) console.log(`  ${formatLine(l)}`);
      }
      if (page.total > page.runs.length) console.log(`(${page.total - page.runs.length} older attempts: --attempts ${page.total})`);
    });
}

type Lines = { lines: Array<Record<string, unknown>>; dropped: number; missing: boolean };

/** A failure's lines came with it; a success's are in the object its commit names. */
async function linesOf(warehouse: ReturnType<typeof openWarehouse>, r: PartitionRun): Promise<Lines> {
  if (r.lines) return { lines: r.lines, dropped: r.droppedLines, missing: false };
  if (!r.log) return { lines: [], dropped: 0, missing: true };
  const log = await readAttemptLog(warehouse, r.log);
  return log ? { lines: log.lines, dropped: log.droppedLines, missing: false } : { lines: [], dropped: 0, missing: true };
}

function header(r: PartitionRun): string {
  const parts = [
    `${r.asset}${r.partition ? ` ${r.partition}` : ''}`,
    r.status,
    r.attempt !== null ? `attempt ${r.attempt}` : '',
    r.trigger ?? '',
    `started ${new Date(r.startedAt).toISOString()}`,
    r.durationMs !== null ? `${(r.durationMs / 1000).toFixed(2)} s` : '',
    r.rows !== null ? `${r.rows} rows` : '',
    r.version !== null ? `version ${r.version}` : '',
    r.workflowId ? `workflow ${r.workflowId} run ${r.runId}` : '',
  ];
  return `== ${parts.filter(Boolean).join(' · ')}`;
}

const SHOWN_APART = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'name']);

/** time level message, then the other fields as key=value (objects as JSON). */
export function formatLine(l: Record<string, unknown>): string {
  const rest = Object.entries(l)
    .filter(([k]) => !SHOWN_APART.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [l.time, l.level, l.msg, ...rest].filter((x) => x !== undefined && x !== '').join(' ');
}
