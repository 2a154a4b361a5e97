// Key salting: one user makes half of all purchases. Produced keyed by user, Kafka puts that user
// on one partition, so one of two shards gets most of the stream. Produced with the hot user's
// key salted over 16 buckets, both shards get half, and a merge combines their partial windows.
// Each layout runs as 2 shard processes reading Kafka; the time is until both have read
// everything (plus, salted, the final merge pass). The merged rows must equal the keyed ones.
//
//   node --import tsx bench/stream-salting.ts        (BENCH_EVENTS=2000000 BENCH_HOT=0.5 BENCH_RATE=20000 events/s of event time)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSnapshot, readRows } from '../delta/index.ts';
import { startKafka } from '../services/kafka.ts';
import { LocalStore } from '../storage/local.ts';
import type { ObjectStore } from '../storage/types.ts';
import type { ChildConfig } from '../test/support/stream/job-child.ts';
import { makePurchases, produceToTopic, saltHotKey } from '../test/support/stream/kafka-fixture.ts';
import { mergePartials } from '../stream/merge.ts';
import { partialsTable } from '../stream/partials.ts';
import { spendPerUserSalted } from '../test/support/stream/test-assets.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_EVENTS ?? 2_000_000);
const HOT = Number(process.env.BENCH_HOT ?? 0.5);
const RATE = Number(process.env.BENCH_RATE ?? 20_000);
const PARTITIONS = 4;
const SHARDS = 2;
const log = (...a: unknown[]) => console.error('[bench/stream-salting]', ...a);

interface ShardRun {
  events: number;
  processingMs: number;
}

/** Runs the shards as processes at once; each one's time is from its first poll to its last commit. */
async function runShards(
  assetExport: string,
  storeDir: string,
  brokers: string[],
  topic: string,
  stopAt: Record<string, number>,
): Promise<ShardRun[]> {
  return Promise.all(
    Array.from(
      { length: SHARDS },
      (_, index) =>
        new Promise<ShardRun>((resolve, reject) => {
          const config: ChildConfig = {
            assetModule: path.join(here, '..', 'test', 'support', 'stream', 'test-assets.ts'),
            assetExport,
            storeDir,
            source: { kind: 'kafka', options: { brokers, topic, stopAt } },
            checkpointIntervalMs: 1_000,
            shard: { index, count: SHARDS },
          };
          const child = spawn(
            process.execPath,
            [
              '--max-semi-space-size=64',
              '--import',
              'tsx',
              path.join(here, '..', 'test', 'support', 'stream', 'job-child.ts'),
              JSON.stringify(config),
            ],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
          let startedMs = 0;
          let buf = '';
          child.stdout!.on('data', (d: Buffer) => {
            buf += d.toString();
            for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
              const o = JSON.parse(buf.slice(0, nl)) as { started?: boolean; done?: string; sinceStartMs: number; events?: number };
              buf = buf.slice(nl + 1);
              if (o.started) startedMs = o.sinceStartMs;
              if (o.done) resolve({ events: o.events ?? 0, processingMs: o.sinceStartMs - startedMs });
            }
          });
          child.once('exit', (code) => {
            if (code !== 0) reject(new Error(`shard ${index} exited with ${code}`));
          });
        }),
    ),
  );
}

type Row = Record<string, unknown>;
async function windows(table: ObjectStore, finalAt: number, lateness: number): Promise<Map<string, string>> {
  const snap = await loadSnapshot(table);
  const latest = new Map<string, Row>();
  for (const r of snap ? await readRows(table, snap) : []) {
    const id = `${r.user_id}@${r.window_start}`;
    const prev = latest.get(id);
    if (!prev || Number(prev.revision) < Number(r.revision)) latest.set(id, r);
  }
  const out = new Map<string, string>();
  for (const [id, r] of latest) {
    if (Date.parse(String(r.window_end)) - 1 + lateness <= finalAt) out.set(id, `${Number(r.purchases)}|${Number(r.spend).toFixed(2)}`);
  }
  return out;
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-bench-salting-'));
  log('starting Kafka');
  const kafka = await startKafka({ partitions: PARTITIONS, heapMb: 768 });
  try {
    const events = makePurchases(N, 17, 5_000, { hot: HOT, eventsPerSecond: RATE });
    log(`producing ${N} events twice (keyed by user, and with the hot user salted)`);
    const keyedEnds = await produceToTopic(kafka.brokers, 'keyed', PARTITIONS, events);
    const saltedEnds = await produceToTopic(kafka.brokers, 'salted', PARTITIONS, events, { keyOf: saltHotKey(16) });
    const share = (ends: Record<string, number>) =>
      Array.from(
        { length: SHARDS },
        (_, s) =>
          Object.entries(ends)
            .filter(([p]) => Number(p) % SHARDS === s)
            .reduce((a, [, n]) => a + n, 0) / N,
      );

    const keyedDir = path.join(dir, 'keyed');
    const keyed = await runShards('spendPerUser', keyedDir, kafka.brokers, 'keyed', keyedEnds);
    const keyedS = Math.max(...keyed.map((s) => s.processingMs)) / 1000;
    log(`keyed: shards took ${keyed.map((s) => `${s.events} events in ${(s.processingMs / 1000).toFixed(1)} s`).join(', ')}`);

    const saltedDir = path.join(dir, 'salted');
    // as in a running job, the merge runs beside the shards (here in this process) every second
    const store = new LocalStore(saltedDir);
    const merge = () =>
      mergePartials({ job: spendPerUserSalted, partials: partialsTable(store), sinkTable: store.at('sink'), shards: SHARDS });
    let running = true;
    const merging = (async () => {
      while (running) {
        await merge();
        await new Promise((r) => setTimeout(r, 1_000));
      }
    })();
    const salted = await runShards('spendPerUserSalted', saltedDir, kafka.brokers, 'salted', saltedEnds);
    running = false;
    await merging;
    // what is left once both shards are done: the last pass
    const mergeStarted = performance.now();
    const merged = await merge();
    const mergeS = (performance.now() - mergeStarted) / 1000;
    const saltedS = Math.max(...salted.map((s) => s.processingMs)) / 1000;
    log(
      `salted: shards took ${salted.map((s) => `${s.events} events in ${(s.processingMs / 1000).toFixed(1)} s`).join(', ')}; last merge pass ${merged.windows} windows in ${mergeS.toFixed(2)} s`,
    );

    const lateness = spendPerUserSalted.allowedLatenessMs;
    const want = await windows(new LocalStore(keyedDir).at('sink'), merged.watermark, lateness);
    const got = await windows(store.at('sink'), merged.watermark, lateness);
    const same = want.size > 0 && want.size === got.size && [...want].every(([k, v]) => got.get(k) === v);
    log(`rows: ${got.size} merged, ${want.size} keyed, same: ${same}`);

    const out = {
      events: N,
      hot_share: HOT,
      event_time_rate_per_s: RATE,
      partitions: PARTITIONS,
      shards: SHARDS,
      salt_buckets: 16,
      keyed: {
        shard_event_share: share(keyedEnds).map((x) => +x.toFixed(3)),
        seconds: +keyedS.toFixed(2),
        events_per_s: Math.round(N / keyedS),
      },
      salted: {
        shard_event_share: share(saltedEnds).map((x) => +x.toFixed(3)),
        shard_seconds: +saltedS.toFixed(2),
        last_merge_seconds: +mergeS.toFixed(2),
        last_pass_windows: merged.windows,
        seconds: +(saltedS + mergeS).toFixed(2),
        events_per_s: Math.round(N / (saltedS + mergeS)),
      },
      speedup: +(keyedS / (saltedS + mergeS)).toFixed(3),
      same_rows: same,
      notes: [
        'Each layout: 2 shard processes (job-child.ts) reading Kafka with the Delta sink and 1 s checkpoints; seconds = the slower shard, from its first poll to its last commit.',
        'salted: merge passes run every second beside the shards (in the bench process, as the merge activity would on a worker); salted.seconds adds the last pass after both shards finished.',
        'same_rows: every window final at the merged watermark has the same purchases and spend in both layouts.',
      ],
      cores: os.availableParallelism(),
      node: process.version,
      at: new Date().toISOString(),
    };
    await fs.writeFile(path.join(here, 'results', 'stream-salting.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await kafka.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
