// `freshet worker`: one worker process against TEMPORAL_ADDRESS; run more for more throughput.
import { GracefulShutdownPeriodExpiredError } from '@temporalio/worker';
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
      // SIGINT/SIGTERM: polling stops, running activities get FRESHET_SHUTDOWN_GRACE to finish (streaming
      // shards hand themselves back at once), then are cancelled and retried on another worker.
      await worker.run().catch((err: unknown) => {
        if (!(err instanceof GracefulShutdownPeriodExpiredError)) throw err;
        // Activities that ignored their cancellation are still running: exit without them (a
        // non-zero code: work was abandoned, Temporal retries it after its heartbeat timeout).
        console.error('worker: activities ignored their cancellation after the shutdown grace period; exiting without them');
        process.exit(1);
      });
      await connection.close();
    });
}
