// `freshet schedules`: per asset, the schedule derived from its SLA, the reason for it, whether it
// is paused and its recent runs; `schedules pause|unpause|run <asset>` operate it.
import type { Command } from 'commander';
import { formatDuration, type AssetDef } from '../../core/index.ts';
import { pauseSchedule, runScheduleNow, scheduleState, unpauseSchedule } from '../../schedules/control.ts';
import { describeSchedules } from '../../schedules/reconcile.ts';
import { connectClient, loadConfig, loadProject, type FreshetConfig } from '../../runtime/index.ts';
import type { Client } from '@temporalio/client';

export function schedulesCommand(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('the schedule derived from each freshness SLA, why, its next run and recent runs; pause, unpause or run one now')
    .option('--offline', 'do not ask the server for next run times')
    .action(async (opts: { offline?: boolean }) => {
      const config = loadConfig();
      const graph = await loadProject(config.project);
      const client = opts.offline ? undefined : await connectClient(config).catch(() => undefined);
      try {
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
          if (!client || !s.server) continue;
          const state = await scheduleState(client, s.server);
          if (state.paused) console.log(`  paused${state.note ? `: ${state.note}` : ''}`);
          for (const r of state.recentRuns) {
            const took = r.durationMs === null ? '' : ` in ${formatDuration(Math.max(1000, Math.round(r.durationMs / 1000) * 1000))}`;
            console.log(`  run ${new Date(r.takenAt).toISOString()} ${r.outcome}${took}  ${r.workflowId}`);
          }
        }
      } finally {
        await client?.connection.close();
      }
    });

  schedules
    .command('pause <asset>')
    .description("stop an asset's schedule from starting runs (the freshness monitor still catches up a late asset)")
    .option('--note <text>', 'why, shown beside the schedule')
    .action((name: string, opts: { note?: string }) =>
      operate(name, async (client, config, asset) => {
        await pauseSchedule(client, config.taskQueue, asset, opts.note);
        console.log(`${asset.name}: schedule paused`);
      }),
    );

  schedules
    .command('unpause <asset>')
    .description("let an asset's schedule start runs again")
    .option('--note <text>', 'why, shown beside the schedule')
    .action((name: string, opts: { note?: string }) =>
      operate(name, async (client, config, asset) => {
        await unpauseSchedule(client, config.taskQueue, asset, opts.note);
        console.log(`${asset.name}: schedule unpaused`);
      }),
    );

  schedules
    .command('run <asset>')
    .description("start the run an asset's schedule would start, now")
    .action((name: string) =>
      operate(name, async (client, config, asset) => {
        const id = await runScheduleNow(client, config.taskQueue, asset);
        console.log(
          id
            ? `${asset.name}: schedule started ${id}`
            : `${asset.name}: asked the schedule to run now; \`freshet schedules\` lists the run`,
        );
      }),
    );
}

async function operate(name: string, op: (client: Client, config: FreshetConfig, asset: AssetDef) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const asset = (await loadProject(config.project)).get(name);
  const client = await connectClient(config);
  try {
    await op(client, config, asset);
  } finally {
    await client.connection.close();
  }
}
