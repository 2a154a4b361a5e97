// Makes the server's schedules match the project's SLAs: create, update when the SLA changed,
// delete when the asset (or its SLA) is gone. Run on every worker and `freshet dev` start.
import { ScheduleNotFoundError, type Client, type ScheduleOptions, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import { DEFAULT_BACKFILL_CONCURRENCY, type BackfillRequest } from '../contract/backfill.ts';
import { assetOfScheduleId, refreshWorkflowId } from '../contract/ids.ts';
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
  const request: BackfillRequest = { assets: [d.asset], downstream: false, upstream: true, latest: true, concurrency: DEFAULT_BACKFILL_CONCURRENCY };
  return {
    scheduleId: d.scheduleId,
    spec: { intervals: [{ every: d.everyMs, offset: d.offsetMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: WORKFLOW_TYPES.backfill,
      taskQueue,
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
    const current = await describeOrUndefined(client, id);
    if (!current) {
      await client.schedule.create(opts);
      result.created.push(d.asset);
    } else if (current.memo?.derived !== fingerprint(d)) {
      // Recreate rather than update: the memo that records the derivation is only set at creation.
      await client.schedule.getHandle(id).delete();
      await client.schedule.create(opts);
      result.updated.push(d.asset);
    } else {
      result.unchanged.push(d.asset);
    }
  }
  for (const id of existing) {
    if (wanted.has(id)) continue;
    try {
      await client.schedule.getHandle(id).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    result.deleted.push(assetOfScheduleId(taskQueue, id)!);
  }
  return result;
}

function describeOrUndefined(client: Client, id: string) {
  return client.schedule.getHandle(id).describe().catch((err: unknown) => {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  });
}

export type DescribedSchedule = DerivedSchedule & { nextRunAt?: number; onServer: boolean };

/** An asset's derived schedule, with the server's next run time when the schedule exists there. */
export async function describeSchedule(client: Client | undefined, asset: AssetDef, taskQueue: string): Promise<DescribedSchedule | undefined> {
  const d = deriveSchedule(asset, taskQueue);
  if (!d) return undefined;
  const desc = client ? await describeOrUndefined(client, d.scheduleId) : undefined;
  return desc ? { ...d, onServer: true, nextRunAt: desc.info.nextActionTimes[0]?.getTime() } : { ...d, onServer: false };
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
