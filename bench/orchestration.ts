// Backfill throughput on the Temporal dev server: N partitions × 5 tiny assets, with one and
// with two worker processes. Per-task overhead = the batch activity's time from schedule to
// completion minus the engine's own time for the batch (its longest partition durationMs, which
// in a range batch counts from the batch's start), divided by its partitions.
// Usage: node --import tsx bench/orchestration.ts [--partitions 2000] [--concurrency 8]
import { Client, Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBackfill } from '../control/backfills.ts';
import { shiftKey, type TimePartitions } from '../core/index.ts';
import type { MaterializeResult } from '../engine/index.ts';
import { startTemporalDevServer } from '../services/temporal.ts';
import { openStore } from '../storage/index.ts';
import type { BackfillProgress } from '../contract/backfill.ts';
import project from './fixtures/chain5.ts';

const { values } = parseArgs({
  options: { partitions: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '8' } },
});
const partitions = Number(values.partitions);
const concurrency = Number(values.concurrency);
const projectFile = path.resolve('bench/fixtures/chain5.ts');

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

async function startWorkers(n: number, env: NodeJS.ProcessEnv): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ChildProcess>((resolve, reject) => {
          const child = spawn('node', ['bin/freshet.mjs', 'worker'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
          child.stdout!.on('data', (d: Buffer) => {
            if (d.toString().includes('worker polling')) resolve(child);
          });
          child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
        }),
    ),
  );
}

/** Per-partition overhead from every run of the backfill's continue-as-new chain. */
async function overheads(client: Client, workflowId: string): Promise<number[]> {
  const out: number[] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const scheduled = new Map<string, number>();
    let next: string | undefined;
    for (const e of history.events ?? []) {
      const t = Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6);
      if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'materializePartitions') scheduled.set(String(e.eventId), t);
      const done = e.activityTaskCompletedEventAttributes;
      if (done && scheduled.has(String(done.scheduledEventId))) {
        const payload = done.result!.payloads![0];
        const results = JSON.parse(Buffer.from(payload.data!).toString()) as MaterializeResult[];
        const engineMs = Math.max(0, ...results.map((r) => r.durationMs));
        const per = Math.max(0, t - scheduled.get(String(done.scheduledEventId))! - engineMs) / results.length;
        for (let i = 0; i < results.length; i++) out.push(per);
      }
      next = e.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? next;
    }
    if (!next) return out;
    runId = next;
  }
}

async function run(workerCount: number, address: string) {
  const warehouse = mkdtempSync(path.join(tmpdir(), 'freshet-bench-orch-'));
  const taskQueue = `bench-orch-${workerCount}-${Date.now()}`;
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    FRESHET_TASK_QUEUE: taskQueue,
    FRESHET_WAREHOUSE: warehouse,
    FRESHET_PROJECT: projectFile,
    FRESHET_WORKER_ACTIVITIES: String(concurrency),
    FRESHET_DUCKDB_THREADS: '1',
  };
  const workers = await startWorkers(workerCount, env);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  try {
    const to = shiftKey(project.get('b1').partitions as TimePartitions, '2020-01-01', partitions - 1);
    const started = Date.now();
    const { id } = await startBackfill(
      { client, taskQueue, graph: project, warehouse: openStore(warehouse) },
      { assets: ['b1'], downstream: true, from: '2020-01-01', to, concurrency },
    );
    const result = (await client.workflow.getHandle(id).result()) as BackfillProgress;
    const wallS = (Date.now() - started) / 1000;
    const tasks = result.assets.reduce((n, a) => n + a.counts.materialized, 0);
    if (result.status !== 'completed') throw new Error(`backfill ended ${result.status}: ${JSON.stringify(result.failures.slice(0, 3))}`);
    const over = (await overheads(client, id)).sort((a, b) => a - b);
    return {
      workers: workerCount,
      tasks,
      wall_s: wallS,
      tasks_per_s: tasks / wallS,
      overhead_p50_ms: percentile(over, 50),
      overhead_p99_ms: percentile(over, 99),
    };
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await connection.close();
    rmSync(warehouse, { recursive: true, force: true });
  }
}

const server = await startTemporalDevServer();
try {
  const one = await run(1, server.address);
  console.log(
    `1 worker : ${one.tasks} tasks in ${one.wall_s.toFixed(1)} s = ${one.tasks_per_s.toFixed(1)} tasks/s; overhead p50 ${one.overhead_p50_ms.toFixed(1)} ms, p99 ${one.overhead_p99_ms.toFixed(1)} ms`,
  );
  const two = await run(2, server.address);
  console.log(
    `2 workers: ${two.tasks} tasks in ${two.wall_s.toFixed(1)} s = ${two.tasks_per_s.toFixed(1)} tasks/s; overhead p50 ${two.overhead_p50_ms.toFixed(1)} ms, p99 ${two.overhead_p99_ms.toFixed(1)} ms`,
  );
  const result = {
    machine: '2 cores, Temporal dev server (SQLite in memory) on the same machine',
    partitions,
    assets: 5,
    concurrency,
    tasks: one.tasks,
    tasks_per_s: one.tasks_per_s,
    overhead_p50_ms: one.overhead_p50_ms,
    overhead_p99_ms: one.overhead_p99_ms,
    one_worker: one,
    two_workers: two,
    dagster_reference_runs_per_s: 1,
    command: `node --import tsx bench/orchestration.ts --partitions ${partitions} --concurrency ${concurrency}`,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/orchestration.json', JSON.stringify(result, null, 2) + '\n');
  console.log('wrote bench/results/orchestration.json');
} finally {
  await server.stop();
}
