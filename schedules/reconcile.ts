// Makes the server's schedules match the project's SLAs: create, update when the SLA changed,
// delete when the asset (or its SLA) is gone. Run on every worker and `freshet dev` start, so
// several workers starting together run it at once (docker-compose.yml starts two).
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ServiceError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import { DEFAULT_BACKFILL_CONCURRENCY, type BackfillRequest } from '../contract/backfill.ts';
import { assetOfScheduleId, refreshWorkflowId } from '../contract/ids.ts';
import { scheduledQueue } from '../contract/queues.ts';
import { WORKFLOW_TYPES, type FreshetWorkflows } from '../contract/workflows.ts';
import type { AssetDef, AssetGraph } from '../core/index.ts';
import { deriveSchedule, type DerivedSchedule } from './derive.ts';

export interface ReconcileResult {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
}

function options(d: DerivedSchedule, taskQueue: string): ScheduleOptions<ScheduleOptionsStartWorkflowAction<FreshetWorkflows['backfill']>> {
  const request: BackfillRequest = {
    assets: [d.asset],
    downstream: false,
    upstream: true,
    latest: true,
    concurrency: DEFAULT_BACKFILL_CONCURRENCY,
    trigger: 'schedule',
  };
  return {
    scheduleId: d.scheduleId,
    spec: { intervals: [{ every: d.everyMs, offset: d.offsetMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: WORKFLOW_TYPES.backfill,
      // the scheduled queue (the base name, as before the split: existing schedules stay unchanged)
      taskQueue: scheduledQueue(taskQueue),
      // The server appends the fire time, so each run has its own id under the backfill prefix.
      workflowId: refreshWorkflowId(taskQueue, d.asset),
      args: [{ request }],
      // The compute budget, retries included.
      workflowExecutionTimeout: d.runTimeoutMs,
      memo: { request },
    },
    policies: {
      // A run still going covers what an overlapping one would do; buffering would queue the same work.
      overlap: 'SKIP',
      // After an outage, one missed run within an SLA period is caught up; older ones would redo the same partitions.
      catchupWindow: d.catchupWindowMs,
      pauseOnFailure: false,
    },
    memo: { derived: fingerprint(d) },
  };
}

const fingerprint = (d: DerivedSchedule) => JSON.stringify([d.everyMs, d.offsetMs, d.runTimeoutMs, d.catchupWindowMs]);

export async function reconcileSchedules(client: Client, graph: AssetGraph, taskQueue: string): Promise<ReconcileResult> {
  const result: ReconcileResult = { created: [], updated: [], deleted: [], unchanged: [] };
  const wanted = new Map<string, DerivedSchedule>();
  for (const a of graph.assets) {
    const d = deriveSchedule(a, taskQueue);
    if (d) wanted.set(d.scheduleId, d);
  }
  // Listing is eventually consistent: it finds the schedules to delete, while each wanted one is
  // described directly, which is not.
  const existing = new Set<string>();
  for await (const s of client.schedule.list()) {
    if (assetOfScheduleId(taskQueue, s.scheduleId) !== undefined) existing.add(s.scheduleId);
  }
  for (const [id, d] of wanted) {
    const opts = options(d, taskQueue);
    const outcome = await againAfterRace(async () => {
      const current = await describeOrUndefined(client, id);
      if (!current) {
        await client.schedule.create(opts);
        return 'created';
      }
      if (current.memo?.derived !== fingerprint(d)) {
        // Recreate rather than update: the memo that records the derivation is only set at creation.
        await client.schedule.getHandle(id).delete();
        await client.schedule.create(opts);
        return 'updated';
      }
      return 'unchanged';
    });
    result[outcome].push(d.asset);
  }
  for (const id of existing) {
    if (wanted.has(id)) continue;
    await againAfterRace(async () => {
      try {
        await client.schedule.getHandle(id).delete();
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      }
    });
    result.deleted.push(assetOfScheduleId(taskQueue, id)!);
  }
  return result;
}

const RACE_ATTEMPTS = 8;

/** Another worker reconciling at the same moment: the schedule appeared, vanished, or is being
 * deleted (the server answers FAILED_PRECONDITION, gRPC code 9, while its workflow closes). */
function isRace(err: unknown): boolean {
  return (
    err instanceof ScheduleAlreadyRunning ||
    err instanceof ScheduleNotFoundError ||
    (err instanceof ServiceError && (err.cause as { code?: unknown } | undefined)?.code === 9)
  );
}

/** Runs `step` again, from a fresh describe, when it lost a race; every worker wants the same end
 * state, so a few rounds settle it. */
async function againAfterRace<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (!isRace(err) || attempt >= RACE_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt + Math.random() * 100));
    }
  }
}

function describeOrUndefined(client: Client, id: string) {
  return client.schedule
    .getHandle(id)
    .describe()
    .catch((err: unknown) => {
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw err;
    });
}

/** `server`: the server's description, when the schedule exists there (paused, recent actions: schedules/control.ts) */
export type DescribedSchedule = DerivedSchedule & { nextRunAt?: number; onServer: boolean; server?: ScheduleDescription };

/** An asset's derived schedule, with the server's next run time when the schedule exists there. */
export async function describeSchedule(
  client: Client | undefined,
  asset: AssetDef,
  taskQueue: string,
): Promise<DescribedSchedule | undefined> {
  const d = deriveSchedule(asset, taskQueue);
  if (!d) return undefined;
  const desc = client ? await describeOrUndefined(client, d.scheduleId) : undefined;
  return desc ? { ...d, onServer: true, nextRunAt: desc.info.nextActionTimes[0]?.getTime(), server: desc } : { ...d, onServer: false };
}

/** The derived schedule of each asset with an SLA, as describeSchedule gives it. */
export async function describeSchedules(client: Client | undefined, graph: AssetGraph, taskQueue: string): Promise<DescribedSchedule[]> {
  const out: DescribedSchedule[] = [];
  for (const a of graph.assets) {
    const d = await describeSchedule(client, a, taskQueue);
    if (d) out.push(d);
  }
  return out;
}
