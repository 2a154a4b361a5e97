// What the supervised streaming tests share: a Temporal harness with no in-process worker (the
// workers are `freshet worker` processes the tests kill), optionally a Kafka broker, and cleanup.
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { streamStatus, type StreamStatus } from '../control/streams.ts';
import type { AssetGraph } from '../core/index.ts';
import { startKafka, type KafkaServer } from '../services/kafka.ts';
import { startHarness, testConfig, type Harness } from './harness.ts';
import { spawnWorker, type WorkerProcess } from './processes.ts';

export interface StreamCluster {
  h: Harness;
  /** only when started with kafkaPartitions */
  kafka: KafkaServer;
  /** every worker spawned, stopped after the file's tests */
  workers: WorkerProcess[];
  /** a new worker process on the harness's task queue, plus `env` */
  spawn: (env?: NodeJS.ProcessEnv) => Promise<WorkerProcess>;
  /**
   * Polls the job's status (every 100 ms, `each` sees every one) until `ok` holds for it; fails
   * naming `what` when the job ends first or `timeoutMs` passes.
   */
  untilStatus: (
    asset: string,
    what: string,
    ok: (s: StreamStatus) => boolean,
    opts?: { timeoutMs?: number; each?: (s: StreamStatus) => void },
  ) => Promise<StreamStatus>;
}

const PROJECT = path.resolve('test/fixtures/stream-project.ts');

/** Registers the file's beforeAll/afterAll; the fields are set once beforeAll has run. */
export function streamCluster(name: string, opts: { kafkaPartitions?: number } = {}): StreamCluster {
  const cluster = { workers: [] as WorkerProcess[] } as StreamCluster;
  cluster.spawn = async (env = {}) => {
    const w = await spawnWorker({ ...cluster.h.env, ...env });
    cluster.workers.push(w);
    return w;
  };
  cluster.untilStatus = async (asset, what, ok, { timeoutMs = 120_000, each } = {}) => {
    const deadline = Date.now() + timeoutMs;
    let last: StreamStatus | undefined;
    for (;;) {
      const s = await streamStatus(cluster.h.client, cluster.h.config.taskQueue, asset);
      if (s) {
        last = s;
        each?.(s);
        if (ok(s)) return s;
        if (s.workflowStatus !== 'RUNNING') throw new Error(`${what}: the job ended first (${s.state}); give it more events`);
      }
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last status ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  beforeAll(async () => {
    if (opts.kafkaPartitions) cluster.kafka = await startKafka({ partitions: opts.kafkaPartitions });
    const { default: project } = (await import(PROJECT)) as { default: AssetGraph };
    cluster.h = await startHarness(project, testConfig(name, { project: PROJECT }), { worker: false });
  }, 300_000);
  afterAll(async () => {
    for (const w of cluster.workers) await w.stop();
    await cluster.h?.stop();
    await cluster.kafka?.stop();
  });
  return cluster;
}
