// Test harness: a real worker on its own task queue and warehouse, against the shared dev server.
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createWorker, installRuntime, loadConfig, type FreshetConfig } from '../runtime/index.ts';
import type { AssetDef, AssetGraph } from '../core/index.ts';
import type { MaterializeResult } from '../engine/index.ts';
import { startMaterialize } from '../control/materialize.ts';

export interface Harness {
  config: FreshetConfig;
  client: Client;
  /** env for a `freshet` subprocess that talks to this harness's server, queue and warehouse */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `freshet-${prefix}-`));
}

export function testConfig(name: string, overrides: Partial<FreshetConfig> = {}): FreshetConfig {
  return {
    // the embedded defaults, as a machine with no Freshet variables set gets them
    ...loadConfig({}),
    temporalAddress: inject('temporalAddress'),
    taskQueue: `test-${name}-${process.pid}-${Date.now()}`,
    warehouse: tempDir(name),
    // a test that stops its in-process worker mid-work should not sit out the production grace
    shutdownGraceMs: 5_000,
    ...overrides,
  };
}

export function envFor(config: FreshetConfig): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: config.temporalAddress,
    FRESHET_TASK_QUEUE: config.taskQueue,
    FRESHET_WAREHOUSE: config.warehouse,
    FRESHET_PROJECT: config.project,
  };
}

/** Starts an in-process worker for `graph`; `worker: false` gives only the client. */
export async function startHarness(graph: AssetGraph, config: FreshetConfig, opts: { worker?: boolean } = {}): Promise<Harness> {
  installRuntime('ERROR');
  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.namespace });
  let stopWorker = async () => {};
  if (opts.worker !== false) {
    const { worker, connection: native } = await createWorker({
      config,
      graph,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const running = worker.run();
    stopWorker = async () => {
      worker.shutdown();
      await running;
      await native.close();
    };
  }
  return {
    config,
    client,
    env: envFor(config),
    stop: async () => {
      await stopWorker();
      await connection.close();
    },
  };
}

/** The per-partition path, as `freshet materialize --partition` runs it: each key through its own materializePartition workflow, `concurrency` at a time. */
export async function materializeEach(h: Harness, asset: AssetDef, keys: string[], concurrency = 4): Promise<MaterializeResult[]> {
  const queue = [...keys];
  const results: MaterializeResult[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        results.push(await (await startMaterialize(h.client, h.config.taskQueue, asset, key)).result());
      }
    }),
  );
  return results;
}
