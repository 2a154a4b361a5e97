// `freshet worker`: one worker process against TEMPORAL_ADDRESS; run more for more throughput.
import type { Command } from 'commander';
import { loadConfig, loadProject, createWorker, installRuntime, reconcileOnStart } from '../../runtime/index.ts';

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a Freshet worker against TEMPORAL_ADDRESS until Ctrl-C')
    .action(async () => {
      const config = loadConfig();
      installRuntime(config.logLevel);
      const graph = await loadProject(config.project);
      const { worker, connection } = await createWorker({ config, graph });
      const sync = await reconcileOnStart(config, graph);
      console.log(`schedules: ${sync}`);
      console.log(`worker polling '${config.taskQueue}' on ${config.temporalAddress}; warehouse ${config.warehouse}`);
      await worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
      await connection.close();
    });
}
