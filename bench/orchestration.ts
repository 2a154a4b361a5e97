// Orchestration throughput: the same backfill of many tiny partitions (each its own activity and
// Delta commit, three rows, no real compute) on (a) the Temporal dev server, as `freshet dev`
// runs it (SQLite file), and (b) the Temporal server 1.29.1 on PostgreSQL, as `freshet stack`
// runs it, each with 1, 2 and 4 `freshet worker` processes. Both use a local-directory
// warehouse, so the only difference between them is the Temporal server. During each run the CPU
// of the server, of PostgreSQL (postmaster and backends) and of the workers is read from /proc, so
// the result says which of them the ceiling is.
// Usage: node --import tsx bench/orchestration.ts [--partitions 300] [--concurrency 32] [--activities 8]
// With --sizes 400,2000,10000 it runs instead the size sweep of bench/orchestration-sizes.ts (a
// 5-asset chain at each size, 1 and 2 workers, with where each partition's time went) and adds
// its result to bench/results/orchestration.json as `by_size`, `tasks_per_s_by_partitions` and `flatness`.
import type { Client } from '@temporalio/client';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBackfill, type ControlContext } from '../control/backfills.ts';
import type { BackfillProgress } from '../contract/backfill.ts';
import { shiftKey, type TimePartitions } from '../core/index.ts';
import type { MaterializeResult } from '../engine/index.ts';
import { controlContext, loadConfig } from '../runtime/index.ts';
import { sleep, stopGroup, tailLog } from '../services/detached.ts';
import { psql, startPostgres, stopPostgres, postgresPid } from '../services/postgres.ts';
import { freePort, stopProcess, waitForPort } from '../services/process.ts';
import { startTemporalDevServer } from '../services/temporal.ts';
import {
  allocateTemporalPorts,
  ensureTemporalServer,
  registerNamespace,
  setupTemporalSchemas,
  startTemporalServer,
  TEMPORAL_SERVER_VERSION,
  writeTemporalConfig,
} from '../services/temporal-server.ts';
import { percentile, startWorker } from './worker-process.ts';
import project, { WORKER_COUNTS } from './fixtures/orchestration.ts';
import { childrenNamed, cpuSecondsBetween, machineCpuSeconds, sampleMachine, sampleTrees } from './proc-cpu.ts';

const { values } = parseArgs({
  options: {
    partitions: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '32' },
    activities: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '32' },
    sizes: { type: 'string' },
    workers: { type: 'string', default: '1,2' },
  },
});
const RESULT_FILE = 'bench/results/orchestration.json';
if (values.sizes) {
  const { runSizes } = await import('./orchestration-sizes.ts');
  const list = (s: string) => s.split(',').map(Number);
  const sweep = await runSizes({
    sizes: list(values.sizes),
    workers: list(values.workers),
    concurrency: Number(values.concurrency),
    activities: Number(values.activities),
  });
  const previous = existsSync(RESULT_FILE) ? (JSON.parse(readFileSync(RESULT_FILE, 'utf8')) as Record<string, unknown>) : {};
  const { tasks_per_s_by_partitions, flatness, ...by_size } = sweep;
  writeFileSync(RESULT_FILE, JSON.stringify({ ...previous, tasks_per_s_by_partitions, flatness, by_size }, null, 2) + '\n');
  console.log(`tasks/s by partitions ${JSON.stringify(tasks_per_s_by_partitions)}, flatness ${flatness}; wrote ${RESULT_FILE}`);
  process.exit(0);
}
const partitions = Number(values.partitions);
const concurrency = Number(values.concurrency);
const activities = Number(values.activities);
const warmup = Number(values.warmup);
const projectFile = path.resolve('bench/fixtures/orchestration.ts');
const START = '2020-01-01';

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

type ServerKind = 'dev_server' | 'postgres';

interface Server {
  kind: ServerKind;
  address: string;
  what: string;
  /** the Temporal server process; the dev server keeps its SQLite in the same process */
  serverPid: number;
  /** the postmaster, whose children are the backends */
  databasePid: number | undefined;
  startupS: number;
  stop(): Promise<void>;
}

async function startDevServer(dir: string): Promise<Server> {
  const started = Date.now();
  const before = new Set(childrenNamed(process.pid, 'temporal'));
  const server = await startTemporalDevServer({ dbFile: path.join(dir, 'dev.db') });
  const serverPid = childrenNamed(process.pid, 'temporal').find((p) => !before.has(p));
  if (!serverPid) throw new Error('The dev server started but no child process named temporal was found in /proc');
  return {
    kind: 'dev_server',
    address: server.address,
    what: 'Temporal dev server (temporal CLI `server start-dev`, SQLite file, as `freshet dev` runs it)',
    serverPid,
    databasePid: undefined,
    startupS: (Date.now() - started) / 1000,
    stop: () => server.stop(),
  };
}

/** PostgreSQL and the Temporal server on it, from the pieces `freshet stack` uses, in `dir`. */
async function startPostgresServer(dir: string): Promise<Server> {
  const started = Date.now();
  // The postgres user must traverse the folder (mkdtemp makes it 0700).
  chmodSync(dir, 0o755);
  const log = (m: string) => console.error(`  ${m}`);
  const pgData = path.join(dir, 'pg');
  const pgPort = await freePort();
  await startPostgres({ dataDir: pgData, port: pgPort, logFile: path.join(dir, 'logs', 'postgres.log') });
  let serverPid: number | undefined;
  try {
    const pgVersion = await psql(pgPort, 'SHOW server_version');
    const files = await ensureTemporalServer(log);
    await setupTemporalSchemas(files, pgPort, log);
    const ports = await allocateTemporalPorts();
    const root = path.join(dir, 'temporal');
    writeTemporalConfig(root, files, pgPort, ports);
    const logFile = path.join(dir, 'logs', 'temporal.log');
    serverPid = startTemporalServer(files, root, logFile);
    const address = `127.0.0.1:${ports.frontend}`;
    await waitForPort('127.0.0.1', ports.frontend, 120_000).catch((e: Error) => {
      throw new Error(`${e.message}. End of ${logFile}:\n${tailLog(logFile)}`, { cause: e });
    });
    await registerNamespace(address, 'default');
    const pid = serverPid;
    return {
      kind: 'postgres',
      address,
      what: `Temporal server ${TEMPORAL_SERVER_VERSION} (frontend, history, matching, worker in one process; its development-postgres12 config: 4 history shards) on PostgreSQL ${pgVersion.split(' ')[0]}, as \`freshet stack\` runs it`,
      serverPid: pid,
      databasePid: postgresPid(pgData),
      startupS: (Date.now() - started) / 1000,
      stop: async () => {
        await stopGroup(pid, 30_000);
        await stopPostgres(pgData);
      },
    };
  } catch (e) {
    if (serverPid) await stopGroup(serverPid, 10_000);
    await stopPostgres(pgData);
    throw e;
  }
}

interface Timing {
  /** partition activities each worker (by its Temporal identity) ran */
  byWorker: Record<string, number>;
  queueWaitMs: number[];
  activityMs: number[];
  engineMs: number[];
}

/** From every run of the backfill's history: each partition activity's wait for a worker, its run time, and the engine's part. */
async function timings(client: Client, workflowId: string): Promise<Timing> {
  const out: Timing = { byWorker: {}, queueWaitMs: [], activityMs: [], engineMs: [] };
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const scheduled = new Map<string, number>();
    const startedAt = new Map<string, number>();
    let next: string | undefined;
    for (const e of history.events ?? []) {
      const t = Number(e.eventTime!.seconds) * 1000 + (e.eventTime!.nanos ?? 0) / 1e6;
      if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'materializePartitions') scheduled.set(String(e.eventId), t);
      const start = e.activityTaskStartedEventAttributes;
      if (start && scheduled.has(String(start.scheduledEventId))) {
        startedAt.set(String(start.scheduledEventId), t);
        out.byWorker[start.identity ?? '?'] = (out.byWorker[start.identity ?? '?'] ?? 0) + 1;
      }
      const done = e.activityTaskCompletedEventAttributes;
      if (done && scheduled.has(String(done.scheduledEventId))) {
        const key = String(done.scheduledEventId);
        const s = startedAt.get(key) ?? scheduled.get(key)!;
        out.queueWaitMs.push(s - scheduled.get(key)!);
        out.activityMs.push(t - s);
        const results = JSON.parse(Buffer.from(done.result!.payloads![0].data!).toString()) as MaterializeResult[];
        for (const r of results) out.engineMs.push(r.durationMs);
      }
      next = e.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? next;
    }
    if (!next) return out;
    runId = next;
  }
}

async function backfill(ctx: ControlContext, asset: string, n: number): Promise<{ id: string; wallS: number; tasks: number }> {
  const to = shiftKey(project.get(asset).partitions as TimePartitions, START, n - 1);
  const started = Date.now();
  const { id } = await startBackfill(ctx, { assets: [asset], downstream: false, from: START, to, concurrency });
  const result = (await ctx.client.workflow.getHandle(id).result()) as BackfillProgress;
  const wallS = (Date.now() - started) / 1000;
  if (result.status !== 'succeeded')
    throw new Error(`backfill of ${asset} ended ${result.status}: ${JSON.stringify(result.failures.slice(0, 3))}`);
  return { id, wallS, tasks: result.assets.reduce((s, a) => s + a.counts.materialized, 0) };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: round(percentile(s, 50), 1), p99: round(percentile(s, 99), 1) };
};

/** One measured backfill with CPU sampled around it. */
async function measure(server: Server, ctx: ControlContext, workers: ChildProcess[]) {
  const n = workers.length;
  await backfill(ctx, `warm_${n}`, warmup);
  const roots = [server.serverPid, server.databasePid ?? -1, ...workers.map((w) => w.pid!)];
  const loadBefore = os.loadavg();
  const machineA = sampleMachine();
  const selfA = process.cpuUsage();
  const a = sampleTrees(roots);
  const run = await backfill(ctx, `run_${n}`, partitions);
  const b = sampleTrees(roots);
  const self = process.cpuUsage(selfA);
  const machine = machineCpuSeconds(machineA, sampleMachine());
  const [serverS, databaseS, ...workerS] = roots.map((_, i) => cpuSecondsBetween(a[i], b[i]));
  const benchS = (self.user + self.system) / 1e6;
  const workersS = workerS.reduce((s, x) => s + x, 0);
  const othersS = Math.max(0, machine - serverS - databaseS - workersS - benchS);
  const t = await timings(ctx.client, run.id);
  const cpu = {
    server: serverS,
    database: databaseS,
    workers: workersS,
    bench_client: benchS,
    other_processes: othersS,
    machine_total: machine,
  };
  const per = (f: (x: number) => number) => Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(f(v))]));
  const row = {
    server: server.kind,
    workers: n,
    tasks: run.tasks,
    wall_s: round(run.wallS),
    tasks_per_s: round(run.tasks / run.wallS),
    cpu_s: per((x) => x),
    // cores busy on average during the run; the machine has os.cpus().length of them
    cpu_cores: per((x) => x / run.wallS),
    cpu_ms_per_task: per((x) => (x * 1000) / run.tasks),
    // tasks/s one fully busy core of each part could carry at this CPU cost per task: the
    // smallest is the first ceiling once that part has a core to itself
    tasks_per_s_per_core: {
      server: round(run.tasks / serverS, 1),
      database: databaseS > 0 ? round(run.tasks / databaseS, 1) : null,
      workers: round(run.tasks / workersS, 1),
    },
    cpu_s_each_worker: workerS.map((x) => round(x)),
    // partition activities per worker process: every worker took a share
    tasks_each_worker: Object.values(t.byWorker).sort((x, y) => y - x),
    queue_wait_ms: stats(t.queueWaitMs),
    activity_ms: stats(t.activityMs),
    engine_ms: stats(t.engineMs),
    load_average_before: loadBefore.map((x) => round(x)),
    load_average_after: os.loadavg().map((x) => round(x)),
  };
  console.log(
    `${server.kind.padEnd(10)} ${n} worker(s): ${row.tasks} tasks in ${row.wall_s} s = ${row.tasks_per_s} tasks/s; cores: server ${row.cpu_cores.server}, db ${row.cpu_cores.database}, workers ${row.cpu_cores.workers}, others ${row.cpu_cores.other_processes}; queue wait p50 ${row.queue_wait_ms.p50} ms, activity p50 ${row.activity_ms.p50} ms`,
  );
  return row;
}

/** A server with its workers, task queue, warehouse and client. */
interface Side {
  server: Server;
  dir: string;
  env: NodeJS.ProcessEnv;
  ctx: Awaited<ReturnType<typeof controlContext>> | undefined;
  workers: ChildProcess[];
  idle: { server: number; database: number };
  /** set by the first closeSide, which the end of the run and Ctrl-C may both call */
  closing?: Promise<void>;
}

async function openSide(kind: ServerKind): Promise<Side> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `freshet-bench-orch-${kind}-`));
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  console.error(`starting ${kind}...`);
  const server = await (kind === 'dev_server' ? startDevServer(dir) : startPostgresServer(dir)).catch((e: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    FRESHET_TASK_QUEUE: `bench-orch-${kind.replace('_', '-')}`,
    FRESHET_WAREHOUSE: path.join(dir, 'warehouse'),
    FRESHET_PROJECT: projectFile,
    FRESHET_WORKER_ACTIVITIES: String(activities),
    FRESHET_DUCKDB_THREADS: '1',
  };
  const side: Side = { server, dir, env, ctx: undefined, workers: [], idle: { server: 0, database: 0 } };
  try {
    side.ctx = await controlContext(loadConfig(env));
    // What the server burns with nothing to do (its own system workflows, timers, polls).
    const idleA = sampleTrees([server.serverPid, server.databasePid ?? -1]);
    await sleep(5000);
    const idleB = sampleTrees([server.serverPid, server.databasePid ?? -1]);
    side.idle = { server: round(cpuSecondsBetween(idleA[0], idleB[0]) / 5), database: round(cpuSecondsBetween(idleA[1], idleB[1]) / 5) };
    return side;
  } catch (e) {
    await closeSide(side);
    throw e;
  }
}

async function addWorkers(side: Side, n: number): Promise<void> {
  const more = n - side.workers.length;
  const startedAt = Date.now();
  const logs = Array.from({ length: more }, (_, i) => path.join(side.dir, 'logs', `worker-${side.workers.length + i + 1}.log`));
  side.workers.push(...(await Promise.all(logs.map((log) => startWorker(side.env, log)))));
  console.error(`  ${side.server.kind}: ${more} worker(s) started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

function closeSide(side: Side): Promise<void> {
  return (side.closing ??= (async () => {
    await Promise.all(side.workers.map((w) => stopProcess(w, 30_000)));
    await side.server.stop();
    await side.ctx?.close().catch(() => {});
    rmSync(side.dir, { recursive: true, force: true });
  })());
}

const loadBefore = os.loadavg();
const startedAt = Date.now();
// Both servers stay up, and each worker count runs on both back to back (alternating which goes
// first), so a change in what the other sessions on the machine do hits both alike.
const sides: Side[] = [];
const rows: Array<Awaited<ReturnType<typeof measure>>> = [];
// PostgreSQL and the Temporal server run detached: stop them on Ctrl-C too, not only at the end.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: stopping the servers and workers...`);
    // What was running fails as its server goes away: let it, the cleanup comes first.
    process.on('uncaughtException', () => {});
    process.on('unhandledRejection', () => {});
    void Promise.all(sides.map(closeSide)).finally(() => process.exit(130));
  });
}
try {
  sides.push(await openSide('dev_server'));
  sides.push(await openSide('postgres'));
  for (const [i, n] of WORKER_COUNTS.entries()) {
    for (const side of sides) await addWorkers(side, n);
    for (const side of i % 2 === 0 ? sides : [...sides].reverse()) rows.push(await measure(side.server, side.ctx!, side.workers));
  }
} finally {
  for (const side of sides) await closeSide(side);
}
const info = (kind: ServerKind) => {
  const side = sides.find((s) => s.server.kind === kind)!;
  return { what: side.server.what, startup_s: round(side.server.startupS, 1), idle_cpu_cores: side.idle };
};
const tps = (kind: ServerKind, n: number) => rows.find((r) => r.server === kind && r.workers === n)!.tasks_per_s;
const byWorkers = (kind: ServerKind) => Object.fromEntries(WORKER_COUNTS.map((n) => [n, tps(kind, n)]));
const result = {
  when: new Date().toISOString(),
  command: `node --import tsx bench/orchestration.ts --partitions ${partitions} --concurrency ${concurrency} --activities ${activities}`,
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
  load_average_before: loadBefore.map((x) => round(x)),
  load_average_after: os.loadavg().map((x) => round(x)),
  duration_s: Math.round((Date.now() - startedAt) / 1000),
  workload: {
    partitions_per_run: partitions,
    warmup_partitions_per_run: warmup,
    backfill_concurrency: concurrency,
    activities_per_worker: activities,
    task: 'one daily partition of a TypeScript source returning 3 rows: one activity, one Parquet file, one Delta commit',
    warehouse: 'a local directory (fresh per server) for both servers, so the only difference is the Temporal server',
    order:
      'both servers and their workers stay up throughout (the idle one costs its idle_cpu_cores); for 1, 2, then 4 workers (added between runs), one run on each server back to back, alternating which goes first; each run is preceded by a warm-up backfill on its own asset',
  },
  servers: { dev_server: info('dev_server'), postgres: info('postgres') },
  tasks_per_s: { dev_server: byWorkers('dev_server'), postgres: byWorkers('postgres') },
  two_workers_over_one: {
    dev_server: round(tps('dev_server', 2) / tps('dev_server', 1)),
    postgres: round(tps('postgres', 2) / tps('postgres', 1)),
  },
  four_workers_over_one: {
    dev_server: round(tps('dev_server', 4) / tps('dev_server', 1)),
    postgres: round(tps('postgres', 4) / tps('postgres', 1)),
  },
  postgres_over_dev_server: Object.fromEntries(WORKER_COUNTS.map((n) => [n, round(tps('postgres', n) / tps('dev_server', n))])),
  runs: rows,
  notes:
    'cpu_* count each process tree from /proc (utime+stime, plus what it reaped): server = the Temporal server process, database = the postmaster and its backends (0 for the dev server, whose SQLite is in its process), workers = every freshet worker, other_processes = the rest of the machine (other sessions share it: noise; it also holds the idle other server and its workers). cpu_cores is CPU seconds over the run wall time; with 2 cores, a sum near 2 means the machine, not one part, is the ceiling.',
};
mkdirSync('bench/results', { recursive: true });
// The size sweep (--sizes) is kept: it is another run's result in the same file.
const kept = existsSync(RESULT_FILE) ? (JSON.parse(readFileSync(RESULT_FILE, 'utf8')) as Record<string, unknown>) : {};
const sweepKeys = ['tasks_per_s_by_partitions', 'flatness', 'by_size'].filter((k) => k in kept);
writeFileSync(RESULT_FILE, JSON.stringify({ ...result, ...Object.fromEntries(sweepKeys.map((k) => [k, kept[k]])) }, null, 2) + '\n');
console.log(
  `tasks/s dev ${JSON.stringify(result.tasks_per_s.dev_server)} postgres ${JSON.stringify(result.tasks_per_s.postgres)}; 2/1 ${JSON.stringify(result.two_workers_over_one)}; postgres/dev ${JSON.stringify(result.postgres_over_dev_server)}`,
);
console.log('wrote bench/results/orchestration.json');
