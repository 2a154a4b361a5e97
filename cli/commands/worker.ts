// `freshet worker`: one worker process against TEMPORAL_ADDRESS; run more for more throughput.
import type { Command } from 'commander';
import { loadConfig, loadProject } from '../config.ts';
import { createWorker, installRuntime, reconcileOnStart } from '../worker.ts';

export function workerCommand(program: Command): void {
  program.command('worker')
    .description('run a Freshet worker against TEMPORAL_ADDRESS until Ctrl-C')
    .action(async () => {
      installRuntime();
      const config = loadConfig();
      const graph = await loadProject(config.project);
      const { worker, connection } = await createWorker({ config, graph });
      const sync = await reconcileOnStart(config, graph);
      console.log(`schedules: ${sync}`);
      console.log(`worker polling '${config.taskQueue}' on ${config.temporalAddress}; warehouse ${config.warehouse}`);
      await worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
      await connection.close();
    });
}
