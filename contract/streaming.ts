// The streaming job's contract: the supervisor workflow's input, status, signals and query, and
// what each shard's heartbeat carries (the page and `freshet stream status` read it).

/** A source described as plain JSON, so a workflow can carry it to the shard that opens it. */
export type SourceSpec =
  /**
   * brokers: default the worker's FRESHET_KAFKA_BROKERS; credentials always come from the worker's
   * configuration, never from here. stopAt: partition → end offset, for a finite run (tests, replays)
   */
  | { kind: 'kafka'; brokers?: string[]; topic: string; stopAt?: Record<string, number> }
  | { kind: 'generator'; options: GeneratorSpec }
  | { kind: 'file'; path: string; follow?: boolean };

/** The synthetic purchases source, as a workflow input can carry it. */
export interface GeneratorSpec {
  partitions?: number;
  /** events per second of event time, per partition (default 1000) */
  eventsPerSecond?: number;
  /** event time of event 0 (default 0; realtime: now) */
  startTime?: number;
  /** produce no event before its event time */
  realtime?: boolean;
  /** events per partition, then the source is exhausted (default: endless) */
  limit?: number;
  /** a fraction of events arrive late by up to maxDelayMs */
  disorder?: { probability: number; maxDelayMs: number };
  seed?: number;
}

export interface StreamingJobInput {
  asset: string;
  source: SourceSpec;
  /** shards, each owning the source partitions p with p mod shards = index (default 1) */
  shards?: number;
  checkpointIntervalMs?: number;
  /** how fast a dead worker is noticed (default 10 s) */
  heartbeatTimeoutMs?: number;
  /** carried across continue-as-new */
  restarts?: number;
  startedAt?: number;
}

export interface StreamingJobStatus {
  asset: string;
  state: 'running' | 'restarting' | 'stopping' | 'stopped' | 'finished';
  shards: number;
  /** restarts asked for by signal (worker crashes show as activity attempts instead) */
  restarts: number;
  startedAt: number;
  source: string;
}

export type StreamingJobWorkflow = (input: StreamingJobInput) => Promise<StreamingJobStatus>;

export interface ShardInput {
  asset: string;
  source: SourceSpec;
  shard?: { index: number; count: number };
  checkpointIntervalMs?: number;
}

export interface PartitionCalibration {
  partition: number;
  events: number;
  /** events that arrived behind the partition's largest event time so far */
  outOfOrder: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** How late events really arrive, against the configured out-of-orderness bound. */
export interface Calibration {
  configuredMs: number;
  /** the bound that would have kept 99.9% of each partition's events ahead of its watermark */
  recommendedMs: number;
  partitions: PartitionCalibration[];
}

/** Why an event went to the dead-letter table instead of into state. */
export type DeadLetterReason =
  'invalid-json' | 'not-an-object' | 'filter-error' | 'key' | 'event-time' | 'future-skew' | 'dedup-id' | 'field';

/** What restore reset when the checkpoint had been blinded by a far-future event. */
export interface RestoreReset {
  /** the checkpoint's watermark */
  watermark: number;
  /** partitions whose newest event time was beyond processing time + maxFutureSkew */
  partitions: number[];
  /** panes (sessions) holding events beyond it, and keys left with nothing */
  panes: number;
  keys: number;
  /** dedup ids of events beyond it */
  ids: number;
}

/** A shard's live metrics, as of its last checkpoint. */
export interface JobMetrics {
  checkpointId: number;
  /** events taken in since this run started (after dedup), and per second over the last interval */
  events: number;
  eventsPerSecond: number;
  /** wall clock minus watermark (ms); meaningful when event time follows the wall clock */
  watermarkLagMs: number;
  watermark: number;
  stateKeys: number;
  stateBytes: number;
  rows: number;
  late: number;
  deadLetters: number;
  /** dead letters by reason, e.g. { 'future-skew': 3, 'event-time': 1 } (this run, as the counts above) */
  deadLettersByReason: Partial<Record<DeadLetterReason, number>>;
  duplicates: number;
  lastCheckpointAt: number;
  /** how long processing stood still for the last checkpoint's synchronous part */
  checkpointStallMs: number;
  /** wall time of the last checkpoint from snapshot to sink commit */
  checkpointMs: number;
  checkpointBytes: number;
  checkpointFull: boolean;
  restoredFrom: number;
  restoreMs: number;
  /** set when the restored checkpoint had been blinded by a far-future event and its watermark was reset */
  restoreReset: RestoreReset | null;
  calibration: Calibration;
}

/** What each shard heartbeat carries: read from the pending activity by the page and the CLI. */
export interface ShardHeartbeat {
  phase: 'restoring' | 'running' | 'stopping';
  /** the shard's index (0 when the job is not sharded) */
  shard: number;
  /** process.pid of the worker running this attempt */
  pid: number;
  checkpointId: number;
  restoredFrom?: number;
  restoreMs?: number;
  /** the calibration is left out of most beats (it is large and changes slowly) */
  metrics?: Omit<JobMetrics, 'calibration'> & { calibration?: Calibration };
  /**
   * The longest the worker's event loop stood still since the previous heartbeat (ms): heartbeats
   * wait on it, so a value near the heartbeat timeout explains a shard timed out on a live worker.
   */
  loopDelayMaxMs: number;
  at: number;
}

/** The merge of a salted job's partial windows, next to its shards. */
export interface MergeInput {
  asset: string;
  shards: number;
  /** between passes (default 10 s) */
  intervalMs?: number;
}

export interface MergeHeartbeat {
  pass: number;
  /** every window with end − 1 + allowed lateness at or before this is in the sink */
  watermark: number;
  windows: number;
  waitingFor: number[];
  at: number;
}

/** The activity types the supervisor schedules, as the client finds them among pending activities. */
export const SHARD_ACTIVITY = 'runStreamingShard';

/**
 * One point of a shard's metrics history, taken at a checkpoint. The shard keeps the newest
 * STREAM_HISTORY_SAMPLES of them in the job's folder (streamHistoryPath), so the page can chart
 * throughput and watermark lag across restarts of the web server, the worker and the job.
 */
export interface StreamMetricsSample {
  at: number;
  checkpointId: number;
  eventsPerSecond: number;
  watermarkLagMs: number;
  stateKeys: number;
}

/** One shard's history file: its samples, oldest first. */
export interface StreamMetricsHistory {
  shard: number;
  samples: StreamMetricsSample[];
}

/** Samples kept per shard: an hour at the default 10 s checkpoint interval, a few KiB of JSON. */
export const STREAM_HISTORY_SAMPLES = 360;

/** `history` with `sample` added, the oldest dropped past `max`: what a shard writes at each checkpoint. */
export function appendSample(
  history: StreamMetricsSample[],
  sample: StreamMetricsSample,
  max = STREAM_HISTORY_SAMPLES,
): StreamMetricsSample[] {
  const next = [...history, sample];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** The samples of a history file's text; text that is not one (torn, from elsewhere) is an empty history: it is only a chart. */
export function parseStreamHistory(text: string): StreamMetricsSample[] {
  try {
    const parsed = JSON.parse(text) as Partial<StreamMetricsHistory> | null;
    return Array.isArray(parsed?.samples) ? parsed.samples : [];
  } catch {
    return [];
  }
}
