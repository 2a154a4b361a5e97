// The production-shaped stack (`freshet stack`): PostgreSQL + a real Temporal server + MinIO +
// Kafka + two worker processes + the page, brought up once for the stack project by
// test/stack/global-setup.ts. Runs a backfill through it into the MinIO warehouse, then stops
// and restarts the whole stack.
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { startBackfill } from '../../control/backfills.ts';
import { assetTable, materializations } from '../../engine/index.ts';
import { connectClient, loadConfig, openWarehouse } from '../../runtime/index.ts';
import { isAlive } from '../../services/detached.ts';
import { readStackState, stackEnv, stackStatus, stackUp, type StackState } from '../../services/stack.ts';
import project from '../fixtures/stack-project.ts';

const cli = (args: string[]) =>
  promisify(execFile)(process.execPath, ['bin/freshet.mjs', ...args], { timeout: 120_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

let kafkaMessages = 0;
/** Produces one message to `topic` and returns how many the topic holds (its end offset). */
async function produceAndCount(brokers: string, topic: string): Promise<number> {
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const admin = kafka.admin();
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ value: `check at ${Date.now()}` }] });
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    kafkaMessages = offsets.reduce((n, o) => n + Number(o.high), 0);
    return kafkaMessages;
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

const dir = inject('stackDir');
let state: StackState;
beforeAll(() => {
  state = readStackState(dir)!;
});

describe('freshet stack', () => {
  it('runs every process, each answering, and `stack status` says so', async () => {
    const { entries } = await stackStatus(dir);
    expect(entries.map((e) => e.name)).toEqual(['postgres', 'temporal', 'minio', 'kafka', 'worker-1', 'worker-2', 'web']);
    for (const e of entries)
      expect({ name: e.name, alive: e.alive, answers: e.answers ?? true }).toEqual({ name: e.name, alive: true, answers: true });
    const status = await cli(['stack', 'status', '--dir', dir]);
    expect(status.code, status.out).toBe(0);
    expect(status.out.match(/ up /g)).toHaveLength(7);
    const page = await fetch(`http://127.0.0.1:${state.ports.web}/`);
    expect(page.status).toBe(200);
  });

  it('serves Kafka at FRESHET_KAFKA_BROKERS: a message produced there is read back', async () => {
    const brokers = stackEnv(state).FRESHET_KAFKA_BROKERS;
    expect(brokers).toBe(`127.0.0.1:${state.ports.kafka}`);
    expect(loadConfig(stackEnv(state))).toBeDefined(); // every variable the stack sets is one Freshet accepts
    const count = await produceAndCount(brokers, 'stack-check');
    expect(count).toBeGreaterThanOrEqual(1);
  });

  it('backfills 10 partitions × 3 assets through the Temporal server on PostgreSQL into MinIO, each partition once in the Delta log', async () => {
    const config = loadConfig(stackEnv(state));
    expect(config.warehouse).toMatch(/^s3:\/\//);
    const client = await connectClient(config);
    try {
      // Both worker processes poll the queue.
      const pollers = await client.workflowService.describeTaskQueue({
        namespace: config.namespace,
        taskQueue: { name: config.taskQueue },
        taskQueueType: 2,
      });
      expect(new Set((pollers.pollers ?? []).map((p) => p.identity)).size).toBeGreaterThanOrEqual(2);

      const warehouse = openWarehouse(config);
      const ctx = { client, taskQueue: config.taskQueue, graph: project, warehouse };
      const { id } = await startBackfill(ctx, { assets: ['raw'], downstream: true, from: '2026-01-01', to: '2026-01-10', concurrency: 4 });
      const done = await client.workflow.getHandle(id).result();
      expect(done.status).toBe('succeeded');
      // A reused stack has them already: then they are skipped, not written again.
      for (const a of done.assets) expect(a.counts.materialized + a.counts.skipped).toBe(10);
      for (const asset of ['raw', 'clean', 'rolling']) {
        const partitions = (await materializations(assetTable(warehouse, asset))).map((m) => m.partition).sort();
        expect(partitions).toEqual(Array.from({ length: 10 }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')}`));
      }
    } finally {
      await client.connection.close();
    }
  });

  it('`stack down` stops every process, `status` then reports them down, and `stack up` brings them back with the data kept', async () => {
    const pids = Object.values(state.processes).map((p) => p.pid);
    const down = await cli(['stack', 'down', '--dir', dir]);
    expect(down.code, down.out).toBe(0);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    const status = await cli(['stack', 'status', '--dir', dir]);
    expect(status.code).toBe(1);
    expect(status.out.match(/ down /g)).toHaveLength(7);

    state = await stackUp({ dir, log: (m) => console.log(`[stack] ${m}`) });
    expect((await cli(['stack', 'status', '--dir', dir])).code).toBe(0);
    const warehouse = openWarehouse(loadConfig(stackEnv(state)));
    expect((await materializations(assetTable(warehouse, 'rolling'))).length).toBeGreaterThanOrEqual(10);
    // Kafka kept its log: the topic's earlier messages are still there, one more is added
    const before = kafkaMessages;
    expect(await produceAndCount(stackEnv(state).FRESHET_KAFKA_BROKERS, 'stack-check')).toBe(before + 1);
  }, 600_000);
});
