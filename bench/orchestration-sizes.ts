// Cost per partition as the backfill grows: the same 5-asset daily chain (bench/fixtures/chain5.ts,
// range-batched SQL assets) at several sizes, with one and two workers, on the Temporal dev server.
// Each run gets a fresh warehouse and task queue (fresh tables, so a run never pays for an earlier
// run's log) and its own workers. Besides tasks/s it reports where a partition's time went:
// the worker's own phases (from the timers each MaterializeResult carries), the Temporal round trip
// around each activity, the workflow's task time, and history and payload size per task.
// Run through bench/orchestration.ts --sizes 400,2000,10000.
import type { Client } from '@temporalio/client';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBackfill } from '../control/backfills.ts';
import type { BackfillProgress } from '../contract/backfill.ts';
import type { MaterializeResult, PhaseTimings } from '../contract/materialize.ts';
import { shiftKey, type TimePartitions } from '../core/index.ts';
import { controlContext, loadConfig } from '../runtime/index.ts';
import { stopProcess } from '../services/process.ts';
import { startTemporalDevServer } from '../services/temporal.ts';
import { percentile, startWorker } from './worker-process.ts';
import project from './fixtures/chain5.ts';

const projectFile = path.resolve('bench/fixtures/chain5.ts');
// 10,000 daily partitions from here end in 2017: a backfill may not reach past today
const START = '1990-01-01';
const PHASES: Array<keyof PhaseTimings> = [
  'skipCheckMs',
  'inputsMs',
  'computeMs',
  'lockWaitMs',
  'snapshotMs',
  'planMs',
  'putMs',
  'conflictMs',
  'afterCommitMs',
];
const COMMIT: Array<keyof PhaseTimings> = ['snapshotMs', 'planMs', 'putMs', 'conflictMs', 'afterCommitMs'];

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);

interface Activity {
  scheduled: number;
  started: number;
  completed: number;
  results: MaterializeResult[];
}

interface HistoryFacts {
  activities: Activity[];
  /** WorkflowTaskStarted → WorkflowTaskCompleted, ms, every workflow task of every run */
  workflowTaskMs: number[];
  /** WorkflowTaskScheduled → WorkflowTaskStarted */
  workflowTaskWaitMs: number[];
  events: number;
  runs: number;
  resultBytes: number;
  inputBytes: number;
}

const eventMs = (t: { seconds?: unknown; nanos?: number | null }) => Number(t.seconds) * 1000 + (t.nanos ?? 0) / 1e6;

/** Every run of the backfill's continue-as-new chain, read from its history: from the newest run back to the first. */
async function historyFacts(client: Client, workflowId: string): Promise<HistoryFacts> {
  const out: HistoryFacts = {
    activities: [],
    workflowTaskMs: [],
    workflowTaskWaitMs: [],
    events: 0,
    runs: 0,
    resultBytes: 0,
    inputBytes: 0,
  };
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    out.runs++;
    const scheduled = new Map<string, number>();
    const started = new Map<string, number>();
    const wtScheduled = new Map<string, number>();
    const wtStarted = new Map<string, number>();
    let previous: string | undefined;
    for (const e of history.events ?? []) {
      out.events++;
      previous = e.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || previous;
      const t = eventMs(e.eventTime!);
      const id = String(e.eventId);
      const sch = e.activityTaskScheduledEventAttributes;
      if (sch?.activityType?.name === 'materializePartitions') {
        scheduled.set(id, t);
        out.inputBytes += sch.input?.payloads?.reduce((n, p) => n + (p.data?.length ?? 0), 0) ?? 0;
      }
      const st = e.activityTaskStartedEventAttributes;
      if (st && scheduled.has(String(st.scheduledEventId))) started.set(String(st.scheduledEventId), t);
      const done = e.activityTaskCompletedEventAttributes;
      if (done && scheduled.has(String(done.scheduledEventId))) {
        const key = String(done.scheduledEventId);
        const data = done.result!.payloads![0].data!;
        out.resultBytes += data.length;
        out.activities.push({
          scheduled: scheduled.get(key)!,
          started: started.get(key) ?? scheduled.get(key)!,
          completed: t,
          results: JSON.parse(Buffer.from(data).toString()) as MaterializeResult[],
        });
      }
      if (e.workflowTaskScheduledEventAttributes) wtScheduled.set(id, t);
      const wst = e.workflowTaskStartedEventAttributes;
      if (wst) {
        wtStarted.set(id, t);
        const s = wtScheduled.get(String(wst.scheduledEventId));
        if (s !== undefined) out.workflowTaskWaitMs.push(t - s);
      }
      const wdone = e.workflowTaskCompletedEventAttributes;
      if (wdone) {
        const s = wtStarted.get(String(wdone.startedEventId));
        if (s !== undefined) out.workflowTaskMs.push(t - s);
      }
    }
    if (!previous) return out;
    runId = previous;
  }
}

/** Per-partition means of each worker phase over `acts`. */
function phaseMeans(acts: Activity[]): Record<string, number> {
  const results = acts.flatMap((a) => a.results).filter((r) => r.timings);
  return Object.fromEntries(PHASES.map((p) => [p.replace(/Ms$/, '_ms'), round(mean(results.map((r) => r.timings![p])))]));
}

function breakdown(facts: HistoryFacts, tasks: number, wallS: number) {
  const acts = [...facts.activities].sort((a, b) => a.completed - b.completed);
  const results = acts.flatMap((a) => a.results);
  const commitMs = results.filter((r) => r.timings).map((r) => COMMIT.reduce((s, p) => s + r.timings![p], 0));
  // Per partition: the activity's span from schedule to completion, less what the worker's own
  // timers account for, is Temporal's part (dispatch, the completion's round trip, heartbeats).
  const roundTripMs = acts.map((a) => {
    const inside = a.results.reduce((s, r) => s + (r.timings ? PHASES.reduce((x, p) => x + r.timings![p], 0) : r.durationMs), 0);
    return Math.max(0, a.completed - a.scheduled - inside) / a.results.length;
  });
  const queueWaitMs = acts.map((a) => a.started - a.scheduled);
  const quarter = Math.max(1, Math.floor(acts.length / 4));
  return {
    wall_ms_per_task: round((wallS * 1000) / tasks),
    worker_phase_ms_per_partition: phaseMeans(acts),
    // the growth inside one run: the same phases over the first and the last quarter of the activities
    worker_phase_ms_first_quarter: phaseMeans(acts.slice(0, quarter)),
    worker_phase_ms_last_quarter: phaseMeans(acts.slice(-quarter)),
    commit_ms: { p50: round(percentile(commitMs, 50)), p99: round(percentile(commitMs, 99)) },
    temporal_round_trip_ms_per_partition: { mean: round(mean(roundTripMs)), p50: round(percentile(roundTripMs, 50)) },
    activity_queue_wait_ms: { p50: round(percentile(queueWaitMs, 50)), p99: round(percentile(queueWaitMs, 99)) },
    activities: acts.length,
    partitions_per_activity: round(results.length / Math.max(1, acts.length)),
    workflow_tasks: facts.workflowTaskMs.length,
    workflow_task_ms: {
      p50: round(percentile(facts.workflowTaskMs, 50)),
      p99: round(percentile(facts.workflowTaskMs, 99)),
      total_per_task: round(facts.workflowTaskMs.reduce((s, x) => s + x, 0) / tasks),
    },
    workflow_task_wait_ms_p50: round(percentile(facts.workflowTaskWaitMs, 50)),
    history_runs: facts.runs,
    history_events_per_task: round(facts.events / tasks),
    activity_payload_bytes_per_task: round((facts.resultBytes + facts.inputBytes) / tasks),
  };
}

async function runOnce(address: string, partitions: number, workerCount: number, concurrency: number, activities: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'freshet-bench-sizes-'));
  mkdirSync(path.join(dir, 'logs'));
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    FRESHET_TASK_QUEUE: `bench-sizes-${partitions}-${workerCount}-${Date.now()}`,
    FRESHET_WAREHOUSE: path.join(dir, 'warehouse'),
    FRESHET_PROJECT: projectFile,
    FRESHET_WORKER_ACTIVITIES: String(activities),
    FRESHET_DUCKDB_THREADS: '1',
  };
  const workers: ChildProcess[] = [];
  const ctx = await controlContext(loadConfig(env));
  try {
    for (let i = 0; i < workerCount; i++) workers.push(await startWorker(env, path.join(dir, 'logs', `worker-${i + 1}.log`)));
    const to = shiftKey(project.get('b1').partitions as TimePartitions, START, partitions - 1);
    const loadBefore = os.loadavg();
    const started = Date.now();
    const { id } = await startBackfill(ctx, { assets: ['b1'], downstream: true, from: START, to, concurrency });
    const result = (await ctx.client.workflow.getHandle(id).result()) as BackfillProgress;
    const wallS = (Date.now() - started) / 1000;
    const loadAfter = os.loadavg();
    if (result.status !== 'succeeded') throw new Error(`backfill ended ${result.status}: ${JSON.stringify(result.failures.slice(0, 3))}`);
    const tasks = result.assets.reduce((s, a) => s + a.counts.materialized, 0);
    const facts = await historyFacts(ctx.client, id);
    const row = {
      partitions,
      assets: 5,
      workers: workerCount,
      tasks,
      wall_s: round(wallS),
      tasks_per_s: round(tasks / wallS),
      ...breakdown(facts, tasks, wallS),
      load_average_before: loadBefore.map((x) => round(x)),
      load_average_after: loadAfter.map((x) => round(x)),
    };
    console.log(
      `${partitions} partitions × 5, ${workerCount} worker(s): ${tasks} tasks in ${row.wall_s} s = ${row.tasks_per_s} tasks/s (load ${row.load_average_before[0]} → ${row.load_average_after[0]})`,
    );
    console.log(`  worker ms/partition ${JSON.stringify(row.worker_phase_ms_per_partition)}`);
    console.log(`  first quarter ${JSON.stringify(row.worker_phase_ms_first_quarter)}`);
    console.log(`  last quarter  ${JSON.stringify(row.worker_phase_ms_last_quarter)}`);
    console.log(
      `  commit p50/p99 ${row.commit_ms.p50}/${row.commit_ms.p99} ms; temporal round trip ${row.temporal_round_trip_ms_per_partition.mean} ms/partition; workflow tasks ${row.workflow_tasks}, p50 ${row.workflow_task_ms.p50} ms, ${row.workflow_task_ms.total_per_task} ms/task; ${row.history_events_per_task} events/task, ${row.activity_payload_bytes_per_task} B/task`,
    );
    return row;
  } finally {
    await Promise.all(workers.map((w) => stopProcess(w, 30_000)));
    await ctx.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runSizes(opts: { sizes: number[]; workers: number[]; concurrency: number; activities: number }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'freshet-bench-sizes-server-'));
  const loadBefore = os.loadavg();
  const startedAt = Date.now();
  const server = await startTemporalDevServer({ dbFile: path.join(dir, 'dev.db') });
  const runs: Array<Awaited<ReturnType<typeof runOnce>>> = [];
  try {
    for (const n of opts.sizes)
      for (const w of opts.workers) runs.push(await runOnce(server.address, n, w, opts.concurrency, opts.activities));
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const tps = (n: number, w: number) => runs.find((r) => r.partitions === n && r.workers === w)?.tasks_per_s;
  const byPartitions = (w: number) => Object.fromEntries(opts.sizes.map((n) => [String(n), tps(n, w)]));
  const smallest = Math.min(...opts.sizes);
  const largest = Math.max(...opts.sizes);
  return {
    when: new Date().toISOString(),
    command: `node --import tsx bench/orchestration.ts --sizes ${opts.sizes.join(',')} --workers ${opts.workers.join(',')} --concurrency ${opts.concurrency} --activities ${opts.activities}`,
    workload:
      '5-asset daily chain of tiny SQL assets (bench/fixtures/chain5.ts), range-batched 16 partitions per activity, one Delta commit per partition; Temporal dev server (SQLite file); fresh warehouse, task queue and workers per run',
    load_average_before: loadBefore.map((x) => round(x)),
    load_average_after: os.loadavg().map((x) => round(x)),
    duration_s: Math.round((Date.now() - startedAt) / 1000),
    tasks_per_s_by_partitions: byPartitions(1),
    tasks_per_s_by_partitions_two_workers: byPartitions(2),
    // tasks/s at the largest size over tasks/s at the smallest (the issue asks 10,000 over 400)
    flatness: opts.workers.includes(1) ? round(tps(largest, 1)! / tps(smallest, 1)!) : null,
    flatness_sizes: `${largest} over ${smallest}`,
    runs,
  };
}
