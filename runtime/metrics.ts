// The process's Prometheus metrics (prom-client): one registry per process, Freshet's series
// named here once, the worker's activities counting into them through activities/metrics.ts's
// interface, and other exposition texts (the Temporal SDK's own) appended so one scrape of a
// process gets all of its series.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ActivityMetrics } from '../activities/metrics.ts';

export interface Metrics {
  registry: Registry;
  /** what the worker's activities count into */
  activities: ActivityMetrics;
  /** adds an exposition text to every scrape after this registry's (the Temporal SDK's series) */
  append(source: () => Promise<string>): void;
  /** the exposition text: this registry's series, then the appended ones */
  render(): Promise<string>;
  contentType: string;
}

const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const CHECKPOINT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const materializations = new Counter({
    name: 'freshet_materializations_total',
    help: 'Partitions committed by this process, by asset',
    labelNames: ['asset'],
    registers,
  });
  const failures = new Counter({
    name: 'freshet_materialization_failures_total',
    help: 'Failed activity attempts (one partition, or one batch of a backfill), by asset; cancelled attempts are not counted',
    labelNames: ['asset'],
    registers,
  });
  const duration = new Histogram({
    name: 'freshet_materialization_duration_seconds',
    help: "Time from a partition's computation start to its commit (in a range batch, from the batch's start), by asset",
    labelNames: ['asset'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const rows = new Counter({ name: 'freshet_rows_written_total', help: 'Rows committed, by asset', labelNames: ['asset'], registers });
  const bytes = new Counter({
    name: 'freshet_bytes_written_total',
    help: 'Bytes of Parquet committed, by asset',
    labelNames: ['asset'],
    registers,
  });
  const events = new Counter({
    name: 'freshet_stream_events_total',
    help: 'Events a streaming job took in (after deduplication), counted at each checkpoint; rate() gives events/s',
    labelNames: ['asset'],
    registers,
  });
  const eventsPerSecond = new Gauge({
    name: 'freshet_stream_events_per_second',
    help: "Events per second over a shard's last checkpoint interval",
    labelNames: ['asset', 'shard'],
    registers,
  });
  const late = new Counter({
    name: 'freshet_stream_late_events_total',
    help: 'Events later than the allowed lateness, written to the late-events table, by asset',
    labelNames: ['asset'],
    registers,
  });
  const dead = new Counter({
    name: 'freshet_stream_dead_letters_total',
    help: 'Malformed events written to the dead-letter table, by asset',
    labelNames: ['asset'],
    registers,
  });
  const watermarkLag = new Gauge({
    name: 'freshet_stream_watermark_lag_seconds',
    help: "Wall clock minus a shard's watermark at its last checkpoint",
    labelNames: ['asset', 'shard'],
    registers,
  });
  const checkpoint = new Histogram({
    name: 'freshet_stream_checkpoint_duration_seconds',
    help: 'Time of a checkpoint from state snapshot to sink commit, by asset',
    labelNames: ['asset'],
    buckets: CHECKPOINT_BUCKETS,
    registers,
  });
  const restarts = new Counter({
    name: 'freshet_stream_restarts_total',
    help: 'Shard runs that resumed from a checkpoint (after a crash, a move to another worker or a restart), by asset',
    labelNames: ['asset'],
    registers,
  });

  const activities: ActivityMetrics = {
    materialized(r) {
      const asset = r.asset;
      materializations.inc({ asset });
      duration.observe({ asset }, r.durationMs / 1000);
      rows.inc({ asset }, r.rows);
      bytes.inc({ asset }, r.bytes);
    },
    failed: (asset) => failures.inc({ asset }),
    streamStarted(asset, _shard, restored) {
      if (restored) restarts.inc({ asset });
      else restarts.inc({ asset }, 0); // the series exists from the first run
    },
    streamCheckpoint(asset, shard, m, since) {
      const labels = { asset, shard: String(shard) };
      events.inc({ asset }, Math.max(0, since.events));
      late.inc({ asset }, Math.max(0, since.late));
      dead.inc({ asset }, Math.max(0, since.deadLetters));
      eventsPerSecond.set(labels, m.eventsPerSecond);
      watermarkLag.set(labels, Math.max(0, m.watermarkLagMs) / 1000);
      checkpoint.observe({ asset }, m.checkpointMs / 1000);
    },
    streamStopped(asset, shard) {
      const labels = { asset, shard: String(shard) };
      eventsPerSecond.remove(labels);
      watermarkLag.remove(labels);
    },
  };

  const appended: Array<() => Promise<string>> = [];
  return {
    registry,
    activities,
    append: (source) => appended.push(source),
    async render() {
      const texts = [await registry.metrics(), ...(await Promise.all(appended.map((s) => s())))];
      return texts.map((t) => (t.endsWith('\n') ? t : `${t}\n`)).join('');
    },
    contentType: registry.contentType,
  };
}

/**
 * The Temporal SDK's own metrics (Runtime telemetry), read from its Prometheus endpoint at
 * `address`; a scrape that cannot reach it still gets Freshet's series and a comment saying why.
 */
export function sdkMetricsSource(address: string, timeoutMs = 2_000): () => Promise<string> {
  return async () => {
    try {
      const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) return `# Temporal SDK metrics at ${address}: HTTP ${res.status}\n`;
      return await res.text();
    } catch (err) {
      return `# Temporal SDK metrics at ${address} could not be read: ${(err as Error).message}\n`;
    }
  };
}
