// `freshet worker`: one worker process against TEMPORAL_ADDRESS; run more for more throughput.
import type { Command } from 'commander';
import { loadConfig, loadProject, createWorker, installRuntime, reconcileOnStart, startProcessMetrics } from '../../runtime/index.ts';

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a Freshet worker against TEMPORAL_ADDRESS until Ctrl-C')
    .action(async () => {
      const config = loadConfig();
      // its own /metrics first: a taken port stops the worker before it polls
      const obs = await startProcessMetrics(config, 'freshet-worker', { serve: true });
      installRuntime(config.logLevel, obs.runtime);
      const graph = await loadProject(config.project);
      const { worker, connection } = await createWorker({ config, graph, metrics: obs.metrics.activities });
      const sync = await reconcileOnStart(config, graph);
      console.log(`schedules: ${sync}`);
      console.log(`metrics at ${obs.url} (FRESHET_METRICS_HOST, FRESHET_METRICS_PORT)`);
      console.log(`worker polling '${config.taskQueue}' on ${config.temporalAddress}; warehouse ${config.warehouse}`);
      await worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
      await connection.close();
      await obs.close();
    });
}
