// Delta benchmark: snapshot load of a 10,000-commit / 100,000-file table with and without a
// checkpoint, and commit latency on a local directory and on MinIO; Freshet and delta-rs side by
// side in one run. Writes bench/results/delta.json.
//   node --import tsx bench/delta.ts        (BENCH_COMMITS, BENCH_FILES_PER_COMMIT, BENCH_LATENCY_COMMITS to scale)
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCheckpoint } from '../delta/checkpoint.ts';
import { commitKey, serializeActions, type Action } from '../delta/log.ts';
import { schemaString } from '../delta/schema.ts';
import { loadState } from '../delta/snapshot.ts';
import { forgetCachedSnapshots, loadSnapshot, write, type AddFile, type Field } from '../delta/index.ts';
import { ensureDeltaLake, runPython } from '../services/deltalake.ts';
import { startMinio } from '../services/minio.ts';
import { ensureBucket, openStore, type ObjectStore } from '../storage/index.ts';

const COMMITS = Number(process.env.BENCH_COMMITS ?? 10_000);
const FILES_PER_COMMIT = Number(process.env.BENCH_FILES_PER_COMMIT ?? 10);
const LATENCY_COMMITS = Number(process.env.BENCH_LATENCY_COMMITS ?? 200);
const RUNS = 5;

const SCHEMA: Field[] = [
  { name: 'user_id', type: 'long', nullable: true },
  { name: 'amount', type: 'double', nullable: true },
  { name: 'date', type: 'string', nullable: true },
];

const median = (xs: number[]) => percentile(xs, 50);
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const round = (x: number) => Math.round(x * 100) / 100;

function fakeAdd(i: number, j: number): AddFile {
  const date = `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
  return {
    path: `date=${date}/part-00000-${randomUUID()}-c000.snappy.parquet`,
    partitionValues: { date },
    size: 1000 + j,
    modificationTime: Date.now(),
    dataChange: true,
    stats: JSON.stringify({
      numRecords: 100,
      minValues: { user_id: i, amount: 0.5 },
      maxValues: { user_id: i + 99, amount: 99.5 },
      nullCount: { user_id: 0, amount: 0 },
    }),
  };
}

/** The log of a big table written directly (same actions write() produces); data files are not needed to load a snapshot. */
async function buildBigLog(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, '_delta_log'), { recursive: true });
  const now = Date.now();
  for (let i = 0; i < COMMITS; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, COMMITS - i) }, (_, k) => {
        const v = i + k;
        const actions: Action[] = [
          {
            commitInfo: {
              timestamp: now,
              operation: 'WRITE',
              operationParameters: { mode: 'Append', partitionBy: '["date"]' },
              engineInfo: 'freshet',
            },
          },
        ];
        if (v === 0) {
          actions.push({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
          actions.push({
            metaData: {
              id: randomUUID(),
              format: { provider: 'parquet', options: {} },
              schemaString: schemaString(SCHEMA),
              partitionColumns: ['date'],
              configuration: {},
              createdTime: now,
            },
          });
        }
        for (let j = 0; j < FILES_PER_COMMIT; j++) actions.push({ add: fakeAdd(v, j) });
        return fs.writeFile(path.join(dir, commitKey(v)), serializeActions(actions));
      }),
    );
  }
}

async function freshetLoad(store: ObjectStore): Promise<{ ms: number; files: number; version: number }> {
  const times: number[] = [];
  let files = 0;
  let version = -1;
  for (let r = 0; r < RUNS; r++) {
    forgetCachedSnapshots();
    const t0 = performance.now();
    const snap = (await loadSnapshot(store))!;
    times.push(performance.now() - t0);
    files = snap.files.length;
    version = snap.version;
  }
  return { ms: round(median(times)), files, version };
}

const DELTA_RS_LOAD = `
import sys, time, json
from deltalake import DeltaTable
times = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    dt = DeltaTable(sys.argv[1])
    n = dt.get_add_actions().num_rows
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(json.dumps({"ms": times[len(times) // 2], "files": n, "version": dt.version()}))
`;

async function deltaRsLoad(uri: string): Promise<{ ms: number; files: number; version: number }> {
  const r = JSON.parse(await runPython(DELTA_RS_LOAD, [uri, String(RUNS)]));
  return { ms: round(r.ms), files: r.files, version: r.version };
}

async function freshetCommits(store: ObjectStore): Promise<number[]> {
  const times: number[] = [];
  await write(store, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [] });
  for (let i = 0; i < LATENCY_COMMITS; i++) {
    const add = fakeAdd(i, 0);
    const t0 = performance.now();
    await write(store, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [add] });
    times.push(performance.now() - t0);
  }
  return times;
}

const DELTA_RS_COMMITS = `
import sys, time, json, os, uuid
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
from deltalake.transaction import AddAction
opts = json.loads(os.environ.get("DELTA_STORAGE_OPTIONS") or "{}") or None
uri, n = sys.argv[1], int(sys.argv[2])
schema = pa.schema([("user_id", pa.int64()), ("amount", pa.float64()), ("date", pa.string())])
write_deltalake(uri, pa.table({"user_id": pa.array([], pa.int64()), "amount": pa.array([], pa.float64()), "date": pa.array([], pa.string())}), partition_by=["date"], storage_options=opts)
dt = DeltaTable(uri, storage_options=opts)
stats = json.dumps({"numRecords": 100, "minValues": {"user_id": 0}, "maxValues": {"user_id": 99}, "nullCount": {"user_id": 0}})
times = []
for i in range(n):
    add = AddAction(f"date=2024-01-01/part-00000-{uuid.uuid4()}-c000.snappy.parquet", 1000, {"date": "2024-01-01"}, int(time.time() * 1000), True, stats)
    t0 = time.perf_counter()
    dt.create_write_transaction([add], "append", schema, partition_by=["date"])
    times.append((time.perf_counter() - t0) * 1000)
print(json.dumps(times))
`;

async function deltaRsCommits(uri: string, storageOptions: Record<string, string>): Promise<number[]> {
  return JSON.parse(
    await runPython(DELTA_RS_COMMITS, [uri, String(LATENCY_COMMITS)], { DELTA_STORAGE_OPTIONS: JSON.stringify(storageOptions) }),
  );
}

/**
 * Commit latency as a table grows: a table of `files` files (`files` daily partitions, one file
 * each, the shape a backfill leaves), its log written directly up to one checkpoint, then
 * `LATENCY_COMMITS` partition-replacing commits with a txn each, as a backfill makes them
 * (commitPartition). The first write pays the cold load; it is not counted.
 */
async function growingTableCommits(dir: string, files: number): Promise<number[]> {
  const store = openStore(dir);
  await fs.mkdir(path.join(dir, '_delta_log'), { recursive: true });
  const now = Date.now();
  const day = (i: number) => new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
  const perCommit = 10;
  const commits = Math.ceil(files / perCommit);
  for (let v = 0; v < commits; v++) {
    const actions: Action[] = [{ commitInfo: { timestamp: now, operation: 'WRITE', engineInfo: 'freshet' } }];
    if (v === 0) {
      actions.push({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
      actions.push({
        metaData: {
          id: randomUUID(),
          format: { provider: 'parquet', options: {} },
          schemaString: schemaString(SCHEMA),
          partitionColumns: ['date'],
          configuration: {},
          createdTime: now,
        },
      });
    }
    for (let j = 0; j < perCommit && v * perCommit + j < files; j++) {
      const date = day(v * perCommit + j);
      actions.push({
        add: { ...fakeAdd(v, j), path: `date=${date}/part-00000-${randomUUID()}-c000.snappy.parquet`, partitionValues: { date } },
      });
      actions.push({ txn: { appId: `freshet:bench:${date}`, version: 1, lastUpdated: now } });
    }
    await fs.writeFile(path.join(dir, commitKey(v)), serializeActions(actions));
  }
  await writeCheckpoint(store, (await loadState(store, { version: commits - 1 }))!);
  forgetCachedSnapshots();
  const times: number[] = [];
  for (let i = 0; i <= LATENCY_COMMITS; i++) {
    const date = day(i % files);
    const add = { ...fakeAdd(i, 0), path: `date=${date}/part-00000-${randomUUID()}-c000.snappy.parquet`, partitionValues: { date } };
    const t0 = performance.now();
    await write(store, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: 'overwrite',
      replace: { date },
      adds: [add],
      txn: { appId: `freshet:bench:${date}`, version: 2 },
    });
    if (i > 0) times.push(performance.now() - t0);
  }
  return times;
}

// The mean carries what the percentiles can miss: a checkpoint every 160 commits is below the p99
// of 200 commits, and its cost shared by all of them is in the mean.
const summary = (xs: number[]) => ({
  p50: round(percentile(xs, 50)),
  p99: round(percentile(xs, 99)),
  mean: round(xs.reduce((a, b) => a + b, 0) / xs.length),
  max: round(Math.max(...xs)),
  n: xs.length,
});
const ratio = (a: number, b: number) => round(a / b);

/** BENCH_ONLY=growing runs only the growing-table commit latency (quick to iterate on). */
async function growingOnly(): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-bench-delta-'));
  try {
    const loadBefore = os.loadavg().map(round);
    for (const files of [100, 2_000, 10_000]) {
      const r = summary(await growingTableCommits(path.join(work, `grow-${files}`), files));
      console.log(
        `partition-replacing commit on a ${files}-file table: p50 ${r.p50} ms, p99 ${r.p99} ms, mean ${r.mean} ms, max ${r.max} ms (n ${r.n})`,
      );
    }
    console.log(`load average ${loadBefore.join(' ')} → ${os.loadavg().map(round).join(' ')}`);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY === 'growing') return growingOnly();
  await ensureDeltaLake();
  const loadAverageAtStart = os.loadavg().map(round);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-bench-delta-'));
  const minio = await startMinio();
  try {
    // 1. snapshot load
    const bigDir = path.join(work, 'big');
    console.error(`building a ${COMMITS}-commit log with ${COMMITS * FILES_PER_COMMIT} files...`);
    await buildBigLog(bigDir);
    const big = openStore(bigDir);
    console.error('loading without checkpoints...');
    const noCp = { freshet: await freshetLoad(big), deltaRs: await deltaRsLoad(bigDir) };
    // A writer checkpointing every 10 commits has its newest checkpoint 9 commits back.
    const cpVersion = Math.floor((COMMITS - 1) / 10) * 10;
    await writeCheckpoint(big, (await loadState(big, { version: cpVersion }))!);
    console.error(`loading with a checkpoint at version ${cpVersion}...`);
    const withCp = { freshet: await freshetLoad(big), deltaRs: await deltaRsLoad(bigDir) };
    for (const r of [noCp, withCp]) {
      if (r.freshet.files !== r.deltaRs.files || r.freshet.version !== r.deltaRs.version) {
        throw new Error(`Freshet and delta-rs disagree on the table: ${JSON.stringify(r)}`);
      }
    }

    // 2. commit latency
    const s3 = {
      endpoint: minio.endpoint,
      region: minio.region,
      accessKeyId: minio.accessKeyId,
      secretAccessKey: minio.secretAccessKey,
      pathStyle: true,
    };
    await ensureBucket('s3://bench', s3);
    const rsS3 = {
      AWS_ENDPOINT_URL: minio.endpoint,
      AWS_REGION: minio.region,
      AWS_ALLOW_HTTP: 'true',
      AWS_ACCESS_KEY_ID: minio.accessKeyId,
      AWS_SECRET_ACCESS_KEY: minio.secretAccessKey,
    };
    console.error(`commit latency, ${LATENCY_COMMITS} commits each...`);
    const local = {
      freshet: summary(await freshetCommits(openStore(path.join(work, 'commits-freshet')))),
      deltaRs: summary(await deltaRsCommits(path.join(work, 'commits-deltars'), {})),
    };
    const onMinio = {
      freshet: summary(await freshetCommits(openStore('s3://bench/commits-freshet', { s3 }))),
      deltaRs: summary(await deltaRsCommits('s3://bench/commits-deltars', rsS3)),
    };

    console.error('commit latency on a small and a 10,000-file table...');
    const bySize = {
      files100: summary(await growingTableCommits(path.join(work, 'grow-100'), 100)),
      files10000: summary(await growingTableCommits(path.join(work, 'grow-10000'), 10_000)),
    };
    const result = {
      machine: {
        cpus: os.cpus().length,
        node: process.version,
        platform: `${os.platform()} ${os.arch()}`,
        loadAverageAtStart,
        loadAverageAtEnd: os.loadavg().map(round),
      },
      when: new Date().toISOString(),
      snapshotLoad: {
        table: { commits: COMMITS, files: COMMITS * FILES_PER_COMMIT, note: 'log only: snapshot load reads _delta_log, not data files' },
        runs: RUNS,
        withoutCheckpoint: { freshetMs: noCp.freshet.ms, deltaRsMs: noCp.deltaRs.ms, ratio: ratio(noCp.freshet.ms, noCp.deltaRs.ms) },
        withCheckpoint: {
          checkpointVersion: cpVersion,
          freshetMs: withCp.freshet.ms,
          deltaRsMs: withCp.deltaRs.ms,
          ratio: ratio(withCp.freshet.ms, withCp.deltaRs.ms),
        },
      },
      commitLatencyMs: {
        note: 'append of one add action to a fresh table, each tool with its own default checkpoint interval (Freshet 10, delta-rs 100); ratio = Freshet / delta-rs',
        local: { ...local, ratioP50: ratio(local.freshet.p50, local.deltaRs.p50), ratioP99: ratio(local.freshet.p99, local.deltaRs.p99) },
        byTableSize: {
          note: 'partition-replacing commits with a txn on a local table of 100 and of 10,000 files (one per daily partition, log up to a checkpoint); a commit that writes the checkpoint (every 10 commits on the small table, every 160 on the big one: delta/config.ts checkpointInterval) is the max, and its share of every commit is in the mean',
          ...bySize,
          ratioP50: ratio(bySize.files10000.p50, bySize.files100.p50),
          ratioP99: ratio(bySize.files10000.p99, bySize.files100.p99),
        },
        minio: {
          ...onMinio,
          ratioP50: ratio(onMinio.freshet.p50, onMinio.deltaRs.p50),
          ratioP99: ratio(onMinio.freshet.p99, onMinio.deltaRs.p99),
        },
      },
    };
    const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'delta.json');
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, JSON.stringify(result, null, 2) + '\n');
    console.log(`snapshot load, ${COMMITS} commits / ${COMMITS * FILES_PER_COMMIT} files (median of ${RUNS}):`);
    console.log(
      `  without checkpoint  Freshet ${noCp.freshet.ms} ms   delta-rs ${noCp.deltaRs.ms} ms   ratio ${result.snapshotLoad.withoutCheckpoint.ratio}`,
    );
    console.log(
      `  with checkpoint     Freshet ${withCp.freshet.ms} ms   delta-rs ${withCp.deltaRs.ms} ms   ratio ${result.snapshotLoad.withCheckpoint.ratio}`,
    );
    console.log(`commit latency (${LATENCY_COMMITS} commits), p50 / p99:`);
    for (const [name, r] of [
      ['local', result.commitLatencyMs.local],
      ['MinIO', result.commitLatencyMs.minio],
    ] as const) {
      console.log(
        `  ${name.padEnd(6)} Freshet ${r.freshet.p50} / ${r.freshet.p99} ms   delta-rs ${r.deltaRs.p50} / ${r.deltaRs.p99} ms   ratio ${r.ratioP50} / ${r.ratioP99}`,
      );
    }
    console.log(`written to ${out}`);
  } finally {
    await minio.stop();
    await fs.rm(work, { recursive: true, force: true });
  }
}

await main();
