import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { MaterializeResult } from '../contract/materialize.ts';
import type { JobMetrics } from '../contract/streaming.ts';
import { parsePrometheus, sampleValue } from '../test/support/runtime/prometheus-text.ts';
import { freeLoopbackPort, serveMetrics, type MetricsServer } from './metrics-server.ts';
import { createMetrics, sdkMetricsSource } from './metrics.ts';

const open: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
async function serve(...args: Parameters<typeof serveMetrics>) {
  const s = await serveMetrics(...args);
  open.push(s);
  return s;
}

const result = (asset: string, rows: number, bytes: number, durationMs: number): MaterializeResult => ({
  asset,
  partition: '2026-01-01',
  version: 1,
  rows,
  bytes,
  durationMs,
  inputVersions: {},
  alreadyCommitted: false,
});

describe("the process's metrics", () => {
  it('counts what the activities report, per asset', async () => {
    const m = createMetrics();
    m.activities.materialized(result('clicks', 10, 1000, 1500));
    m.activities.materialized(result('clicks', 5, 600, 500));
    m.activities.materialized(result('views', 1, 10, 10));
    m.activities.failed('clicks');
    const s = parsePrometheus(await m.render());
    expect(sampleValue(s, 'freshet_materializations_total', { asset: 'clicks' })).toBe(2);
    expect(sampleValue(s, 'freshet_rows_written_total', { asset: 'clicks' })).toBe(15);
    expect(sampleValue(s, 'freshet_bytes_written_total', { asset: 'clicks' })).toBe(1600);
    expect(sampleValue(s, 'freshet_materialization_duration_seconds_sum', { asset: 'clicks' })).toBe(2);
    expect(sampleValue(s, 'freshet_materialization_duration_seconds_bucket', { asset: 'clicks', le: '1' })).toBe(1);
    expect(sampleValue(s, 'freshet_materialization_failures_total', { asset: 'clicks' })).toBe(1);
    expect(sampleValue(s, 'freshet_materializations_total', { asset: 'views' })).toBe(1);
    expect(sampleValue(s, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it("takes a stream's counts as increments and drops a stopped shard's gauges", async () => {
    const m = createMetrics();
    const job = { eventsPerSecond: 250, watermarkLagMs: 3_500, checkpointMs: 40 } as JobMetrics;
    m.activities.streamStarted('spend', 0, false);
    m.activities.streamCheckpoint('spend', 0, job, { events: 100, late: 2, deadLetters: 1 });
    m.activities.streamCheckpoint('spend', 0, job, { events: 50, late: 0, deadLetters: 0 });
    m.activities.streamStarted('spend', 1, true);
    let s = parsePrometheus(await m.render());
    expect(sampleValue(s, 'freshet_stream_events_total', { asset: 'spend' })).toBe(150);
    expect(sampleValue(s, 'freshet_stream_late_events_total', { asset: 'spend' })).toBe(2);
    expect(sampleValue(s, 'freshet_stream_dead_letters_total', { asset: 'spend' })).toBe(1);
    expect(sampleValue(s, 'freshet_stream_watermark_lag_seconds', { asset: 'spend', shard: '0' })).toBe(3.5);
    expect(sampleValue(s, 'freshet_stream_events_per_second', { asset: 'spend', shard: '0' })).toBe(250);
    expect(sampleValue(s, 'freshet_stream_checkpoint_duration_seconds_count', { asset: 'spend' })).toBe(2);
    expect(sampleValue(s, 'freshet_stream_restarts_total', { asset: 'spend' })).toBe(1);
    m.activities.streamStopped('spend', 0);
    s = parsePrometheus(await m.render());
    expect(sampleValue(s, 'freshet_stream_watermark_lag_seconds', { asset: 'spend' })).toBeUndefined();
    expect(sampleValue(s, 'freshet_stream_events_total', { asset: 'spend' })).toBe(150);
  });

  it("appends the SDK's text, and still answers when the SDK's endpoint is down", async () => {
    const m = createMetrics();
    m.append(async () => '# TYPE temporal_x_total counter\ntemporal_x_total 3');
    m.append(sdkMetricsSource(`127.0.0.1:${await freeLoopbackPort()}`, 500));
    const text = await m.render();
    expect(sampleValue(parsePrometheus(text), 'temporal_x_total')).toBe(3);
    expect(text).toMatch(/^# Temporal SDK metrics at 127\.0\.0\.1:\d+ could not be read/m);
  });
});

describe("a worker's /metrics server", () => {
  it('serves GET /metrics only, on a free port for each of several workers', async () => {
    const [a, b] = [
      await serve(createMetrics(), { host: '127.0.0.1', port: 0 }),
      await serve(createMetrics(), { host: '127.0.0.1', port: 0 }),
    ];
    expect(a.port).not.toBe(b.port);
    expect(a.url).toBe(`http://127.0.0.1:${a.port}/metrics`);
    const res = await fetch(a.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect((await fetch(a.url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(a.url, { method: 'POST' })).status).toBe(404);
  });

  it('fails at start on a taken port, naming the variable', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(serveMetrics(createMetrics(), { host: '127.0.0.1', port })).rejects.toThrow(
        new RegExp(`metrics port ${port} on 127\\.0\\.0\\.1 is taken: set FRESHET_METRICS_PORT`),
      );
    } finally {
      taken.close();
    }
  });

  it('off loopback, asks for FRESHET_TOKEN when one is set', async () => {
    const s = await serve(createMetrics(), { host: '0.0.0.0', port: 0, token: 'metrics-token' });
    expect((await fetch(s.url)).status).toBe(401);
    expect((await fetch(s.url, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(s.url, { headers: { authorization: 'Bearer metrics-token' } })).status).toBe(200);
    // on loopback only this machine can scrape: no token asked, as for the web page
    const local = await serve(createMetrics(), { host: '127.0.0.1', port: 0, token: 'metrics-token' });
    expect((await fetch(local.url)).status).toBe(200);
  });
});
