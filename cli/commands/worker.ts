// `freshet worker`: one worker process against TEMPORAL_ADDRESS; run more for more throughput.
import type { Command } from 'commander';
import { QUEUE_KINDS } from '../../contract/queues.ts';
import {
  createWorker,
  describeServed,
  installRuntime,
  loadConfig,
  loadProject,
  parseWorkerQueues,
  reconcileOnStart,
  startProcessMetrics,
} from '../../runtime/index.ts';

interface Options {
  queues?: string;
  slots?: string;
}

const MAX_SLOTS = 10_000;

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a Freshet worker against TEMPORAL_ADDRESS until Ctrl-C')
    .option('--queues <list>', 'task queues to serve: scheduled, backfill or both, comma-separated (default FRESHET_WORKER_QUEUES or both)')
    .option(
      '--slots <n>',
      'activities run at once (default FRESHET_WORKER_SLOTS or 4); serving both queues, max(1, n/4) of them are kept from backfills for scheduled runs',
    )
    .action(async (opts: Options) => {
      // (an empty variable means "unset", as every variable does; an empty flag is a mistake)
      if (opts.queues !== undefined && !opts.queues.trim())
        throw new Error(`--queues: expected one or more of ${QUEUE_KINDS.join(', ')}, comma-separated; got nothing`);
      const queues = opts.queues === undefined ? undefined : parseWorkerQueues(opts.queues);
      if (queues && 'error' in queues) throw new Error(`--queues: ${queues.error}`);
      if (opts.slots !== undefined && !(/^\d+$/.test(opts.slots) && Number(opts.slots) >= 1 && Number(opts.slots) <= MAX_SLOTS))
        throw new Error(`--slots: expected a whole number from 1 to ${MAX_SLOTS}, got '${opts.slots}'`);
      const config = loadConfig();
      // its own /metrics first: a taken port stops the worker before it polls
      const obs = await startProcessMetrics(config, 'freshet-worker', { serve: true });
      installRuntime(config.logLevel, obs.runtime);
      const graph = await loadProject(config.project);
      const { worker, connection } = await createWorker({
        config,
        graph,
        metrics: obs.metrics.activities,
        queues: queues?.queues,
        slots: opts.slots === undefined ? undefined : Number(opts.slots),
      });
      const sync = await reconcileOnStart(config, graph);
      console.log(`schedules: ${sync}`);
      console.log(`metrics at ${obs.url} (FRESHET_METRICS_HOST, FRESHET_METRICS_PORT)`);
      console.log(`worker polling ${describeServed(worker.served)} on ${config.temporalAddress}; warehouse ${config.warehouse}`);
      await worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
      await connection.close();
      await obs.close();
    });
}
