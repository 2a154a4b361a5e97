// Nexmark-shaped benchmark of the streaming runtime. For q5, q11, q18 and a q15-style distinct
// count it measures: events/s on one core from the generator (no sink, as Nexmark's blackhole),
// events/s from Kafka with the Delta sink and 1 s checkpoints, event-to-committed latency, state
// bytes per key, checkpoint stall, restore time after SIGKILL; and checks every closed window
// against DuckDB SQL over the same events. Writes bench/results/stream.json.
//
//   node --max-semi-space-size=64 --import tsx bench/stream.ts            (BENCH_EVENTS=10000000 BENCH_REF_EVENTS=1000000
//                                                 BENCH_KAFKA_EVENTS=1000000 BENCH_KAFKA_RUNS=3 BENCH_LATENCY_S=20)
//
// A part of it: BENCH_QUERIES=q5 (comma list) and BENCH_PARTS=kafka (any of gen,kafka,restore,
// latency,million); what runs replaces its own fields in stream.json and leaves the rest (BENCH_OUT=file
// writes there instead). Each
// Kafka run reads the same topic afresh; kafka_events_per_s is the median of BENCH_KAFKA_RUNS.
//   BENCH_QUERIES=q5 BENCH_PARTS=kafka node --max-semi-space-size=64 --import tsx bench/stream.ts
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { count, streamingAsset, tumbling } from '../core/streaming.ts';
import type { StreamingAsset } from '../core/streaming.ts';
import { startKafka } from '../services/kafka.ts';
import type { KafkaServer } from '../services/kafka.ts';
import { LocalStore } from '../storage/local.ts';
import { newEventBatch } from '../stream/batch.ts';
import { restoreLatest, SnapshotWriter, snapshotState, writeCheckpoint } from '../stream/checkpoint.ts';
import { BinaryWriter } from '../stream/codec.ts';
import { makeDecoder } from '../stream/decode.ts';
import { jobFingerprint, runStreamingJob } from '../stream/job.ts';
import type { JobMetrics } from '../stream/job.ts';
import type { ChildConfig } from '../test/support/stream/job-child.ts';
import { WindowOperator } from '../stream/operator.ts';
import type { WindowRow } from '../stream/operator.ts';
import { deltaSink } from '../stream/sink.ts';
import type { SinkWriter } from '../stream/sink.ts';
import { generatorSource } from '../stream/source-generator.ts';
import { kafkaSource } from '../stream/source-kafka.ts';
import { DISORDER, EVENTS_PER_SECOND, LATENCY_DISORDER, latencyQueries, nexmarkEvent, queries } from './stream-nexmark.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const REF_N = Number(process.env.BENCH_REF_EVENTS ?? 1_000_000);
const KAFKA_N = Number(process.env.BENCH_KAFKA_EVENTS ?? 1_000_000);
const LATENCY_S = Number(process.env.BENCH_LATENCY_S ?? 20);
const KAFKA_RUNS = Number(process.env.BENCH_KAFKA_RUNS ?? 3);
const PARTS = ['gen', 'kafka', 'restore', 'latency', 'million'] as const;
const parts = new Set((process.env.BENCH_PARTS ?? PARTS.join(',')).split(',').map((p) => p.trim()));
for (const p of parts)
  if (!(PARTS as readonly string[]).includes(p)) throw new Error(`BENCH_PARTS: unknown part '${p}'; use ${PARTS.join(',')}`);
const only = process.env.BENCH_QUERIES?.split(',').map((q) => q.trim());
for (const q of only ?? [])
  if (!(q in queries)) throw new Error(`BENCH_QUERIES: unknown query '${q}'; use ${Object.keys(queries).join(',')}`);
const selected = (all: Record<string, StreamingAsset>) => Object.entries(all).filter(([q]) => !only || only.includes(q));
const KAFKA_PARTITIONS = 4;
const log = (...a: unknown[]) => console.error('[bench/stream]', ...a);

interface Bids {
  id: number[];
  auction: number[];
  bidder: number[];
  price: number[];
  channel: string[];
  time: number[];
}

/** Generator → decode → operator on this thread; optionally keeps bids and final rows for the reference check. */
async function inProcess(asset: StreamingAsset, n: number, keep: boolean) {
  const src = generatorSource({ eventsPerSecond: EVENTS_PER_SECOND, limit: n, disorder: DISORDER, make: nexmarkEvent, seed: 1 });
  await src.open({});
  const op = new WindowOperator(asset);
  const dec = makeDecoder(asset, op.aggs);
  const b = newEventBatch(4096, op.aggs.numericFields.length, op.aggs.valueFields.length);
  const bids: Bids = { id: [], auction: [], bidder: [], price: [], channel: [], time: [] };
  const rows: WindowRow[] = [];
  let events = 0;
  let stallMs = 0;
  const started = performance.now();
  let lastSnapshot = started;
  let snap: SnapshotWriter | undefined;
  const writer = new BinaryWriter(1 << 20);
  for (;;) {
    const batches = await src.poll(4096, 0);
    if (!batches) break;
    for (const sb of batches) {
      events += sb.records.length;
      if (keep) {
        for (const r of sb.records as Array<Record<string, number | string>>) {
          if (r.type !== 'bid') continue;
          bids.id.push(r.id as number);
          bids.auction.push(r.auction as number);
          bids.bidder.push(r.bidder as number);
          bids.price.push(r.price as number);
          bids.channel.push(r.channel as string);
          bids.time.push(r.dateTime as number);
        }
      }
      let at = 0;
      while (at < sb.records.length) {
        b.size = 0;
        at = dec.decode(sb, at, b, []);
        op.process(b);
      }
    }
    const out = op.drain();
    if (keep) rows.push(...out.rows);
    // the incremental snapshot a job takes every second, encoded in 5 ms slices between batches
    if (snap) {
      if (snap.step(5)) {
        stallMs = Math.max(stallMs, snap.maxPauseMs);
        snap = undefined;
      }
    } else if (performance.now() - lastSnapshot >= 1_000) {
      snap = new SnapshotWriter(op, false, writer);
      snap.start();
      lastSnapshot = performance.now();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { eventsPerSecond: events / seconds, seconds, op, bids, rows, watermark: op.watermark, stallMs };
}

/** Newest revision of each (key, window), as "key@start" → "values". */
function finalRows(rows: WindowRow[], withEnd: boolean): Map<string, string> {
  const best = new Map<string, WindowRow>();
  for (const r of rows) {
    const id = `${r.keyParts.join('|')}@${r.windowStart}`;
    const prev = best.get(id);
    if (!prev || prev.revision <= r.revision) best.set(id, r);
  }
  return new Map([...best].map(([id, r]) => [id, [...(withEnd ? [r.windowEnd] : []), ...r.values].join('|')]));
}

async function loadBids(c: DuckDBConnection, bids: Bids): Promise<void> {
  await c.run(
    'CREATE OR REPLACE TABLE bids (idx BIGINT, id BIGINT, auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, dateTime BIGINT)',
  );
  const a = await c.createAppender('bids');
  for (let i = 0; i < bids.id.length; i++) {
    a.appendBigInt(BigInt(i));
    a.appendBigInt(BigInt(bids.id[i]));
    a.appendBigInt(BigInt(bids.auction[i]));
    a.appendBigInt(BigInt(bids.bidder[i]));
    a.appendBigInt(BigInt(bids.price[i]));
    a.appendVarchar(bids.channel[i]);
    a.appendBigInt(BigInt(bids.time[i]));
    a.endRow();
  }
  a.closeSync();
}

/** The same query in DuckDB SQL: every window the final watermark W closed. */
function referenceSql(q: string, W: number): string {
  switch (q) {
    case 'q5':
      return `SELECT auction::VARCHAR || '@' || ws AS id, count(*)::VARCHAR AS v FROM (
        SELECT auction, (floor(dateTime / 2000)::BIGINT * 2000) - i * 2000 AS ws FROM bids, range(0, 5) t(i))
        WHERE ws + 9999 <= ${W} GROUP BY auction, ws`;
    case 'q11':
      return `WITH s AS (SELECT bidder, dateTime, CASE WHEN dateTime - lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime) <= 10000 THEN 0 ELSE 1 END AS brk FROM bids),
        g AS (SELECT bidder, dateTime, sum(brk) OVER (PARTITION BY bidder ORDER BY dateTime ROWS UNBOUNDED PRECEDING) AS sid FROM s)
        SELECT bidder::VARCHAR || '@' || min(dateTime) AS id, (max(dateTime) + 10000)::VARCHAR || '|' || count(*) AS v FROM g
        GROUP BY bidder, sid HAVING max(dateTime) + 10000 - 1 <= ${W}`;
    case 'q18':
      return `WITH d AS (SELECT * FROM bids QUALIFY row_number() OVER (PARTITION BY id ORDER BY idx) = 1)
        SELECT bidder::VARCHAR || '|' || auction::VARCHAR || '@' || ws AS id, count(*)::VARCHAR || '|' || arg_max(price, dateTime::HUGEINT * 1000000000 + idx)::VARCHAR AS v
        FROM (SELECT *, floor(dateTime / 10000)::BIGINT * 10000 AS ws FROM d) WHERE ws + 9999 <= ${W} GROUP BY bidder, auction, ws`;
    case 'q15':
      return `SELECT channel || '@' || ws AS id, count(*)::VARCHAR || '|' || count(DISTINCT bidder) || '|' || count(DISTINCT auction) AS v
        FROM (SELECT *, floor(dateTime / 10000)::BIGINT * 10000 AS ws FROM bids) WHERE ws + 9999 <= ${W} GROUP BY channel, ws`;
    default:
      throw new Error(q);
  }
}

/** Exact equality, except HyperLogLog columns (q15), which must lie within 3 standard errors. */
function compare(q: string, got: Map<string, string>, want: Map<string, string>) {
  let wrong = 0;
  const sample: unknown[] = [];
  const se = 1.04 / 64;
  for (const [id, w] of want) {
    const g = got.get(id);
    let ok = g === w;
    if (!ok && q === 'q15' && g) {
      const [gb, ...gd] = g.split('|').map(Number);
      const [wb, ...wd] = w.split('|').map(Number);
      ok = gb === wb && gd.every((x, i) => Math.abs(x - wd[i]) <= Math.max(1, 3 * se * wd[i]));
    }
    if (!ok) {
      wrong++;
      if (sample.length < 3) sample.push([id, g, w]);
    }
  }
  const extra = [...got.keys()].filter((k) => !want.has(k)).length;
  return { rows: want.size, wrong, extra, sample, matches: wrong === 0 && extra === 0 && want.size > 0 };
}

/** A sink that remembers when each checkpoint's rows were committed, for latency. */
function timedSink(inner: SinkWriter, latencies: number[]): SinkWriter {
  // one checkpoint is in flight at a time: staged result rows are committed in the order staged
  const staged: number[][] = [];
  return {
    stage: async (table, rows, columns) => {
      const r0 = rows[0] as { windowEnd?: number } | undefined;
      if (r0?.windowEnd !== undefined) staged.push((rows as Array<{ windowEnd: number }>).map((r) => r.windowEnd));
      return inner.stage(table, rows, columns);
    },
    commit: async (table, schema, adds, txn, info) => {
      const r = await inner.commit(table, schema, adds, txn, info);
      if (schema.some((f) => f.name === 'window_end')) {
        const now = Date.now();
        for (const end of staged.shift() ?? []) latencies.push(now - end);
      }
      return r;
    },
    committedVersion: (t, a) => inner.committedVersion(t, a),
    close: () => inner.close(),
  };
}

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function produceToKafka(kafka: KafkaServer, topic: string, n: number): Promise<Record<string, number>> {
  const client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.ERROR });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: KAFKA_PARTITIONS }], waitForLeaders: true });
  const producer = client.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 });
  await producer.connect();
  const src = generatorSource({ eventsPerSecond: EVENTS_PER_SECOND, limit: n, disorder: DISORDER, make: nexmarkEvent, seed: 1 });
  await src.open({});
  const started = Date.now();
  const inFlight: Array<Promise<unknown>> = [];
  for (;;) {
    const batches = await src.poll(10_000, 0);
    if (!batches) break;
    // event i goes to partition i mod 4, so each partition holds its events in generation order
    inFlight.push(
      producer.sendBatch({
        compression: CompressionTypes.None,
        topicMessages: [
          {
            topic,
            messages: batches.flatMap((sb) =>
              sb.records.map((r, i) => ({ partition: (sb.firstOffset + i) % KAFKA_PARTITIONS, value: JSON.stringify(r) })),
            ),
          },
        ],
      }),
    );
    if (inFlight.length >= 4) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await producer.disconnect();
  const ends = Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  await admin.disconnect();
  log(`produced ${n} events to Kafka in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return ends;
}

async function kafkaRun(asset: StreamingAsset, kafka: KafkaServer, topic: string, ends: Record<string, number>, dir: string, run: number) {
  // a store of its own per run: a second run must read the topic from the start, not restore the first
  const store = new LocalStore(path.join(dir, `${asset.name}-kafka-${run}`));
  let startedAt = 0;
  const checkpoints: JobMetrics[] = [];
  const inner = kafkaSource({ brokers: kafka.brokers, topic, stopAt: ends });
  // the clock starts at the first event: joining the consumer group is not throughput
  const source: typeof inner = {
    ...inner,
    name: inner.name,
    poll: async (max, wait) => {
      const got = await inner.poll(max, wait);
      if (startedAt === 0 && got && got.length > 0) startedAt = performance.now();
      return got;
    },
  };
  const result = await runStreamingJob({
    job: asset,
    store,
    sinkTable: store.at('sink'),
    source,
    signal: new AbortController().signal,
    checkpointIntervalMs: 1_000,
    onCheckpoint: (_id, m) => void checkpoints.push(m),
  });
  const seconds = (performance.now() - startedAt) / 1000;
  // a checkpoint's duration (snapshot to sink commit) and its stall, full against incremental (medians)
  const median = (xs: number[]) => +quantile(xs, 0.5).toFixed(2);
  const kind = (full: boolean) => {
    const cs = checkpoints.filter((c) => c.checkpointFull === full);
    return { count: cs.length, ms: median(cs.map((c) => c.checkpointMs)), stallMs: median(cs.map((c) => c.checkpointStallMs)) };
  };
  return {
    eventsPerSecond: KAFKA_N / seconds,
    seconds,
    checkpoints: result.checkpointId,
    stallMs: Math.max(...checkpoints.map((c) => c.checkpointStallMs)),
    full: kind(true),
    incremental: kind(false),
  };
}

async function latencyRun(asset: StreamingAsset, dir: string) {
  const store = new LocalStore(path.join(dir, asset.name));
  const latencies: number[] = [];
  const sink = timedSink(deltaSink(), latencies);
  const controller = new AbortController();
  const stalls: number[] = [];
  setTimeout(() => controller.abort(), LATENCY_S * 1000);
  await runStreamingJob({
    job: asset,
    store,
    sinkTable: store.at('sink'),
    sink,
    signal: controller.signal,
    checkpointIntervalMs: 1_000,
    source: generatorSource({ realtime: true, eventsPerSecond: 50_000, make: nexmarkEvent, disorder: LATENCY_DISORDER }),
    onCheckpoint: (_id, m) => void stalls.push(m.checkpointStallMs),
  });
  await sink.close();
  // the first windows were open before the job started; count from the third second on
  const steady = latencies.slice(Math.floor(latencies.length * 0.1));
  return { p50: quantile(steady, 0.5), p99: quantile(steady, 0.99), rows: steady.length, stallMs: Math.max(...stalls) };
}

/** Time from spawning a replacement worker to its first event, after the first one was SIGKILLed mid-run. */
async function restoreRun(
  q: string,
  kafka: KafkaServer,
  topic: string,
  ends: Record<string, number>,
  dir: string,
): Promise<{ restoreS: number; restoreMs: number; restoredFrom: number }> {
  const config: ChildConfig = {
    assetModule: path.join(here, 'stream-nexmark.ts'),
    assetExport: q,
    storeDir: path.join(dir, `restore-${q}`),
    source: { kind: 'kafka', options: { brokers: kafka.brokers, topic, stopAt: ends } },
    checkpointIntervalMs: 1_000,
  };
  const run = (onLine: (o: Record<string, unknown>, child: ReturnType<typeof spawn>) => void) =>
    new Promise<void>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(here, '..', 'test', 'support', 'stream', 'job-child.ts'), JSON.stringify(config)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          try {
            onLine(JSON.parse(line) as Record<string, unknown>, child);
          } catch {
            /* ignore */
          }
        }
      });
      child.on('exit', () => resolve());
    });
  let checkpoints = 0;
  await run((o, child) => {
    if (o.checkpoint !== undefined && ++checkpoints === 2) child.kill('SIGKILL');
  });
  const spawned = performance.now();
  let restoreS = NaN;
  let restoreMs = NaN;
  let restoredFrom = 0;
  await run((o, child) => {
    if (o.started) {
      restoreS = (performance.now() - spawned) / 1000;
      restoreMs = Number(o.restoreMs);
      restoredFrom = Number(o.restoredFrom);
      child.kill('SIGTERM');
    }
  });
  return { restoreS, restoreMs, restoredFrom };
}

/** Checkpoint stall with 1M keys: the synchronous encode of a full and of an incremental snapshot, and restoring them. */
async function millionKeys(dir: string) {
  const asset = streamingAsset({
    name: 'million_keys',
    source: 's',
    key: 'k',
    eventTime: 't',
    window: tumbling('1h'),
    aggregates: { n: count() },
  });
  const op = new WindowOperator(asset);
  const dec = makeDecoder(asset, op.aggs);
  const b = newEventBatch(4096, 0, 0);
  const feed = (from: number, n: number, step: number) => {
    for (let i = 0; i < n; i += 4096) {
      const records = [];
      for (let j = i; j < Math.min(n, i + 4096); j++) records.push({ k: ((from + j) * step) % 1_000_000, t: 1_000 + j });
      b.size = 0;
      dec.decode({ partition: 0, firstOffset: from + i, records, nextOffset: from + i + records.length }, 0, b, []);
      op.process(b);
    }
  };
  feed(0, 1_000_000, 1);
  // at once: the whole encode stalls processing
  const atOnce = snapshotState(op, true).encodeMs;
  // in 5 ms slices with copy-on-write, as the job does: 1 000 events go through between slices.
  // A job reuses its buffer: the first snapshot into a new buffer also grows it (cold).
  const writer = new BinaryWriter(1 << 20);
  let slices = 0;
  let t = 0;
  const slicedFull = () => {
    const sliced = new SnapshotWriter(op, true, writer);
    sliced.start();
    slices = 0;
    while (!sliced.step(5)) {
      slices++;
      feed(2_000_000 + t, 1_000, 13);
      t += 1_000;
    }
    return sliced.result();
  };
  const cold = slicedFull().encodeMs;
  const full = slicedFull();
  feed(1_000_000, 100_000, 7); // 10% of the keys change
  const incremental = new SnapshotWriter(op, false, new BinaryWriter(8 << 20));
  incremental.start();
  while (!incremental.step(5)) feed(3_000_000, 100, 3);
  const inc = incremental.result();
  const store = new LocalStore(path.join(dir, 'million'));
  const header = {
    job: asset.name,
    createdAt: Date.now(),
    offsets: {},
    watermark: op.tracker.state(),
    pending: { rows: [], late: [], dead: [] },
    sinkVersion: 0,
    fingerprint: jobFingerprint(asset),
    keyCount: op.keys.size,
  };
  await writeCheckpoint(store, { ...header, id: 1, parent: null, chainLength: 0 }, { body: full.body.slice() });
  await writeCheckpoint(store, { ...header, id: 2, parent: 1, chainLength: 1 }, inc);
  const started = performance.now();
  const fresh = new WindowOperator(asset);
  await restoreLatest(store, fresh, jobFingerprint(asset));
  const restoreS = (performance.now() - started) / 1000;
  return {
    keys: op.keys.size,
    full_stall_ms: +full.encodeMs.toFixed(1),
    full_stall_cold_buffer_ms: +cold.toFixed(1),
    full_slices: slices,
    full_at_once_ms: +atOnce.toFixed(1),
    full_bytes: full.body.length,
    incremental_stall_ms: +inc.encodeMs.toFixed(1),
    incremental_keys: inc.keyCount,
    incremental_bytes: inc.body.length,
    restore_s: +restoreS.toFixed(2),
    restored_keys: fresh.keys.size,
  };
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-bench-stream-'));
  // BENCH_OUT: write elsewhere (e.g. a before/after comparison that must not replace the results)
  const resultsFile = path.join(here, 'results', 'stream.json');
  const outFile = process.env.BENCH_OUT ?? resultsFile;
  // a partial run updates its own fields and keeps the rest of the last full run
  const partialRun = only !== undefined || parts.size < PARTS.length;
  const previous = partialRun
    ? (JSON.parse(await fs.readFile(resultsFile, 'utf8').catch(() => '{}')) as {
        queries?: Record<string, Record<string, unknown>>;
        checkpoint_1m_keys?: unknown;
      })
    : {};
  const results: Record<string, Record<string, unknown>> = structuredClone(previous.queries ?? {});
  const entry = (q: string) => (results[q] ??= {});
  const loadavgAtStart = os.loadavg();
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    for (const [q, asset] of parts.has('gen') ? selected(queries) : []) {
      log(`${q}: ${N} events from the generator`);
      const speed = await inProcess(asset, N, false);
      const keys = speed.op.keys.size;
      const stateBytesPerKey = keys > 0 ? speed.op.stateBytes() / keys : 0;
      log(`${q}: ${Math.round(speed.eventsPerSecond)} events/s, ${keys} keys, checking ${REF_N} events against DuckDB`);
      const ref = await inProcess(asset, REF_N, true);
      await loadBids(c, ref.bids);
      const want = new Map<string, string>();
      for (const r of (await c.runAndReadAll(referenceSql(q, ref.watermark))).getRowObjectsJson()) want.set(String(r.id), String(r.v));
      const check = compare(q, finalRows(ref.rows, q === 'q11'), want);
      log(
        `${q}: reference ${check.matches ? 'matches' : 'DIFFERS'} (${check.rows} windows, ${check.wrong} wrong, ${check.extra} extra)`,
        check.sample,
      );
      Object.assign(entry(q), {
        gen_events_per_s_per_core: Math.round(speed.eventsPerSecond),
        gen_events: N,
        gen_seconds: +speed.seconds.toFixed(2),
        gen_checkpoint_stall_ms: +speed.stallMs.toFixed(2),
        state_keys_at_end: keys,
        state_bytes_per_key: Math.round(stateBytesPerKey),
        reference_windows: check.rows,
        reference_wrong: check.wrong,
        reference_extra: check.extra,
        matches_reference: check.matches,
      });
    }
    if (parts.has('kafka') || parts.has('restore')) {
      log('starting Kafka');
      const kafka = await startKafka({ partitions: KAFKA_PARTITIONS, heapMb: 768 });
      try {
        const ends = await produceToKafka(kafka, 'nexmark', KAFKA_N);
        for (const [q, asset] of parts.has('kafka') ? selected(queries) : []) {
          const runs = [];
          for (let r = 0; r < KAFKA_RUNS; r++) {
            const k = await kafkaRun(asset, kafka, 'nexmark', ends, dir, r);
            log(
              `${q}: Kafka run ${r + 1}/${KAFKA_RUNS}: ${Math.round(k.eventsPerSecond)} events/s with the Delta sink, ${k.checkpoints} checkpoints, max stall ${k.stallMs.toFixed(1)} ms;` +
                ` full ${k.full.ms} ms (stall ${k.full.stallMs} ms), incremental ${k.incremental.ms} ms (stall ${k.incremental.stallMs} ms)`,
            );
            runs.push(k);
          }
          // the run with the median throughput stands for the query, its checkpoint figures too
          const k = [...runs].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond)[Math.floor(runs.length / 2)];
          Object.assign(entry(q), {
            kafka_events_per_s: Math.round(k.eventsPerSecond),
            kafka_events_per_s_runs: runs.map((x) => Math.round(x.eventsPerSecond)),
            kafka_events: KAFKA_N,
            checkpoint_stall_ms: +k.stallMs.toFixed(2),
            checkpoint_full_ms: k.full.ms,
            checkpoint_full_stall_ms: k.full.stallMs,
            checkpoints_full: k.full.count,
            checkpoint_incremental_ms: k.incremental.ms,
            checkpoint_incremental_stall_ms: k.incremental.stallMs,
            checkpoints_incremental: k.incremental.count,
          });
        }
        for (const [q] of parts.has('restore') ? selected(queries) : []) {
          const restore = await restoreRun(q, kafka, 'nexmark', ends, dir);
          log(
            `${q}: restore after SIGKILL ${restore.restoreS.toFixed(2)} s from spawn to first event (checkpoint ${restore.restoredFrom}, ${restore.restoreMs} ms in restore)`,
          );
          Object.assign(entry(q), { restore_s: +restore.restoreS.toFixed(2), restore_in_process_ms: restore.restoreMs });
        }
      } finally {
        await kafka.stop();
      }
    }
    for (const [q, asset] of parts.has('latency') ? selected(latencyQueries) : []) {
      log(`${q}: latency with a realtime generator, 1 s checkpoints, ${LATENCY_S} s`);
      const lat = await latencyRun(asset, dir);
      log(`${q}: latency p50 ${lat.p50} ms, p99 ${lat.p99} ms over ${lat.rows} window results`);
      Object.assign(entry(q), {
        latency_p50_ms: lat.p50,
        latency_p99_ms: lat.p99,
        latency_rows: lat.rows,
        latency_watermark_bound_ms: 200,
      });
    }
    const million = parts.has('million') ? await millionKeys(dir) : previous.checkpoint_1m_keys;
    if (parts.has('million')) log('1M keys:', million);
    const out = {
      generated_at: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model,
        node: process.version,
        loadavg_at_start: loadavgAtStart,
        loadavg_at_end: os.loadavg(),
      },
      ...(partialRun ? { this_run: { queries: only ?? Object.keys(queries), parts: [...parts] } } : {}),
      config: {
        events: N,
        reference_events: REF_N,
        kafka_events: KAFKA_N,
        kafka_runs: KAFKA_RUNS,
        kafka_partitions: KAFKA_PARTITIONS,
        event_time_rate_per_s: EVENTS_PER_SECOND,
        disorder: DISORDER,
        checkpoint_interval_ms: 1000,
      },
      notes: [
        'gen_events_per_s_per_core: generator, decode and keyed window operator on one thread, all Nexmark events counted (persons, auctions, bids), no sink (Nexmark blackhole).',
        "kafka_events_per_s: one job reading 4 partitions from a local broker, Delta sink, checkpoint every 1 s, from the first event to the last commit; the median of kafka_runs runs (kafka_events_per_s_runs), each from offset 0 into a fresh store, and the checkpoint_* figures are that run's.",
        "latency: commit time minus window end, each query with a realtime generator at 50k events/s and a 200 ms out-of-orderness bound (Nexmark's 4 s bound would measure the bound).",
        'checkpoint_*_ms: from snapshot to sink commit (median), full and incremental, in the Kafka run; *_stall_ms: how long processing stood still for it.',
        'restore_s: from spawning a replacement process (node + tsx start included) to its first event, after SIGKILL of the first.',
        'q15 distinct counts are HyperLogLog (p=12); they match when within 3 standard errors of DuckDB count(DISTINCT); every other column must be equal.',
        ...(partialRun
          ? ['this_run: a partial run (BENCH_QUERIES / BENCH_PARTS); fields it did not measure are from the previous run.']
          : []),
      ],
      queries: results,
      checkpoint_1m_keys: million,
    };
    await fs.mkdir(path.dirname(outFile), { recursive: true });
    await fs.writeFile(outFile, `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify(out, null, 2));
  } finally {
    c.closeSync();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
