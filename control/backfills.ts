// Client-side operations on backfills, shared by cli/ and web/.
import {
  CancelledFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { BackfillRequestError } from '../core/backfill-plan.ts';
import type { AssetGraph } from '../core/index.ts';
import { planPreview } from './preview.ts';
import type { ObjectStore } from '../storage/types.ts';
import {
  MAX_BACKFILL_CONCURRENCY,
  listedStatus,
  nothingToRun,
  REQUEST_ID_PATTERN,
  REQUEST_ID_RULE,
  type AssetPartitionStates,
  type BackfillMemo,
  type BackfillPreview,
  type BackfillProgress,
  type BackfillRequest,
  type BackfillStatus,
  type BackfillSummary,
} from '../contract/backfill.ts';
import { partitionsQuery, pauseSignal, progressQuery, resumeSignal, retryFailedSignal } from '../contract/signals.ts';
import { backfillWorkflowId, isBackfillWorkflowId, rerunsPrefix, rerunWorkflowId } from '../contract/ids.ts';
import { backfillQueue, scheduledQueue } from '../contract/queues.ts';
import { WORKFLOW_TYPES } from '../contract/workflows.ts';
import { queryOneAtATime } from './one-query.ts';
import { startWorkflow } from './start-workflow.ts';

export { BackfillRequestError };

/** A well-formed request the warehouse or an earlier launch leaves nothing to do for (the API's 409). */
export class BackfillConflictError extends BackfillRequestError {}

export interface ControlContext {
  client: Client;
  /** the deployment's base task queue name (FRESHET_TASK_QUEUE); ids take it, queues derive from it */
  taskQueue: string;
  graph: AssetGraph;
  warehouse: ObjectStore;
  /** plans a request away from the caller's event loop (the web server's planning thread); default: here */
  plan?: (request: BackfillRequest) => Promise<BackfillPreview>;
}

/** The one check of a backfill's concurrency, for the CLI, the API and everything that starts one. */
export function checkConcurrency(c: number | undefined): void {
  if (c !== undefined && (!Number.isInteger(c) || c < 1 || c > MAX_BACKFILL_CONCURRENCY)) {
    throw new BackfillRequestError('concurrency', `concurrency must be a whole number from 1 to ${MAX_BACKFILL_CONCURRENCY}, got ${c}.`);
  }
}

/** Validates the request against the graph and plans it without starting anything. */
export async function previewBackfill(ctx: ControlContext, request: BackfillRequest): Promise<BackfillPreview> {
  checkConcurrency(request.concurrency);
  return plan(ctx, request);
}

function plan(ctx: ControlContext, request: BackfillRequest): Promise<BackfillPreview> {
  return ctx.plan ? ctx.plan(request) : planPreview(ctx.graph, ctx.warehouse, request);
}

/**
 * Starts a backfill, once per request id: the same launch sent again, at once or after the
 * backfill ended, answers the id of the backfill it started. A request with nothing to run is
 * refused, saying why, so no script or stray click starts an empty backfill.
 */
export async function startBackfill(ctx: ControlContext, request: BackfillRequest): Promise<{ id: string }> {
  checkConcurrency(request.concurrency);
  const given = request.requestId !== undefined;
  const requestId = request.requestId ?? randomUUID();
  if (!REQUEST_ID_PATTERN.test(requestId))
    throw new BackfillRequestError('requestId', `requestId must be ${REQUEST_ID_RULE}, got '${requestId.slice(0, 80)}'.`);
  if (request.parent !== undefined && !isBackfillWorkflowId(ctx.taskQueue, request.parent))
    throw new BackfillRequestError('parent', `'${request.parent}' is not a backfill of task queue '${ctx.taskQueue}'.`);
  const launched = { ...request, requestId };
  const id = request.parent ? rerunWorkflowId(request.parent, requestId) : backfillWorkflowId(ctx.taskQueue, requestId);
  if (given && (await sameLaunch(ctx, id, launched))) return { id };
  // Fails on bad input here, with the field named, rather than inside the workflow.
  const why = nothingToRun(await plan(ctx, request), request);
  if (why) {
    // The same launch, sent while the first one ran its plan to completion, finds nothing left.
    if (given && (await sameLaunch(ctx, id, launched))) return { id };
    throw new BackfillConflictError('force', why);
  }
  try {
    await startWorkflow(ctx.client, 'backfill', {
      // its own queue: a big backfill waits for backfill slots, never takes those of scheduled runs
      taskQueue: backfillQueue(ctx.taskQueue),
      workflowId: id,
      args: [{ request: launched }],
      memo: { request: launched },
      // A second start of one launch joins the running backfill, and never starts it again once it ended.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { id };
}

/** Whether the backfill `id` exists; one launched with another request under the same id is a conflict, not a match. */
async function sameLaunch(ctx: ControlContext, id: string, request: BackfillRequest): Promise<boolean> {
  let memo: unknown;
  try {
    memo = (await ctx.client.workflow.getHandle(id).describe()).memo?.request;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
  if (canonical(memo) !== canonical(request))
    throw new BackfillConflictError(
      'requestId',
      `requestId '${request.requestId}' already launched backfill '${id}' with another request: give each new backfill a new request id.`,
    );
  return true;
}

/** JSON with sorted keys and no undefined fields: the same request however its fields were ordered. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}

/** The backfill's handle and its description; an id that is no backfill of this queue, or none, is a request error. */
async function described(ctx: ControlContext, id: string) {
  if (!isBackfillWorkflowId(ctx.taskQueue, id))
    throw new BackfillRequestError('id', `'${id}' is not a backfill of task queue '${ctx.taskQueue}'.`);
  const h = ctx.client.workflow.getHandle(id);
  try {
    return { h, info: await h.describe() };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new BackfillRequestError('id', `No backfill '${id}'.`);
    throw err;
  }
}

async function handle(ctx: ControlContext, id: string) {
  return (await described(ctx, id)).h;
}

export async function backfillProgress(ctx: ControlContext, id: string): Promise<BackfillProgress> {
  return queryOneAtATime(await handle(ctx, id), progressQuery);
}

export async function backfillPartitions(ctx: ControlContext, id: string, asset: string): Promise<AssetPartitionStates> {
  return queryOneAtATime(await handle(ctx, id), partitionsQuery, asset);
}

export async function listBackfills(ctx: ControlContext, limit = 50): Promise<BackfillSummary[]> {
  const out: BackfillSummary[] = [];
  // Users' backfills run on the backfill queue; scheduled refreshes and catch-ups (and backfills
  // started before the queues were split) on the scheduled one.
  const queues = [backfillQueue(ctx.taskQueue), scheduledQueue(ctx.taskQueue)].map((q) => `TaskQueue = '${q.replaceAll("'", '')}'`);
  // A backfill that continued as new is listed once, as its latest run.
  const query = `WorkflowType = '${WORKFLOW_TYPES.backfill}' AND (${queues.join(' OR ')}) AND ${NOT_CONTINUED}`;
  for await (const wf of ctx.client.workflow.list({ query })) {
    out.push(await summaryOf(ctx, wf));
    if (out.length >= limit) break;
  }
  return out;
}

const NOT_CONTINUED = `ExecutionStatus != 'ContinuedAsNew'`;

/**
 * One listed backfill, its status from the list call alone: the workflow keeps its memo's status
 * up to date (paused, and how it ended), and Temporal's own status says cancelled or terminated.
 * Only a backfill that completed before its worker kept the memo costs a call, once.
 */
async function summaryOf(ctx: ControlContext, wf: WorkflowExecutionInfo): Promise<BackfillSummary> {
  const memo = (wf.memo ?? {}) as BackfillMemo;
  return {
    id: wf.workflowId,
    status: listedStatus(wf.status.name, memo.status) ?? (await legacyOutcome(ctx, wf)),
    workflowStatus: wf.status.name,
    startedAt: wf.startTime.getTime(),
    closedAt: wf.closeTime?.getTime(),
    request: memo.request ?? ({} as BackfillRequest),
    counts: memo.counts,
  };
}

// Closed runs never change: their outcomes, read once per process.
const legacyOutcomes = new Map<string, BackfillStatus>();
const LEGACY_OUTCOMES_KEPT = 1_000;

/** The outcome of a backfill that completed before the status memo, from its result; its old status names mapped to today's. */
async function legacyOutcome(ctx: ControlContext, wf: WorkflowExecutionInfo): Promise<BackfillStatus> {
  const known = legacyOutcomes.get(wf.runId);
  if (known) return known;
  const result = (await ctx.client.workflow.getHandle(wf.workflowId, wf.runId).result()) as { status?: string } | undefined;
  const old: Record<string, BackfillStatus> = { completed: 'succeeded', completed_with_failures: 'failed', cancelled: 'cancelled' };
  const status = old[result?.status ?? ''] ?? (result?.status as BackfillStatus | undefined) ?? 'succeeded';
  if (legacyOutcomes.size >= LEGACY_OUTCOMES_KEPT) legacyOutcomes.delete(legacyOutcomes.keys().next().value!);
  legacyOutcomes.set(wf.runId, status);
  return status;
}

/** The re-runs started from backfill `id` (not those of its re-runs), oldest first. */
export async function listReruns(ctx: ControlContext, id: string, limit = 100): Promise<BackfillSummary[]> {
  const prefix = rerunsPrefix(id);
  if (/['"\\]/.test(prefix)) return []; // no quoting in a list filter; no Freshet id holds these
  const out: BackfillSummary[] = [];
  for await (const wf of ctx.client.workflow.list({ query: `WorkflowId STARTS_WITH '${prefix}' AND ${NOT_CONTINUED}` })) {
    const s = await summaryOf(ctx, wf);
    if (s.request.parent === id) out.push(s);
    if (out.length >= limit) break;
  }
  return out.sort((a, b) => a.startedAt - b.startedAt);
}

export async function pauseBackfill(ctx: ControlContext, id: string): Promise<void> {
  await (await handle(ctx, id)).signal(pauseSignal);
}

export async function resumeBackfill(ctx: ControlContext, id: string): Promise<void> {
  await (await handle(ctx, id)).signal(resumeSignal);
}

/**
 * Cancels through Temporal's own cancellation, so the workflow ends CANCELLED (in the Temporal UI
 * too) once it has stopped its activities and recorded what each partition came to.
 */
export async function cancelBackfill(ctx: ControlContext, id: string): Promise<void> {
  const { h, info } = await described(ctx, id);
  if (info.status.name !== 'RUNNING')
    throw new BackfillConflictError(
      'id',
      `Backfill '${id}' has already ended (${info.status.name.toLowerCase()}): there is nothing to cancel.`,
    );
  await h.cancel();
}

/**
 * Waits for a backfill to end and answers its final progress, however it ended: a cancelled
 * backfill has no result (its workflow is CANCELLED), so its progress is asked of its history.
 */
export async function backfillOutcome(ctx: ControlContext, id: string): Promise<BackfillProgress> {
  const h = ctx.client.workflow.getHandle(id);
  try {
    return (await h.result()) as BackfillProgress;
  } catch (err) {
    if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) return queryOneAtATime(h, progressQuery);
    throw err;
  }
}

/**
 * Re-runs what failed: in place while the backfill runs; once it ended, as a new backfill of
 * exactly the partitions it left failed or cancelled, whose request names it as its parent.
 * `requestId` makes the re-run idempotent as a launch is.
 */
export async function retryFailedBackfill(ctx: ControlContext, id: string, requestId?: string): Promise<{ id: string }> {
  const { h, info } = await described(ctx, id);
  if (info.status.name === 'RUNNING') {
    await h.signal(retryFailedSignal);
    return { id };
  }
  const progress = await queryOneAtATime(h, progressQuery);
  const only: Record<string, string[]> = {};
  for (const f of progress.failures) (only[f.asset] ??= []).push(f.partition ?? '');
  for (const a of progress.assets) {
    if (!a.counts.cancelled) continue;
    const { keys, states } = await queryOneAtATime(h, partitionsQuery, a.asset);
    for (let i = 0; i < keys.length; i++) if (states[i] === 'cancelled') (only[a.asset] ??= []).push(keys[i]);
  }
  if (Object.keys(only).length === 0) throw new BackfillRequestError('id', `Backfill '${id}' has no failed or cancelled partitions.`);
  const { requestId: _parentLaunch, ...request } = progress.request; // a new launch, not the parent's again
  return startBackfill(ctx, { ...request, only, parent: id, requestId });
}
