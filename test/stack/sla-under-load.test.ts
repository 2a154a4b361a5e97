// Issue 13, test 5: queues that keep SLAs, on the production-shaped stack (Temporal on
// PostgreSQL, two `freshet worker` processes, MinIO). A 2,000-partition backfill keeps every
// backfill slot of both workers busy with a backlog behind them, while a 10-second-SLA asset's
// derived schedule fires every 10 s: each run must start within 2 s of its scheduled time and
// finish within its 2.5 s budget. Every run's delays are printed; the maximum is asserted.
// Then the backfill is cancelled, and shows as cancelled.
//
// FRESHET_TEST_LOAD_ON_SCHEDULED=1 is the control: the same load started on the scheduled queue,
// as every backfill ran before the queues were split; the start delays then fail the test.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { describe, expect, inject, it } from 'vitest';
import { backfillOutcome, cancelBackfill, listBackfills, startBackfill, type ControlContext } from '../../control/backfills.ts';
import { MAX_BACKFILL_CONCURRENCY, type BackfillProgress, type BackfillRequest } from '../../contract/backfill.ts';
import { backfillWorkflowId } from '../../contract/ids.ts';
import { startWorkflow } from '../../control/start-workflow.ts';
import { backfillQueue, scheduledQueue } from '../../contract/queues.ts';
import { definitions } from '../../core/index.ts';
import { connectClient, loadConfig, openWarehouse, servedQueues } from '../../runtime/index.ts';
import { deriveSchedule } from '../../schedules/derive.ts';
import { reconcileSchedules } from '../../schedules/reconcile.ts';
import { readStackState, stackEnv } from '../../services/stack.ts';
import { SLA_LOAD_PARTITIONS, SLA_LOAD_START, SLA_MAX_LAG, slaPulse } from '../fixtures/sla-load-project.ts';
import project from '../fixtures/stack-project.ts';

const EventType = temporal.api.enums.v1.EventType;
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
const SCHEDULED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED;

const MAX_START_DELAY_MS = 2_000;
const onScheduled = !!process.env.FRESHET_TEST_LOAD_ON_SCHEDULED;
/** scheduled runs measured under load */
const RUNS = 7;

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

/** The day `n` days after `day` (UTC). */
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

interface RunDelays {
  workflowId: string;
  scheduledAt: number;
  /** the server started the workflow (the schedule fired) */
  fired: number;
  /** a worker took the first workflow task */
  firstWorkflowTask: number;
  /** the first activity (the plan) started */
  firstActivity: number;
  /** the partition's compute (materializePartitions) started */
  compute: number;
  /** the run closed, after the scheduled time */
  closed: number;
  /** from the workflow's start to its close: what the 2.5 s budget bounds */
  runTime: number;
  closeEvent: string;
  activityQueues: string[];
  /** the longest any of its activities waited in the queue (scheduled to started) */
  queueWait: number;
}

/** A scheduled run's delays from its history, each counted from the time it was scheduled for. */
async function delaysOf(client: Client, workflowId: string, runId: string, scheduledAt: number): Promise<RunDelays> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  const first = (type: number) => events.find((e) => e.eventType === type);
  const typeOf = new Map<string, string>();
  const scheduledTime = new Map<string, number>();
  const activityQueues = new Set<string>();
  let queueWait = 0;
  for (const e of events) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a) {
      typeOf.set(String(e.eventId), a.activityType?.name ?? '');
      scheduledTime.set(String(e.eventId), ms(e.eventTime));
      activityQueues.add(a.taskQueue?.name ?? '');
    }
    const st = e.activityTaskStartedEventAttributes;
    if (st) queueWait = Math.max(queueWait, ms(e.eventTime) - scheduledTime.get(String(st.scheduledEventId))!);
  }
  // an activity still waiting when the run timed out waited until then
  for (const [id, t] of scheduledTime)
    if (!events.some((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === id))
      queueWait = Math.max(queueWait, ms(events[events.length - 1]?.eventTime) - t);
  const computeStarted = events.find(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
      typeOf.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId)) === 'materializePartitions',
  );
  const started = ms(first(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)?.eventTime);
  const last = events[events.length - 1];
  const since = (t: number) => t - scheduledAt;
  return {
    workflowId,
    scheduledAt,
    fired: since(started),
    firstWorkflowTask: since(ms(first(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)?.eventTime)),
    firstActivity: first(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
      ? since(ms(first(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)?.eventTime))
      : NaN,
    compute: computeStarted ? since(ms(computeStarted.eventTime)) : NaN,
    closed: since(ms(last?.eventTime)),
    runTime: ms(last?.eventTime) - started,
    closeEvent: EventType[last?.eventType ?? 0] ?? String(last?.eventType),
    activityQueues: [...activityQueues],
    queueWait,
  };
}

describe('queues that keep SLAs', () => {
  it(`a 10-second-SLA asset's scheduled runs start within 2 s and finish within budget while a ${SLA_LOAD_PARTITIONS}-partition backfill fills every backfill slot`, async () => {
    const state = readStackState(inject('stackDir'))!;
    const config = loadConfig(stackEnv(state));
    const client = await connectClient(config);
    const ctx: ControlContext = { client, taskQueue: config.taskQueue, graph: project, warehouse: openWarehouse(config) };
    const served = servedQueues(config.taskQueue, ['scheduled', 'backfill'], config.workerSlots);
    const backfillSlots = served[onScheduled ? 0 : 1].slots * state.workers;
    const withSla = definitions({
      assets: [...project.assets.filter((a) => a.name !== 'sla_pulse'), slaPulse({ maxLag: SLA_MAX_LAG })],
    });
    const derived = deriveSchedule(withSla.get('sla_pulse'), config.taskQueue)!;
    expect({ everyMs: derived.everyMs, runTimeoutMs: derived.runTimeoutMs }).toEqual({ everyMs: 10_000, runTimeoutMs: 2_500 });

    let backfillId: string | undefined;
    try {
      // 1. The load: every partition a timer, as many at once as a backfill may ask for, so a deep
      // backlog waits behind the slots in every partition of the task queue (Temporal keeps FIFO
      // per partition only, and sync-matches a new task while a partition's backlog is young).
      const request: BackfillRequest = {
        assets: ['sla_load'],
        downstream: false,
        from: SLA_LOAD_START,
        to: addDays(SLA_LOAD_START, SLA_LOAD_PARTITIONS - 1),
        force: true,
        concurrency: MAX_BACKFILL_CONCURRENCY,
      };
      const started = onScheduled
        ? await startWorkflow(client, 'backfill', {
            taskQueue: scheduledQueue(config.taskQueue),
            workflowId: backfillWorkflowId(config.taskQueue, `control-${Date.now()}`),
            args: [{ request }],
            memo: { request },
          }).then((h) => ({ id: h.workflowId }))
        : await startBackfill(ctx, request);
      backfillId = started.id;
      const backfill = client.workflow.getHandle(started.id);
      const load = async () => {
        const pending = (await backfill.describe()).raw.pendingActivities ?? [];
        const running = pending.filter((p) => p.state === STARTED);
        return {
          running: running.length,
          waiting: pending.filter((p) => p.state === SCHEDULED).length,
          workers: new Set(running.map((p) => p.lastWorkerIdentity)).size,
        };
      };
      const loading = Date.now();
      for (let l = await load(); !(l.running === backfillSlots && l.waiting > 0); l = await load()) {
        if (Date.now() - loading > 60_000)
          throw new Error(`the load did not fill ${backfillSlots} backfill slots in 60 s: ${JSON.stringify(l)}`);
        await sleep(500);
      }

      // 2. The SLA asset's derived schedule, made as a worker's start makes it.
      const since = Date.now();
      await reconcileSchedules(client, withSla, config.taskQueue);
      const schedule = client.schedule.getHandle(derived.scheduleId);
      const samples: Array<Awaited<ReturnType<typeof load>>> = [];
      const taken = async () => (await schedule.describe()).info.recentActions.filter((a) => a.scheduledAt.getTime() >= since);
      // until RUNS runs have fired and the last of them closed, sampling the load every second
      for (;;) {
        samples.push(await load());
        const actions = await taken();
        if (actions.length >= RUNS) {
          const lastRun = actions[RUNS - 1].action.workflow;
          const d = await client.workflow.getHandle(lastRun.workflowId, lastRun.firstExecutionRunId).describe();
          if (d.status.name !== 'RUNNING') break;
        }
        if (Date.now() - since > (RUNS + 3) * derived.everyMs) throw new Error(`only ${actions.length} of ${RUNS} scheduled runs fired`);
        await sleep(1_000);
      }
      const actions = (await taken()).slice(0, RUNS);
      const runs = await Promise.all(
        actions.map((a) => delaysOf(client, a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId, a.scheduledAt.getTime())),
      );
      const backlogged = samples.filter((s) => s.waiting > 0).length;
      const meanRunning = samples.reduce((n, s) => n + s.running, 0) / samples.length;
      const meanWaiting = samples.reduce((n, s) => n + s.waiting, 0) / samples.length;
      console.log(
        [
          `load (${onScheduled ? 'control: on the scheduled queue' : 'on the backfill queue'}): in ${samples.length} one-second samples, ` +
            `${meanRunning.toFixed(1)} of ${backfillSlots} slots running on average, a backlog waiting in ${backlogged} (${meanWaiting.toFixed(1)} activities on average)`,
          'scheduled runs of sla_pulse, ms after the scheduled time: fired / first workflow task / plan activity started / compute activity started / closed; run time; longest queue wait of an activity',
          ...runs.map(
            (r) =>
              `  ${new Date(r.scheduledAt).toISOString()}  ${r.fired} / ${r.firstWorkflowTask} / ${r.firstActivity} / ${r.compute} / ${r.closed}; ${r.runTime}; ${r.queueWait} (${r.closeEvent})`,
          ),
          `max start delay: first workflow task ${Math.max(...runs.map((r) => r.firstWorkflowTask))} ms, ` +
            `plan activity ${Math.max(...runs.map((r) => r.firstActivity))} ms, compute activity ${Math.max(...runs.map((r) => r.compute))} ms; ` +
            `max queue wait ${Math.max(...runs.map((r) => r.queueWait))} ms; max run time ${Math.max(...runs.map((r) => r.runTime))} ms`,
        ].join('\n'),
      );

      const results = await Promise.all(
        actions.map((a) =>
          client.workflow
            .getHandle(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId)
            .result()
            .then(
              (p) => p as BackfillProgress,
              (err: Error) => ({ status: `failed: ${err.message}`, assets: [] }) as unknown as BackfillProgress,
            ),
        ),
      );

      // The load was real: work waiting behind the slots all the time, and more running than one
      // worker's slots (a slot freed is refilled within a moment, so the mean is below the total).
      expect(backlogged).toBe(samples.length);
      expect(meanRunning).toBeGreaterThan(backfillSlots / state.workers);
      expect(Math.max(...samples.map((s) => s.running))).toBe(backfillSlots);
      expect(Math.max(...samples.map((s) => s.workers))).toBe(state.workers);
      // Started: a worker took each run's first workflow task in time, and none of its activities
      // waited for a slot. (Soft: the cancellation below is checked whatever these say.)
      expect.soft(Math.max(...runs.map((r) => r.firstWorkflowTask))).toBeLessThanOrEqual(MAX_START_DELAY_MS);
      expect.soft(Math.max(...runs.map((r) => r.queueWait))).toBeLessThanOrEqual(MAX_START_DELAY_MS);
      // Every run computed sla_pulse on the scheduled queue and completed within its budget.
      for (const [i, r] of runs.entries()) {
        expect(r.activityQueues).toEqual([scheduledQueue(config.taskQueue)]);
        expect.soft({ at: new Date(r.scheduledAt).toISOString(), closeEvent: r.closeEvent, status: results[i].status }).toEqual({
          at: new Date(r.scheduledAt).toISOString(),
          closeEvent: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
          status: 'succeeded',
        });
        if (results[i].status === 'succeeded')
          expect(results[i].assets).toEqual([{ asset: 'sla_pulse', counts: expect.objectContaining({ materialized: 1 }) }]);
      }
      expect.soft(Math.max(...runs.map((r) => r.runTime))).toBeLessThanOrEqual(derived.runTimeoutMs);

      // 3. Cancel the load: it ends as cancelled, on the page's list too, with nothing left running.
      await client.schedule.getHandle(derived.scheduleId).delete();
      await cancelBackfill(ctx, started.id);
      const end = await backfillOutcome(ctx, started.id);
      backfillId = undefined;
      expect(end.status).toBe('cancelled');
      const counts = end.assets[0].counts;
      expect(counts.cancelled).toBeGreaterThan(0);
      expect(counts.materialized + counts.cancelled).toBe(SLA_LOAD_PARTITIONS);
      expect((await backfill.describe()).raw.pendingActivities ?? []).toEqual([]);
      expect((await backfill.describe()).status.name).toBe('CANCELLED');
      const listed = (await listBackfills(ctx, 200)).find((b) => b.id === started.id);
      expect(listed?.request.assets).toEqual(['sla_load']);
      expect(listed?.status).toBe('cancelled');
      // the load's activities all ran on the backfill queue
      const queues = new Set(
        ((await backfill.fetchHistory()).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name ?? []),
      );
      expect([...queues]).toEqual([onScheduled ? scheduledQueue(config.taskQueue) : backfillQueue(config.taskQueue)]);
    } finally {
      await client.schedule
        .getHandle(derived.scheduleId)
        .delete()
        .catch(() => {});
      if (backfillId)
        await client.workflow
          .getHandle(backfillId)
          .terminate('sla-under-load test ended early')
          .catch(() => {});
      await client.connection.close();
    }
  }, 300_000);
});
