// `freshet schedules`: per asset, the schedule derived from its SLA and the reason for it.
import type { Command } from 'commander';
import { formatDuration } from '../../core/index.ts';
import { describeSchedules } from '../../schedules/reconcile.ts';
import { connectClient, loadConfig, loadProject } from '../../runtime/index.ts';

export function schedulesCommand(program: Command): void {
  program
    .command('schedules')
    .description('the schedule derived from each freshness SLA, why, and its next run')
    .option('--offline', 'do not ask the server for next run times')
    .action(async (opts: { offline?: boolean }) => {
      const config = loadConfig();
      const graph = await loadProject(config.project);
      const client = opts.offline ? undefined : await connectClient(config).catch(() => undefined);
      const list = await describeSchedules(client, graph, config.taskQueue);
      if (list.length === 0) console.log('No asset declares a freshness SLA.');
      for (const s of list) {
        const next = s.nextRunAt
          ? new Date(s.nextRunAt).toISOString()
          : s.onServer
            ? '-'
            : 'not on the server (start a worker to create it)';
        console.log(
          `${s.asset}: every ${formatDuration(s.everyMs)}, run timeout ${formatDuration(s.runTimeoutMs)}, catch-up window ${formatDuration(s.catchupWindowMs)}; next run ${next}`,
        );
        console.log(`  why: ${s.reason}`);
        if (s.warning) console.log(`  warning: ${s.warning}`);
      }
      await client?.connection.close();
    });
}
