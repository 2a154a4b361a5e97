// `freshet worker`: one worker process against TEMPORAL_ADDRESS; run more for more throughput.
import type { Command } from 'commander';
import {
  loadConfig,
  loadProject,
  createWorker,
  installRuntime,
  reconcileOnStart,
  SHUTDOWN_FORCE_AFTER_GRACE_MS,
} from '../../runtime/index.ts';

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a Freshet worker against TEMPORAL_ADDRESS until Ctrl-C')
    .action(async () => {
      const config = loadConfig();
      installRuntime(config.logLevel);
      const graph = await loadProject(config.project);
      const { worker, connection, draining } = await createWorker({ config, graph });
      const sync = await reconcileOnStart(config, graph);
      console.log(`schedules: ${sync}`);
      console.log(`worker polling '${config.taskQueue}' on ${config.temporalAddress}; warehouse ${config.warehouse}`);
      // SIGINT/SIGTERM: polling stops, running activities get FRESHET_SHUTDOWN_GRACE to finish (streaming
      // shards hand themselves back at once), then are cancelled and retried on another worker.
      draining.addEventListener('abort', () => {
        // Activities that ignore their cancellation must not keep the process up forever: exit
        // without them (code 1: work was abandoned; Temporal retries it after its heartbeat timeout).
        const giveUp = () => {
          console.error('worker: activities ignored their cancellation after the shutdown grace period; exiting without them');
          process.exit(1);
        };
        setTimeout(giveUp, config.shutdownGraceMs + SHUTDOWN_FORCE_AFTER_GRACE_MS).unref();
      });
      await worker.run();
      await connection.close();
    });
}
