// Makes the server's schedules match the project's SLAs: create, update when the SLA changed,
// delete when the asset (or its SLA) is gone. Run on every worker and `freshet dev` start.
import { ScheduleNotFoundError, type Client, type ScheduleOptions } from '@temporalio/client';
import type { AssetGraph } from '../core/index.ts';
import { BACKFILL_WORKFLOW, type BackfillRequest } from '../workflows/backfill-types.ts';
import { deriveSchedule, scheduleId, type DerivedSchedule } from './derive.ts';

export interface ReconcileResult {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
}

function options(d: DerivedSchedule, taskQueue: string): ScheduleOptions {
  const request: BackfillRequest = { assets: [d.asset], downstream: false, upstream: true, latest: true, concurrency: 4 };
  return {
    scheduleId: d.scheduleId,
    spec: { intervals: [{ every: d.everyMs, offset: d.offsetMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: BACKFILL_WORKFLOW,
      taskQueue,
      // The server appends the fire time, so each run has its own id under the backfill prefix.
      workflowId: `${taskQueue}/backfill/refresh-${d.asset}`,
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
  const prefix = scheduleId(taskQueue, '');
  // Listing is eventually consistent: it finds the schedules to delete, while each wanted one is
  // described directly, which is not.
  const existing = new Set<string>();
  for await (const s of client.schedule.list()) {
    if (s.scheduleId.startsWith(prefix)) existing.add(s.scheduleId);
  }
  for (const [id, d] of wanted) {
    const opts = options(d, taskQueue);
    const current = await client.schedule.getHandle(id).describe().catch((err: unknown) => {
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw err;
    });
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
    result.deleted.push(id.slice(prefix.length));
  }
  return result;
}

/** The derived schedule of each asset with an SLA, with the server's next run time when it exists. */
export async function describeSchedules(client: Client | undefined, graph: AssetGraph, taskQueue: string): Promise<Array<DerivedSchedule & { nextRunAt?: number; onServer: boolean }>> {
  const out: Array<DerivedSchedule & { nextRunAt?: number; onServer: boolean }> = [];
  for (const a of graph.assets) {
    const d = deriveSchedule(a, taskQueue);
    if (!d) continue;
    if (!client) { out.push({ ...d, onServer: false }); continue; }
    try {
      const desc = await client.schedule.getHandle(d.scheduleId).describe();
      out.push({ ...d, onServer: true, nextRunAt: desc.info.nextActionTimes[0]?.getTime() });
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      out.push({ ...d, onServer: false });
    }
  }
  return out;
}
