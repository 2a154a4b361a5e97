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
  // Counters and histograms are by asset; the stream gauges by shard of an asset.
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['asset'], registers });
  const histogram = (name: string, help: string, buckets: number[]) =>
    new Histogram({ name, help, labelNames: ['asset'], buckets, registers });
  const shardGauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['asset', 'shard'], registers });

  const materializations = counter('freshet_materializations_total', 'Partitions committed by this process, by asset');
  const failures = counter(
    'freshet_materialization_failures_total',
    'Failed activity attempts (one partition, or one batch of a backfill), by asset; cancelled attempts are not counted',
  );
  const duration = histogram(
    'freshet_materialization_duration_seconds',
    "Time from a partition's computation start to its commit (in a range batch, from the batch's start), by asset",
    DURATION_BUCKETS,
  );
  const rows = counter('freshet_rows_written_total', 'Rows committed, by asset');
  const bytes = counter('freshet_bytes_written_total', 'Bytes of Parquet committed, by asset');
  const events = counter(
    'freshet_stream_events_total',
    'Events a streaming job took in (after deduplication), counted at each checkpoint; rate() gives events/s',
  );
  const eventsPerSecond = shardGauge('freshet_stream_events_per_second', "Events per second over a shard's last checkpoint interval");
  const late = counter(
    'freshet_stream_late_events_total',
    'Events later than the allowed lateness, written to the late-events table, by asset',
  );
  const dead = counter('freshet_stream_dead_letters_total', 'Malformed events written to the dead-letter table, by asset');
  const watermarkLag = shardGauge('freshet_stream_watermark_lag_seconds', "Wall clock minus a shard's watermark at its last checkpoint");
  const checkpoint = histogram(
    'freshet_stream_checkpoint_duration_seconds',
    'Time of a checkpoint from state snapshot to sink commit, by asset',
    CHECKPOINT_BUCKETS,
  );
  const restarts = counter(
    'freshet_stream_restarts_total',
    'Shard runs that resumed from a checkpoint (after a crash, a move to another worker or a restart), by asset',
  );

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
