// `freshet backfill <asset...> --from --to [--downstream]`: start a backfill and follow it with a
// progress bar; `--list`, `--cancel <id>`, `--retry-failed <id>` act on existing ones.
import { SingleBar, Presets } from 'cli-progress';
import { Option, type Command } from 'commander';
import {
  backfillProgress,
  cancelBackfill,
  listBackfills,
  previewBackfill,
  retryFailedBackfill,
  startBackfill,
  type ControlContext,
} from '../../control/backfills.ts';
import {
  backfillCounts,
  isFinalBackfillStatus,
  nothingToRun,
  type BackfillCounts,
  type BackfillProgress,
} from '../../contract/backfill.ts';
import { backfillQueue } from '../../contract/queues.ts';
import { controlContext } from '../../runtime/index.ts';
import { warnIfNoWorker } from '../pollers.ts';
import { printTable } from './assets.ts';

interface Options {
  from?: string;
  to?: string;
  downstream?: boolean;
  concurrency: string;
  force?: boolean;
  onlyFailedAndMissing?: boolean;
  onlyMissing?: boolean;
  list?: boolean;
  cancel?: string;
  retryFailed?: string;
  detach?: boolean;
  dryRun?: boolean;
}

export function backfillCommand(program: Command): void {
  program
    .command('backfill [assets...]')
    .description('materialize a partition range of assets (and their downstream) in dependency order')
    .option('--from <key>', 'first partition')
    .option('--to <key>', 'last partition (inclusive)')
    .option('-d, --downstream', 'also every asset downstream of the selection')
    .option('-c, --concurrency <n>', 'batches computed at once', '4')
    .option('--force', 'recompute up-to-date partitions too')
    .option('--only-failed-and-missing', 'only partitions never materialized or whose last run failed (not stale ones)')
    // The old name, answered with the new one: it never ran "only missing" (the request always said failed and missing).
    .addOption(new Option('--only-missing').hideHelp())
    .option('--dry-run', 'print the plan and stop')
    .option('--detach', 'start and return without following')
    .option('--list', 'list backfills')
    .option('--cancel <id>', 'cancel a running backfill')
    .option('--retry-failed <id>', 're-run the failed partitions of a backfill, and once it ended, its cancelled ones')
    .action(async (assets: string[], opts: Options) => {
      if (opts.onlyMissing)
        throw new Error(
          '--only-missing is now --only-failed-and-missing: it runs the partitions never materialized and those whose last run failed.',
        );
      const ctx = await controlContext();
      try {
        if (opts.list) return await printList(ctx);
        if (opts.cancel) {
          await cancelBackfill(ctx, opts.cancel);
          console.log(`cancelling ${opts.cancel}`);
          return;
        }
        if (opts.retryFailed) {
          const { id } = await retryFailedBackfill(ctx, opts.retryFailed);
          console.log(
            id === opts.retryFailed ? `re-running failed partitions of ${id}` : `started ${id} for the failed and cancelled partitions`,
          );
          return await followBackfill(ctx, id);
        }
        if (assets.length === 0)
          throw new Error('Name at least one asset, e.g. freshet backfill transactions --from 2026-01-01 --to 2026-01-31 --downstream.');
        const request = {
          assets,
          downstream: opts.downstream ?? false,
          from: opts.from,
          to: opts.to,
          concurrency: Number(opts.concurrency),
          force: opts.force,
          onlyFailedAndMissing: opts.onlyFailedAndMissing,
        };
        const preview = await previewBackfill(ctx, request);
        printTable(
          ['asset', 'partitions', 'to run', 'up to date'],
          preview.assets.map((a) => [a.asset, String(a.partitions), String(a.toRun), String(a.upToDate)]),
        );
        if (opts.dryRun) return;
        // as `materialize --outdated` does: nothing to do is said, not started as an empty backfill
        const why = nothingToRun(preview, request);
        if (why) return console.log(why);
        await warnIfNoWorker(ctx.client, backfillQueue(ctx.taskQueue));
        const { id } = await startBackfill(ctx, request);
        console.log(`backfill ${id} started`);
        if (!opts.detach) await followBackfill(ctx, id);
      } finally {
        await ctx.close();
      }
    });
}

async function printList(ctx: ControlContext): Promise<void> {
  const list = await listBackfills(ctx);
  printTable(
    ['id', 'status', 'partitions', 'started', 'ended', 'assets', 'range'],
    list.map((b) => [
      b.id,
      b.status,
      b.counts ? countsLine(b.counts) : '',
      new Date(b.startedAt).toISOString(),
      b.closedAt ? new Date(b.closedAt).toISOString() : '',
      (b.request.assets ?? []).join(',') + (b.request.downstream ? ' +downstream' : ''),
      (b.request.from ? `${b.request.from}..${b.request.to}` : 'all') +
        (b.request.onlyFailedAndMissing ? ' (only failed and missing)' : ''),
    ]),
  );
}

/** Each outcome apart: skipped and cancelled partitions are not done work. */
export function countsLine(c: BackfillCounts): string {
  const parts = [`${c.materialized} materialized`, `${c.skipped} up to date`, `${c.failed} failed`, `${c.cancelled} cancelled`];
  if (c.left) parts.push(`${c.left} left`);
  return `${parts.join(', ')} of ${c.total}`;
}

/** Polls the workflow's progress query into a progress bar until it ends; lists failures last. */
export async function followBackfill(ctx: ControlContext, id: string): Promise<void> {
  const bar = new SingleBar(
    {
      format: '{bar} {percentage}% | {value}/{total} partitions finished | {status} | {counts}',
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    Presets.shades_classic,
  );
  let progress = await backfillProgress(ctx, id);
  const show = (p: BackfillProgress) => {
    const c = backfillCounts(p.assets);
    bar.setTotal(Math.max(1, c.total));
    bar.update(c.total - c.left, { status: p.status, counts: countsLine(c) });
  };
  bar.start(1, 0, { status: progress.status, counts: '' });
  show(progress);
  while (!isFinalBackfillStatus(progress.status)) {
    await new Promise((r) => setTimeout(r, 500));
    progress = await backfillProgress(ctx, id);
    show(progress);
  }
  bar.stop();
  for (const a of progress.assets) console.log(`${a.asset}: ${countsLine(backfillCounts([a]))}`);
  if (progress.failures.length) {
    console.error('failures:');
    for (const f of progress.failures) console.error(`  ${f.asset} ${f.partition ?? ''}: ${f.error}`);
    console.error(`re-run them with: npx freshet backfill --retry-failed ${id}`);
    process.exitCode = 1;
  }
  console.log(`backfill ${id}: ${progress.status}`);
}
