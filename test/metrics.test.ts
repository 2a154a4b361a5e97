// Metrics and logs of real processes: a `freshet worker` (its own /metrics with the Temporal
// SDK's series appended, JSON logs on stderr) runs a backfill, a single materialization and the
// example stream; the web server's /metrics gives freshness lag and a backfill's partitions by
// state. Values are held against the Delta tables read independently with DuckDB.
import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import project from '../assets/index.ts';
import { backfillOutcome, cancelBackfill, pauseBackfill, startBackfill, type ControlContext } from '../control/backfills.ts';
import { startMaterialize } from '../control/materialize.ts';
import { restartStream, startStream, stopStream } from '../control/streams.ts';
import type { BackfillProgress } from '../contract/backfill.ts';
import { loadSnapshot } from '../delta/index.ts';
import { assetTable } from '../engine/index.ts';
import { openStore } from '../storage/index.ts';
import { startWebServer, type WebServer } from '../web/index.ts';
import { startHarness, testConfig, type Harness } from './harness.ts';
import { parsePrometheus, sampleValue, type Sample } from './support/runtime/prometheus-text.ts';
import { spawnWorker, type WorkerProcess } from './processes.ts';
import { until } from './support/until.ts';

const TOKEN = 'web-token-for-the-metrics-test';
const AWS_SECRET = 'aws-secret-for-the-metrics-test';
const DAYS = ['2026-01-01', '2026-01-02', '2026-01-03'];

let h: Harness;
let worker: WorkerProcess;
let workerMetricsUrl: string;
let web: WebServer;
let ctx: ControlContext;

beforeAll(async () => {
  h = await startHarness(project, testConfig('metrics'), { worker: false });
  ctx = { client: h.client, taskQueue: h.config.taskQueue, graph: project, warehouse: openStore(h.config.warehouse) };
  worker = await spawnWorker({
    ...h.env,
    FRESHET_PROJECT: fileURLToPath(new URL('./fixtures/no-sla-project.ts', import.meta.url)),
    FRESHET_METRICS_PORT: '0',
    FRESHET_LOG_FORMAT: 'json',
    FRESHET_LOG_LEVEL: 'DEBUG',
    // set, so the test can show they never reach a log line
    FRESHET_TOKEN: TOKEN,
    AWS_SECRET_ACCESS_KEY: AWS_SECRET,
  });
  workerMetricsUrl = /metrics at (http:\/\/\S+\/metrics)/.exec(worker.output())![1];
  web = await startWebServer({ config: h.config, graph: project, client: h.client, port: 0, page: false, token: TOKEN });
});

afterAll(async () => {
  await web?.stop();
  await worker?.stop();
  await h?.stop();
});

async function scrape(url: string, token?: string): Promise<Sample[]> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parsePrometheus(await res.text());
}

/** Rows and Parquet bytes of an asset's live files, read by DuckDB and the Delta log. */
async function tableRowsAndBytes(asset: string): Promise<{ rows: number; bytes: number }> {
  const snapshot = (await loadSnapshot(assetTable(openStore(h.config.warehouse), asset)))!;
  const files = snapshot.files.map((f) => `'${path.join(h.config.warehouse, asset, decodeURIComponent(f.path))}'`);
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const rows = (await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet([${files.join(', ')}])`)).getRowObjectsJS()[0].n;
  db.closeSync();
  return { rows: Number(rows), bytes: snapshot.files.reduce((n, f) => n + f.size, 0) };
}

describe("a worker's /metrics after real runs", () => {
  it('counts each partition once, with rows and bytes equal to the tables, and carries the SDK series', async () => {
    const { id } = await startBackfill(ctx, { assets: ['transactions'], downstream: false, from: DAYS[0], to: DAYS[2], concurrency: 2 });
    const progress = (await h.client.workflow.getHandle(id).result()) as BackfillProgress;
    expect(progress.status).toBe('succeeded');
    await (await startMaterialize(h.client, h.config.taskQueue, project.get('user_profiles'))).result();

    const m = await scrape(workerMetricsUrl);
    const tx = { asset: 'transactions' };
    expect(sampleValue(m, 'freshet_materializations_total', tx)).toBe(DAYS.length);
    expect(sampleValue(m, 'freshet_materializations_total', { asset: 'user_profiles' })).toBe(1);
    expect(sampleValue(m, 'freshet_materialization_failures_total', tx)).toBeUndefined();
    expect(sampleValue(m, 'freshet_materialization_duration_seconds_count', tx)).toBe(DAYS.length);
    expect(sampleValue(m, 'freshet_materialization_duration_seconds_sum', tx)).toBeGreaterThan(0);
    for (const asset of ['transactions', 'user_profiles']) {
      const table = await tableRowsAndBytes(asset);
      expect(table.rows).toBeGreaterThan(0);
      expect(sampleValue(m, 'freshet_rows_written_total', { asset })).toBe(table.rows);
      expect(sampleValue(m, 'freshet_bytes_written_total', { asset })).toBe(table.bytes);
    }
    // prom-client's process metrics and the Temporal SDK's own, on the same target
    expect(sampleValue(m, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    const sdk = m.filter((s) => s.name.startsWith('temporal_'));
    expect(sdk.length).toBeGreaterThan(10);
    expect(
      sampleValue(m, 'temporal_activity_execution_latency_seconds_count', { activity_type: 'materializePartitions' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('logs JSON lines with asset, partition, workflowId, runId and attempt, and never a secret', async () => {
    // The worker writes a workflow's completion after the client has its result: wait until the
    // lines this test reads have reached its pipe.
    const jsonLines = (o: string) =>
      o
        .slice(0, o.lastIndexOf('\n')) // whole lines only: the last may still be arriving
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const has = (o: string, msg: string, key: 'activityType' | 'workflowType', value: string) =>
      jsonLines(o).some((l) => l.msg === msg && l[key] === value);
    const out = await until(
      "the backfill's and the single run's completions in the worker's log",
      () => Promise.resolve(worker.output()),
      (o) =>
        has(o, 'Activity completed', 'activityType', 'materializePartitions') &&
        has(o, 'Activity completed', 'activityType', 'materializePartition') &&
        has(o, 'Workflow completed', 'workflowType', 'backfill'),
    );
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain(AWS_SECRET);
    const lines = jsonLines(out);
    const done = lines.filter((l) => l.msg === 'Activity completed' && l.activityType === 'materializePartitions');
    expect(done.length).toBeGreaterThan(0);
    for (const l of done) {
      expect(l).toMatchObject({ level: 'debug', name: 'freshet-worker', asset: 'transactions', attempt: 1 });
      expect(l.partition).toMatch(/^2026-01-0[1-3]/);
      expect(l.workflowId).toMatch(/backfill/);
      expect(typeof l.runId).toBe('string');
      expect(l.time).toMatch(/Z$/);
    }
    const single = lines.find((l) => l.msg === 'Activity completed' && l.activityType === 'materializePartition');
    expect(single).toMatchObject({ asset: 'user_profiles' });
    // the workflows' lines come through the SDK's deterministic sink, with their run
    const wf = lines.find((l) => l.msg === 'Workflow completed' && l.workflowType === 'backfill');
    expect(wf).toMatchObject({ level: 'debug', name: 'freshet-worker' });
    expect(wf?.workflowId).toMatch(/backfill/);
    expect(typeof wf?.runId).toBe('string');
  });

  it('counts stream events, checkpoints, watermark lag and restarts', async () => {
    const asset = project.streams[0].name;
    await startStream(
      h.client,
      h.config.taskQueue,
      asset,
      { kind: 'generator', options: { realtime: true, eventsPerSecond: 200, partitions: 1 } },
      { checkpointIntervalMs: 500 },
    );
    try {
      const m = await until(
        'stream events in the metrics',
        () => scrape(workerMetricsUrl),
        (s) => (sampleValue(s, 'freshet_stream_events_total', { asset }) ?? 0) > 0,
      );
      expect(sampleValue(m, 'freshet_stream_checkpoint_duration_seconds_count', { asset })).toBeGreaterThan(0);
      expect(sampleValue(m, 'freshet_stream_watermark_lag_seconds', { asset, shard: '0' })).toBeGreaterThanOrEqual(0);
      expect(sampleValue(m, 'freshet_stream_events_per_second', { asset, shard: '0' })).toBeGreaterThan(0);
      expect(sampleValue(m, 'freshet_stream_restarts_total', { asset })).toBe(0);
      // a restart resumes from the newest checkpoint: one restart counted
      await restartStream(h.client, h.config.taskQueue, asset);
      await until(
        'the restart in the metrics',
        () => scrape(workerMetricsUrl),
        (s) => sampleValue(s, 'freshet_stream_restarts_total', { asset }) === 1,
      );
    } finally {
      await stopStream(h.client, h.config.taskQueue, asset);
    }
    // the shard's gauges go with it
    const after = await until(
      'the stopped shard to leave the gauges',
      () => scrape(workerMetricsUrl),
      (s) => sampleValue(s, 'freshet_stream_watermark_lag_seconds', { asset }) === undefined,
    );
    expect(sampleValue(after, 'freshet_stream_events_total', { asset })).toBeGreaterThan(0);
  });
});

describe("the web's /metrics", () => {
  it('needs the token when the server has one', async () => {
    expect((await fetch(`${web.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${web.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it("gives each asset's freshness lag and its SLA", async () => {
    const m = await scrape(`${web.url}/metrics`, TOKEN);
    // transactions' newest day is 2026-01-03: its data reaches the end of that day
    const lag = sampleValue(m, 'freshet_freshness_lag_seconds', { asset: 'transactions' })!;
    const expected = (Date.now() - Date.parse('2026-01-04T00:00:00Z')) / 1000;
    expect(Math.abs(lag - expected)).toBeLessThan(120);
    const sla = project.get('transactions').freshness;
    if (sla) expect(sampleValue(m, 'freshet_freshness_max_lag_seconds', { asset: 'transactions' })).toBe(sla.maxLagMs / 1000);
    expect(sampleValue(m, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it("gives a running backfill's partitions by state", async () => {
    const days = 20;
    const { id } = await startBackfill(ctx, {
      assets: ['transactions'],
      downstream: false,
      from: '2026-02-01',
      to: '2026-02-20',
      concurrency: 1,
    });
    await pauseBackfill(ctx, id);
    try {
      const m = await until(
        'the paused backfill in the metrics',
        () => scrape(`${web.url}/metrics`, TOKEN),
        (s) => sampleValue(s, 'freshet_backfill_partitions', { asset: 'transactions' }) === days,
      );
      expect(sampleValue(m, 'freshet_backfill_partitions', { asset: 'transactions', state: 'pending' })).toBeGreaterThan(0);
      expect(sampleValue(m, 'freshet_backfills_running')).toBe(1);
    } finally {
      await cancelBackfill(ctx, id);
      expect((await backfillOutcome(ctx, id)).status).toBe('cancelled');
    }
  });
});
