// One run of a streaming job: restore the newest checkpoint, re-issue its sink commit, seek the
// source, then read → decode → window → checkpoint until aborted (or a finite source ends).
//
// Exactly-once, in the order things happen at checkpoint N:
//   1. (synchronous, the only stall) take the rows/late/dead produced since N−1, encode the
//      changed state, copy the source offsets and the watermark;
//   2. stage the rows as Parquet files in the three Delta tables (not yet visible);
//   3. write checkpoint N, naming those files (atomic, put-if-absent);
//   4. commit the files with txn (job, N).
// A crash before 3 restores N−1 and recomputes the same rows from the same offsets (staged files
// stay orphaned, never committed); a crash after 3 restores N and re-issues step 4, which txn
// turns into a no-op if it had gone through. Processing continues while 2–4 run.
import type { StreamingAsset } from '../core/streaming.ts';
import type { Table } from '../delta/types.ts';
import type { ObjectStore } from '../storage/types.ts';
import { newEventBatch } from './batch.ts';
import { BinaryWriter } from './codec.ts';
import { listCheckpoints, pruneBefore, restoreLatest, SnapshotWriter, writeCheckpoint } from './checkpoint.ts';
import type { CheckpointHeader, PendingCommit } from './checkpoint.ts';
import type { DeadLetter, DeadLetterReason } from './decode.ts';
import { makeDecoder } from './decode.ts';
import { WindowOperator } from './operator.ts';
import type { RestoreReset } from './operator.ts';
import { deadColumns, deltaSink, lateColumns, resultColumns } from './sink.ts';
import type { SinkWriter } from './sink.ts';
import type { StreamSource } from './source.ts';
import { ownsPartition } from './source.ts';
import { partialColumns, partialsTable, watermarkMark, writesPartials } from './partials.ts';
import type { JobMetrics } from '../contract/streaming.ts';

export type { JobMetrics };

export interface StreamingJobOptions {
  job: StreamingAsset;
  /** where this job's checkpoints live, e.g. warehouse.at('_streams/purchases_last_5m') */
  store: ObjectStore;
  sinkTable: Table;
  /** default: store.at('late_events') */
  lateTable?: Table;
  /** default: store.at('dead_letters') */
  deadLetterTable?: Table;
  source: StreamSource;
  /** default 10 000 */
  checkpointIntervalMs?: number;
  /** every n-th checkpoint is full and prunes the chains before it (default 10) */
  compactEvery?: number;
  signal: AbortSignal;
  onCheckpoint?: (id: number, metrics: JobMetrics) => void | Promise<void>;
  /** called once the checkpoint is restored and the source positioned, before the first event */
  onStart?: (info: {
    restoredFrom: number;
    restoreMs: number;
    restoreReset: RestoreReset | null;
    offsets: Record<string, number>;
    stateKeys: number;
  }) => void | Promise<void>;
  /** a shard reads the partitions p with p mod count = index, and has its own checkpoints and txn appId */
  shard?: { index: number; count: number };
  /** events per operator batch (default 4096) */
  batchSize?: number;
  /** default: Parquet through DuckDB, committed with delta/ */
  sink?: SinkWriter;
  now?: () => number;
}

export interface JobResult {
  checkpointId: number;
  metrics: JobMetrics;
  /** why the run ended */
  reason: 'aborted' | 'source-exhausted';
}

/** The job's identity for its checkpoints: what the state means. */
export function jobFingerprint(asset: StreamingAsset): string {
  const text = JSON.stringify({ key: asset.key, window: asset.window, aggregates: asset.aggregates, eventTime: asset.eventTime });
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function jobAppId(asset: StreamingAsset, shard?: { index: number; count: number }): string {
  return shard ? `freshet-stream:${asset.name}:shard-${shard.index}-of-${shard.count}` : `freshet-stream:${asset.name}`;
}

/** Runs the job until `signal` aborts (then takes a last checkpoint) or a finite source is exhausted. */
export async function runStreamingJob(opts: StreamingJobOptions): Promise<JobResult> {
  const asset = opts.job;
  const now = opts.now ?? Date.now;
  const interval = opts.checkpointIntervalMs ?? 10_000;
  const compactEvery = opts.compactEvery ?? 10;
  const store = opts.shard ? opts.store.at(`shard-${opts.shard.index}-of-${opts.shard.count}`) : opts.store;
  // salted shards write partial windows for the merge (merge.ts) instead of final rows
  const partial = writesPartials(asset, opts.shard);
  const shardIndex = opts.shard?.index ?? 0;
  const tables = {
    rows: partial ? partialsTable(opts.store) : opts.sinkTable,
    late: opts.lateTable ?? opts.store.at('late_events'),
    dead: opts.deadLetterTable ?? opts.store.at('dead_letters'),
  };
  const sink = opts.sink ?? deltaSink();
  const appId = jobAppId(asset, opts.shard);
  const fingerprint = jobFingerprint(asset);
  const noStamp = { emittedAt: 0, checkpoint: 0 };
  const rowColumns = (stamp: { emittedAt: number; checkpoint: number }) =>
    partial ? partialColumns(asset, stamp, shardIndex) : resultColumns(asset, stamp);
  const schemas = {
    rows: rowColumns(noStamp).map((c) => c.field),
    late: lateColumns(noStamp).map((c) => c.field),
    dead: deadColumns(noStamp).map((c) => c.field),
  };

  const op = new WindowOperator(asset, { now, emitPartials: partial });
  const decoder = makeDecoder(asset, op.aggs, now);
  const batch = newEventBatch(opts.batchSize ?? 4096, op.aggs.numericFields.length, op.aggs.valueFields.length);

  // ---- restore ----
  const restoreStarted = now();
  const restored = await restoreLatest(store, op, fingerprint);
  let lastId = restored?.header.id ?? 0;
  let chainLength = restored?.header.chainLength ?? 0;
  const offsets: Record<string, number> = { ...(restored?.header.offsets ?? {}) };
  let sinkVersion = restored?.header.sinkVersion ?? 0;
  if (restored) {
    await commitPending(restored.header.id, restored.header.pending, restored.header.watermark.watermark);
    sinkVersion = restored.header.id;
  }
  const restoreMs = now() - restoreStarted;
  // one buffer for every checkpoint's state (the next snapshot starts only after the previous
  // write), sized from the restored chain so growing it does not land inside a checkpoint
  const stateWriter = new BinaryWriter(Math.max(1 << 20, Math.ceil((restored?.bytes ?? 0) * 1.25)));

  const partitions = (await opts.source.open(offsets)).filter((p) => ownsPartition(opts.shard, p));
  for (const p of partitions) op.tracker.addPartition(p);
  const restoreReset = restored?.reset ?? null;
  await opts.onStart?.({
    restoredFrom: restored?.header.id ?? 0,
    restoreMs,
    restoreReset,
    offsets: { ...offsets },
    stateKeys: op.keys.size,
  });

  // ---- run ----
  let dead: DeadLetter[] = [];
  const counters = { events: 0, rows: 0, late: 0, dead: 0 };
  const deadByReason: Partial<Record<DeadLetterReason, number>> = {};
  let lastCheckpointAt = now();
  let eventsAtLastCheckpoint = 0;
  let inflight: Promise<void> | undefined;
  let failure: unknown;
  // the state snapshot being encoded in slices between batches, and who waits for it
  let encoding: { writer: SnapshotWriter; resolve: () => void } | undefined;
  const SLICE_MS = 5;

  function stepSnapshot(budgetMs: number): void {
    if (encoding && encoding.writer.step(budgetMs)) {
      encoding.resolve();
      encoding = undefined;
    }
  }
  const metrics: JobMetrics = {
    checkpointId: lastId,
    events: 0,
    eventsPerSecond: 0,
    watermarkLagMs: 0,
    watermark: op.watermark,
    stateKeys: op.keys.size,
    stateBytes: 0,
    rows: 0,
    late: 0,
    deadLetters: 0,
    deadLettersByReason: {},
    duplicates: 0,
    lastCheckpointAt,
    checkpointStallMs: 0,
    checkpointMs: 0,
    checkpointBytes: restored?.bytes ?? 0,
    checkpointFull: false,
    restoredFrom: restored?.header.id ?? 0,
    restoreMs,
    restoreReset,
    calibration: op.tracker.calibration(),
  };

  async function commitPending(id: number, pending: PendingCommit, watermark: number): Promise<void> {
    const info = { operation: 'STREAMING UPDATE', freshetJob: asset.name, checkpoint: id };
    // results last: a reader that sees version N of the results table sees N's late/dead records too
    if (pending.late.length > 0) await sink.commit(tables.late, schemas.late, pending.late, { appId, version: id }, info);
    if (pending.dead.length > 0) await sink.commit(tables.dead, schemas.dead, pending.dead, { appId, version: id }, info);
    // partials carry the shard's watermark with every commit, rows or not: the merge waits on it
    const mark = partial && Number.isFinite(watermark) ? [{ appId: watermarkMark(appId), version: Math.floor(watermark) }] : undefined;
    if (pending.rows.length > 0 || mark)
      await sink.commit(tables.rows, schemas.rows, pending.rows, { appId, version: id, marks: mark }, info);
  }

  function checkpoint(): Promise<void> {
    const started = performance.now();
    const id = lastId + 1;
    lastId = id;
    const full = chainLength + 1 >= compactEvery || id === 1;
    chainLength = full ? 0 : chainLength + 1;
    const emittedAt = now();
    const out = op.drain();
    const stamp = { emittedAt, checkpoint: id };
    const rows = out.rows;
    const late = out.late;
    const deadNow = dead;
    dead = [];
    const snapWriter = new SnapshotWriter(op, full, stateWriter);
    snapWriter.start();
    const encoded = new Promise<void>((resolve) => {
      encoding = { writer: snapWriter, resolve };
    });
    stepSnapshot(0);
    const header: Omit<CheckpointHeader, 'magic' | 'pending'> = {
      job: asset.name,
      id,
      parent: full ? null : id - 1,
      createdAt: emittedAt,
      offsets: { ...offsets },
      watermark: op.tracker.state(),
      sinkVersion,
      chainLength,
      fingerprint,
      keyCount: op.keys.size,
    };
    counters.rows += rows.length;
    counters.late += late.length;
    counters.dead += deadNow.length;
    for (const d of deadNow) deadByReason[d.reason] = (deadByReason[d.reason] ?? 0) + 1;
    const startMs = performance.now() - started;
    const intervalEvents = counters.events - eventsAtLastCheckpoint;
    const intervalMs = Math.max(1, emittedAt - lastCheckpointAt);
    eventsAtLastCheckpoint = counters.events;
    lastCheckpointAt = emittedAt;
    return (async () => {
      const pending: PendingCommit = {
        rows: await sink.stage(tables.rows, rows, rowColumns(stamp)),
        late: await sink.stage(tables.late, late, lateColumns(stamp)),
        dead: await sink.stage(tables.dead, deadNow, deadColumns(stamp)),
      };
      await encoded;
      const snap = snapWriter.result();
      const stallMs = Math.max(startMs, snapWriter.maxPauseMs);
      const bytesBefore = snap.body.length;
      await writeCheckpoint(store, { ...header, pending, metrics: { events: counters.events, rows: counters.rows } }, snap);
      await commitPending(id, pending, header.watermark.watermark);
      sinkVersion = id;
      if (full) await pruneBefore(store, id);
      Object.assign(metrics, {
        checkpointId: id,
        events: counters.events,
        eventsPerSecond: (intervalEvents * 1000) / intervalMs,
        watermark: op.watermark,
        watermarkLagMs: Number.isFinite(op.watermark) ? now() - op.watermark : 0,
        stateKeys: op.keys.size,
        stateBytes: op.stateBytes(),
        rows: counters.rows,
        late: counters.late,
        deadLetters: counters.dead,
        deadLettersByReason: { ...deadByReason },
        duplicates: op.metrics.duplicates,
        lastCheckpointAt: emittedAt,
        checkpointStallMs: stallMs,
        checkpointMs: now() - emittedAt,
        checkpointBytes: bytesBefore,
        checkpointFull: full,
        calibration: op.tracker.calibration(),
      } satisfies Partial<JobMetrics>);
      await opts.onCheckpoint?.(id, { ...metrics });
    })();
  }

  async function awaitInflight(): Promise<void> {
    // the checkpoint in flight may wait for its snapshot, which only this loop can finish
    stepSnapshot(Infinity);
    if (inflight) {
      const p = inflight;
      inflight = undefined;
      await p;
    }
  }

  let reason: JobResult['reason'] = 'aborted';
  try {
    while (!opts.signal.aborted) {
      if (failure) throw failure;
      const batches = await opts.source.poll(batch.capacity, 100);
      if (batches === null) {
        reason = 'source-exhausted';
        break;
      }
      let got = 0;
      for (const sb of batches) {
        if (!ownsPartition(opts.shard, sb.partition)) continue;
        let at = 0;
        while (at < sb.records.length) {
          batch.size = 0;
          at = decoder.decode(sb, at, batch, dead);
          got += batch.size;
          if (batch.size > 0) op.process(batch);
        }
        offsets[String(sb.partition)] = sb.nextOffset;
      }
      counters.events += got;
      if (got === 0) op.idleTick();
      stepSnapshot(SLICE_MS);
      if (now() - lastCheckpointAt >= interval) {
        // one checkpoint in flight at a time: the next waits for the previous commit
        await awaitInflight();
        inflight = checkpoint();
        inflight.catch((e: unknown) => {
          failure = e;
        });
      }
      // let the checkpoint's I/O and timers run between batches of a synchronous source
      if (got > 0) await new Promise<void>((r) => setImmediate(r));
    }
    await awaitInflight();
    // a last checkpoint so a restart resumes exactly here
    const final = checkpoint();
    stepSnapshot(Infinity);
    await final;
    return { checkpointId: lastId, metrics: { ...metrics }, reason };
  } finally {
    // never leave a checkpoint being written behind a failed run: a retry would race it
    stepSnapshot(Infinity);
    if (inflight) await inflight.catch(() => undefined);
    await opts.source.close();
    if (!opts.sink) await sink.close();
  }
}

/** The newest checkpoint id of a job (0 when none), for status pages. */
export async function latestCheckpointId(store: ObjectStore): Promise<number> {
  const ids = await listCheckpoints(store);
  return ids.length > 0 ? ids[ids.length - 1] : 0;
}
