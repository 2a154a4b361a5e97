// Operating one asset's schedule, for the CLI and the page: pause, unpause, run now, and what it
// ran lately with each started workflow's outcome and duration (Temporal's own records: the
// schedule's recent actions, each workflow's description).
import { ScheduleNotFoundError, WorkflowNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import { listedStatus, type BackfillMemo } from '../contract/backfill.ts';
import { freshnessScheduleId } from '../contract/ids.ts';
import type { ScheduleRun, ScheduleState } from '../contract/schedule-runs.ts';
import type { AssetDef } from '../core/index.ts';
import { deriveSchedule } from './derive.ts';

/** The asset has no schedule to operate: no SLA, or none on the server yet. */
export class ScheduleControlError extends Error {
  constructor(
    readonly kind: 'no-sla' | 'not-on-server',
    message: string,
  ) {
    super(message);
  }
}

/** how long "run now" waits to name the run it started (the schedule takes the action asynchronously) */
const TRIGGER_WAIT_MS = 10_000;
/** closed runs never change: each is described once; a bound keeps a long-lived server small */
const MAX_CACHED_RUNS = 2_000;
const closedRuns = new Map<string, ScheduleRun>();

function handleOf(client: Client, taskQueue: string, asset: AssetDef) {
  if (!deriveSchedule(asset, taskQueue))
    throw new ScheduleControlError('no-sla', `Asset '${asset.name}' declares no freshness SLA, so it has no schedule.`);
  return client.schedule.getHandle(freshnessScheduleId(taskQueue, asset.name));
}

/** Runs `op` on the asset's schedule; a schedule missing on the server is said so, with the fix. */
async function onSchedule<T>(asset: AssetDef, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      throw new ScheduleControlError(
        'not-on-server',
        `The schedule of '${asset.name}' is not on the Temporal server: start a worker (\`freshet worker\` or \`freshet dev\`), which creates it from the SLA.`,
      );
    throw err;
  }
}

export async function pauseSchedule(client: Client, taskQueue: string, asset: AssetDef, note?: string): Promise<void> {
  const h = handleOf(client, taskQueue, asset);
  await onSchedule(asset, () => h.pause(note || 'paused from Freshet'));
}

export async function unpauseSchedule(client: Client, taskQueue: string, asset: AssetDef, note?: string): Promise<void> {
  const h = handleOf(client, taskQueue, asset);
  await onSchedule(asset, () => h.unpause(note || 'unpaused from Freshet'));
}

/**
 * Starts the schedule's action now, as if it were due (a paused schedule runs too: the person
 * asked). Answers the started workflow's id once the schedule has taken the action, or null
 * when it did not within a few seconds (it still will).
 */
export async function runScheduleNow(client: Client, taskQueue: string, asset: AssetDef): Promise<string | null> {
  const h = handleOf(client, taskQueue, asset);
  const before = (await onSchedule(asset, () => h.describe())).info.numActionsTaken;
  // Allow overlap: a run already going does not swallow the one asked for by name.
  await onSchedule(asset, () => h.trigger('ALLOW_ALL'));
  const deadline = Date.now() + TRIGGER_WAIT_MS;
  while (Date.now() < deadline) {
    const d = await onSchedule(asset, () => h.describe());
    if (d.info.numActionsTaken > before) return newestFirst(d)[0]?.action.workflow.workflowId ?? null;
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

/** The server's side of a schedule already described: paused or not, and its recent runs with their outcomes. */
export async function scheduleState(client: Client, d: ScheduleDescription): Promise<ScheduleState> {
  return {
    paused: d.state.paused,
    note: d.state.note || null,
    recentRuns: await Promise.all(newestFirst(d).map((a) => runOf(client, a))),
  };
}

function newestFirst(d: ScheduleDescription) {
  return [...d.info.recentActions].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
}

async function runOf(client: Client, a: ScheduleDescription['info']['recentActions'][number]): Promise<ScheduleRun> {
  const { workflowId, firstExecutionRunId: runId } = a.action.workflow;
  const key = `${workflowId}\u0000${runId}`;
  const hit = closedRuns.get(key);
  if (hit) return hit;
  const base = { workflowId, runId, scheduledAt: a.scheduledAt.getTime(), takenAt: a.takenAt.getTime() };
  let wf;
  try {
    wf = await client.workflow.getHandle(workflowId, runId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { ...base, outcome: 'unknown', durationMs: null, closedAt: null };
    throw err;
  }
  const closedAt = wf.closeTime?.getTime() ?? null;
  const run: ScheduleRun = {
    ...base,
    outcome: listedStatus(wf.status.name, (wf.memo as BackfillMemo | undefined)?.status) ?? 'completed',
    closedAt,
    durationMs: closedAt === null ? null : closedAt - wf.startTime.getTime(),
  };
  if (run.outcome !== 'running') {
    if (closedRuns.size >= MAX_CACHED_RUNS) closedRuns.delete(closedRuns.keys().next().value!);
    closedRuns.set(key, run);
  }
  return run;
}
