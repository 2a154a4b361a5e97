// Builds a Freshet worker: the project's graph and warehouse behind the activities, the
// workflows bundled from workflows/index.ts (or a prebuilt bundle), one SDK worker for each task
// queue it serves (runtime/worker-queues.ts), all on one connection.
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type State } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../activities/index.ts';
import type { ActivityMetrics } from '../activities/metrics.ts';
import type { QueueKind } from '../contract/queues.ts';
import type { AssetGraph } from '../core/index.ts';
import { startFreshness } from '../schedules/start.ts';
import { activityLogFields } from './activity-log.ts';
import type { FreshetConfig, LogLevel } from './config.ts';
import { createLogger, sdkLogger, type Logger } from './logger.ts';
import { connectClient, connectWorker } from './temporal.ts';
import { openWarehouse } from './warehouse.ts';
import { servedQueues, type ServedQueue } from './worker-queues.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

let runtimeReady = false;

/** How long past the grace period cancelled activities get to stop before `freshet worker` exits without them. */
export const SHUTDOWN_FORCE_AFTER_GRACE_MS = 15_000;

export interface RuntimeOptions {
  /** the process's logger (loggerFor); default: JSON or pretty lines on stderr at `level` */
  logger?: Logger;
  /** host:port where the SDK serves its own Prometheus metrics; none without it */
  sdkMetricsAddress?: string;
}

/**
 * Once per process, before any worker or connection: the SDK's logs (its own, the workflows'
 * and the activities', and its native core's, forwarded) go to the process's logger. The SDK
 * logs every bundle and state change at INFO; Freshet's commands show warnings and worse unless
 * FRESHET_LOG_LEVEL says otherwise.
 */
export function installRuntime(level: LogLevel, opts: RuntimeOptions = {}): void {
  if (runtimeReady) return;
  const address = opts.sdkMetricsAddress;
  Runtime.install({
    logger: sdkLogger(opts.logger ?? createLogger({ level })),
    telemetryOptions: {
      // the transport crates (h2, tower) log every frame below WARN: core's own lines are what help
      logging: { forward: {}, filter: { core: level, other: level === 'ERROR' ? 'ERROR' : 'WARN' } },
      // Prometheus' conventions: _total counters, units in names, seconds.
      ...(address
        ? { metrics: { prometheus: { bindAddress: address, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } } }
        : {}),
    },
  });
  runtimeReady = true;
}

export interface WorkerOptions {
  config: FreshetConfig;
  graph: AssetGraph;
  /** a bundle made once with bundleWorkflowCode, to skip bundling at start (tests) */
  workflowBundle?: { codePath: string } | { code: string };
  /** where the activities count materializations and stream progress (the process's Metrics.activities) */
  metrics?: ActivityMetrics;
  /** the queues to serve; default config.workerQueues */
  queues?: readonly QueueKind[];
  /** activity slots, shared as runtime/worker-queues.ts says; default config.workerSlots */
  slots?: number;
}

/** One SDK worker per served queue, run and shut down together. */
export interface WorkerGroup {
  served: ServedQueue[];
  /** runs every queue's worker until shut down (SIGINT/SIGTERM or shutdown()); one ending or failing ends the others */
  run(): Promise<void>;
  shutdown(): void;
  /** RUNNING while any of them runs */
  getState(): State;
}

export async function createWorker(opts: WorkerOptions): Promise<{
  worker: WorkerGroup;
  connection: NativeConnection;
  /** aborts when the worker starts shutting down */
  draining: AbortSignal;
}> {
  const { config, graph } = opts;
  const served = servedQueues(config.taskQueue, opts.queues ?? config.workerQueues, opts.slots ?? config.workerSlots);
  // Bundled once for all the queues' workers (each would bundle its own from workflowsPath).
  const workflowBundle = opts.workflowBundle ?? {
    code: (await bundleWorkflowCode({ workflowsPath, logger: Runtime.instance().logger })).code,
  };
  const connection: NativeConnection = await connectWorker(config);
  const draining = new AbortController();
  const activities = createActivities({
    graph,
    warehouse: openWarehouse(config),
    engine: config.engine,
    metrics: opts.metrics,
    kafka: config.kafka,
    draining: draining.signal,
    flushLogs: () => Runtime.instance().flushLogs(),
  });
  const workers: Worker[] = [];
  try {
    for (const q of served) {
      workers.push(
        await Worker.create({
          connection,
          namespace: config.namespace,
          taskQueue: q.taskQueue,
          workflowBundle,
          activities,
          // asset and partition on every activity log line
          interceptors: { activity: [activityLogFields] },
          maxConcurrentActivityTaskExecutions: q.slots,
          // Workflow isolates cost memory; a bounded cache keeps long-running workers flat.
          maxCachedWorkflows: Math.ceil(200 / served.length),
          // A cancel reaches an activity only in a heartbeat's reply, and heartbeats are throttled to
          // 80% of their timeout by default (8 s for batches): 1 s makes a cancel land within a partition.
          maxHeartbeatThrottleInterval: '1 second',
          // Shutdown (SIGTERM, or shutdown()): polling stops, running partitions get this long to
          // finish, then they are cancelled, fail, and Temporal retries them on another worker with the
          // same txn version (a commit that did land is not written twice).
          shutdownGraceTime: config.shutdownGraceMs,
          // (not shutdownForceTime: in SDK 1.24 it never fires once the pollers have stopped, which is
          // before the activities it should bound; `freshet worker` keeps its own timer on `draining`)
        }),
      );
    }
  } catch (err) {
    await connection.close();
    throw err;
  }
  // The SDK has no shutdown event (its SIGTERM handler calls each worker's shutdown()): streaming
  // shards, which never finish, learn of it here and hand themselves back at once instead of
  // stalling the stream for the whole grace period.
  for (const w of workers) {
    const shutdown = w.shutdown.bind(w);
    w.shutdown = () => {
      draining.abort();
      shutdown();
    };
  }
  const stopAll = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  const worker: WorkerGroup = {
    served,
    async run() {
      // A process polling only some of its queues would look healthy while their work waits: one
      // worker ending (shut down or failed) ends the others, and the process exits to be restarted.
      const results = await Promise.allSettled(workers.map((w) => w.run().finally(stopAll)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    shutdown: stopAll,
    getState() {
      const states = workers.map((w) => w.getState());
      return states.find((s) => s === 'RUNNING') ?? states.find((s) => s !== 'STOPPED') ?? 'STOPPED';
    },
  };
  return { worker, connection, draining: draining.signal };
}

/** Reconciles SLA schedules and starts the freshness monitor; returns a one-line summary. Uses
 * `client` when given (left open), else a connection of its own. */
export async function reconcileOnStart(config: FreshetConfig, graph: AssetGraph, given?: Client): Promise<string> {
  const client = given ?? (await connectClient(config));
  try {
    const r = await startFreshness(client, graph, config.taskQueue, config.monitorIntervalMs);
    const part = (label: string, list: string[]) => (list.length ? `${label} ${list.join(', ')}` : '');
    return (
      [part('created', r.created), part('updated', r.updated), part('deleted', r.deleted), part('unchanged', r.unchanged)]
        .filter(Boolean)
        .join('; ') || 'no SLAs'
    );
  } finally {
    if (!given) await client.connection.close();
  }
}
