// Builds a Freshet worker: the project's graph and warehouse behind the activities, the
// workflows bundled from workflows/index.ts (or a prebuilt bundle).
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../activities/index.ts';
import type { AssetGraph } from '../core/index.ts';
import { startFreshness } from '../schedules/start.ts';
import type { FreshetConfig, LogLevel } from './config.ts';
import { connectClient, connectWorker } from './temporal.ts';
import { openWarehouse } from './warehouse.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

let runtimeReady = false;

/** How long past the grace period cancelled activities get to stop before `freshet worker` exits without them. */
export const SHUTDOWN_FORCE_AFTER_GRACE_MS = 15_000;

/** The SDK logs every bundle and state change at INFO; Freshet's commands show warnings and worse. */
export function installRuntime(level: LogLevel): void {
  if (runtimeReady) return;
  Runtime.install({ logger: new DefaultLogger(level) });
  runtimeReady = true;
}

export interface WorkerOptions {
  config: FreshetConfig;
  graph: AssetGraph;
  /** a bundle made once with bundleWorkflowCode, to skip bundling at start (tests) */
  workflowBundle?: { codePath: string } | { code: string };
  maxConcurrentActivities?: number;
}

export async function createWorker(
  opts: WorkerOptions,
): Promise<{ worker: Worker; connection: NativeConnection; /** aborts when the worker starts shutting down */ draining: AbortSignal }> {
  const { config, graph } = opts;
  const connection: NativeConnection = await connectWorker(config);
  const draining = new AbortController();
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    activities: createActivities({ graph, warehouse: openWarehouse(config), engine: config.engine, draining: draining.signal }),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivities ?? config.workerActivities,
    // Workflow isolates cost memory; a bounded cache keeps long-running workers flat.
    maxCachedWorkflows: 200,
    // A cancel reaches an activity only in a heartbeat's reply, and heartbeats are throttled to
    // 80% of their timeout by default (8 s for batches): 1 s makes a cancel land within a partition.
    maxHeartbeatThrottleInterval: '1 second',
    // Shutdown (SIGTERM, or worker.shutdown()): polling stops, running partitions get this long to
    // finish, then they are cancelled, fail, and Temporal retries them on another worker with the
    // same txn version (a commit that did land is not written twice).
    shutdownGraceTime: config.shutdownGraceMs,
    // (not shutdownForceTime: in SDK 1.24 it never fires once the pollers have stopped, which is
    // before the activities it should bound; `freshet worker` keeps its own timer on `draining`)
  });
  // The SDK has no shutdown event: streaming shards (which never finish) learn of it here and
  // hand themselves back at once instead of stalling the stream for the whole grace period.
  const shutdown = worker.shutdown.bind(worker);
  worker.shutdown = () => {
    shutdown();
    draining.abort();
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
