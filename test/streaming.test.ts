// The streaming job supervised by Temporal: a real `freshet worker` process killed with SIGKILL
// three times while it consumes Kafka; Temporal retries the shard activity on the next worker,
// which restores the newest checkpoint. The sink must equal DuckDB over the same events.
import { DuckDBInstance } from '@duckdb/node-api';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStream, streamStatus } from '../control/streams.ts';
import type { AssetGraph } from '../core/index.ts';
import { loadSnapshot, readRows } from '../delta/index.ts';
import { startKafka, type KafkaServer } from '../services/kafka.ts';
import { openStore } from '../storage/index.ts';
import { listCheckpoints, readCheckpointHeader } from '../stream/checkpoint.ts';
import { makePurchases, produceToTopic } from '../stream/kafka-fixture.ts';
import type { StreamingJobStatus } from '../workflows/streaming.ts';
import { startHarness, tempDir, testConfig, type Harness } from './harness.ts';
import { spawnWorker, type WorkerProcess } from './processes.ts';

const EVENTS = Number(process.env.FRESHET_STREAM_EVENTS ?? 2_000_000);
const PARTITIONS = 3;
const { default: project } = await import('./fixtures/stream-project.ts') as { default: AssetGraph };
let kafka: KafkaServer;
let h: Harness;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  kafka = await startKafka({ partitions: PARTITIONS });
  h = await startHarness(project, testConfig('stream', { project: path.resolve('test/fixtures/stream-project.ts') }), { worker: false });
}, 300_000);
afterAll(async () => {
  for (const w of workers) await w.stop();
  await h?.stop();
  await kafka?.stop();
});

describe('supervised streaming job', () => {
  it(`is exactly-once through three kill -9 of the worker (${EVENTS} events from Kafka)`, async () => {
    const topic = 'purchases';
    const events = makePurchases(EVENTS, 11, 5_000);
    const stopAt = await produceToTopic(kafka.brokers, topic, PARTITIONS, events);

    const env = { ...h.env };
    workers.push(await spawnWorker(env));
    const asset = 'spend_per_user_10s';
    const id = await startStream(h.client, h.config.taskQueue, asset, { kind: 'kafka', brokers: kafka.brokers, topic, stopAt }, { checkpointIntervalMs: 500, heartbeatTimeoutMs: 3_000 });

    const checkpoints: number[] = [];
    for (let kill = 0; kill < 3; kill++) {
      // Wait for a checkpoint newer than the last one seen, then kill at a random moment.
      const seen = checkpoints[checkpoints.length - 1] ?? 0;
      const deadline = Date.now() + 120_000;
      for (;;) {
        const st = await streamStatus(h.client, h.config.taskQueue, asset);
        const cp = st?.shardsStatus[0]?.heartbeat?.checkpointId ?? -1;
        if (cp > seen) { checkpoints.push(cp); break; }
        if (st?.state === 'finished') throw new Error('the job finished before it could be killed; raise FRESHET_STREAM_EVENTS');
        if (Date.now() > deadline) throw new Error(`no new checkpoint after ${seen}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
      await workers[workers.length - 1].kill9();
      workers.push(await spawnWorker(env));
    }
    const done = await h.client.workflow.getHandle(id).result() as StreamingJobStatus;
    expect(done.state).toBe('finished');

    // The sink: each window's newest revision, and no revision committed twice.
    const store = openStore(h.config.warehouse);
    const sink = store.at(asset);
    const rows = await readRows(sink, (await loadSnapshot(sink))!);
    const got = new Map<string, string>();
    const revisions = new Set<string>();
    let doubled = 0;
    for (const r of rows) {
      const key = `${r.user_id}@${new Date(String(r.window_start)).getTime()}`;
      if (revisions.has(`${key}#${r.revision}`)) doubled++;
      revisions.add(`${key}#${r.revision}`);
      got.set(key, `${Number(r.purchases)}|${Number(r.spend).toFixed(2)}`);
    }

    // DuckDB over the same events: every sliding window (10 s, every 2 s) the final watermark closed.
    const jobStore = store.at(`_streams/${asset}`);
    const ids = await listCheckpoints(jobStore);
    const watermark = (await readCheckpointHeader(jobStore, ids[ids.length - 1])).watermark.watermark;
    const file = path.join(tempDir('stream-events'), 'events.json');
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    const reference = (await c.runAndReadAll(`
      WITH e AS (SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {id: 'VARCHAR', user_id: 'VARCHAR', amount: 'DOUBLE', ts: 'BIGINT'})),
      w AS (SELECT user_id, amount, (floor(ts / 2000)::BIGINT * 2000) - i * 2000 AS ws FROM e, range(0, 5) t(i))
      SELECT user_id, ws, count(*) AS purchases, sum(amount) AS spend FROM w WHERE ws + 10000 - 1 <= ${watermark} GROUP BY ALL`)).getRowObjectsJson();
    const want = new Map(reference.map((r) => [`${r.user_id}@${Number(r.ws)}`, `${Number(r.purchases)}|${Number(r.spend).toFixed(2)}`]));
    expect(want.size).toBeGreaterThan(10_000);
    const wrong = [...want.keys()].filter((k) => got.get(k) !== want.get(k));
    const extra = [...got.keys()].filter((k) => !want.has(k));
    expect({ doubled, wrong: wrong.length, extra: extra.length, sample: wrong.slice(0, 3).map((k) => [k, got.get(k), want.get(k)]) })
      .toEqual({ doubled: 0, wrong: 0, extra: 0, sample: [] });
  }, 900_000);
});
