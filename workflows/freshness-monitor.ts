// Watches every asset's freshness; when one turns late (past its SLA; or has an SLA and no data at all),
// starts a catch-up run; turning late and recovering are recorded.
import {
  continueAsNew,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { BackfillRequest } from '../contract/backfill.ts';
import { currentStatusName, isLate, type FreshnessCheck, type FreshnessMonitorInput, type FreshnessStatus } from '../contract/freshness.ts';
import { freshnessQuery } from '../contract/signals.ts';
import { catchUpWorkflowId } from '../contract/ids.ts';
import { baseOfQueue, scheduledQueue } from '../contract/queues.ts';
import { backfill } from './backfill.ts';

const act = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: { maximumAttempts: 3 } });
const ITERATIONS_PER_RUN = 200;

export async function freshnessMonitor(input: FreshnessMonitorInput): Promise<void> {
  const last = input.last ?? {};
  let report: FreshnessCheck[] = [];
  setHandler(freshnessQuery, () => report);
  const base = baseOfQueue(workflowInfo().taskQueue);
  // An asset with an SLA and no data breaks its SLA from the start: catch it up too (runs
  // started before this change keep catching up stale assets only, as their history did).
  const catchUpMissing = patched('catch-up-missing');
  const behind = (status: FreshnessStatus) => isLate(status) || (catchUpMissing && status === 'never');
  const oncePerTurn = patched('catch-up-once-per-turn');
  for (let i = 0; i < ITERATIONS_PER_RUN; i++) {
    report = await act.checkFreshness();
    const now = Date.now();
    const due: FreshnessCheck[] = [];
    for (const f of report) {
      const prev = last[f.asset];
      // compared by current name: a 'stale' carried from before the rename is the same 'late'.
      // Going from one behind status to another (never -> late while a catch-up fills the first
      // days) is not a new turn: the catch-up under way covers it, a second would compute the
      // same partitions again; stillBehind retries after an SLA period.
      const changed =
        prev === undefined || (oncePerTurn ? !behind(prev.status) : currentStatusName(prev.status) !== currentStatusName(f.status));
      const turnedBehind = behind(f.status) && changed;
      // Still behind a whole SLA period after the last catch-up: try again.
      const stillBehind =
        behind(f.status) && prev?.catchUpAt !== undefined && f.maxLagMs !== undefined && now - prev.catchUpAt >= f.maxLagMs;
      if ((turnedBehind || stillBehind) && f.catchUp) due.push(f);
    }
    const started = new Map<string, string>();
    for (const [key, group] of groupCatchUps(due)) {
      // One backfill per grid: separate ones would write the shared upstream partitions twice.
      const request: BackfillRequest = { ...mergeRequests(group.map((f) => f.catchUp!)), trigger: 'catch-up' };
      const workflowId = catchUpWorkflowId(base, key, now);
      // A catch-up restores an SLA: scheduled work, whatever queue the monitor was started on.
      await startChild(backfill, {
        workflowId,
        taskQueue: scheduledQueue(base),
        args: [{ request }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        memo: { request },
      });
      for (const f of group) started.set(f.asset, workflowId);
    }
    for (const f of report) {
      const prev = last[f.asset];
      const turnedLate = isLate(f.status) && !isLate(prev?.status);
      // Record turning late and recovering; the fresh/at-risk swing of every cycle is not news.
      const recovered = isLate(prev?.status) && !isLate(f.status);
      if (turnedLate || recovered) {
        await act.recordFreshnessEvent({
          at: now,
          asset: f.asset,
          from: prev?.status ?? 'unknown',
          to: f.status,
          lagMs: f.lagMs,
          catchUpWorkflowId: started.get(f.asset),
        });
      }
      const catchUpAt = started.has(f.asset) ? now : prev?.catchUpAt;
      last[f.asset] = { status: f.status, catchUpAt: behind(f.status) ? catchUpAt : undefined };
    }
    await sleep(input.intervalMs);
  }
  await continueAsNew<typeof freshnessMonitor>({ intervalMs: input.intervalMs, last });
}

/** Catch-ups that can share one backfill: the newest-partition ones, and ranged ones per key format (grid). */
function groupCatchUps(due: FreshnessCheck[]): Map<string, FreshnessCheck[]> {
  const groups = new Map<string, FreshnessCheck[]>();
  for (const f of due) {
    const key = f.catchUp!.latest || f.catchUp!.from === undefined ? 'latest' : `range${f.catchUp!.from.length}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return groups;
}

function mergeRequests(list: BackfillRequest[]): BackfillRequest {
  const from = list
    .map((r) => r.from)
    .filter((k): k is string => k !== undefined)
    .sort()[0];
  const to = list
    .map((r) => r.to)
    .filter((k): k is string => k !== undefined)
    .sort()
    .pop();
  return { ...list[0], assets: list.flatMap((r) => r.assets), from, to };
}
