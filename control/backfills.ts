// Client-side operations on backfills, shared by cli/ and web/.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { BackfillRequestError } from '../core/backfill-plan.ts';
import type { AssetGraph } from '../core/index.ts';
import { planPreview } from './preview.ts';
import type { ObjectStore } from '../storage/types.ts';
import {
  MAX_BACKFILL_CONCURRENCY,
  type AssetPartitionStates,
  type BackfillPreview,
  type BackfillProgress,
  type BackfillRequest,
  type BackfillSummary,
} from '../contract/backfill.ts';
import { cancelSignal, partitionsQuery, pauseSignal, progressQuery, resumeSignal, retryFailedSignal } from '../contract/signals.ts';
import { backfillWorkflowId, isBackfillWorkflowId } from '../contract/ids.ts';
import { backfillQueue, scheduledQueue } from '../contract/queues.ts';
import { WORKFLOW_TYPES } from '../contract/workflows.ts';
import { startWorkflow } from './start-workflow.ts';

export { BackfillRequestError };

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

export async function startBackfill(ctx: ControlContext, request: BackfillRequest): Promise<{ id: string }> {
  checkConcurrency(request.concurrency);
  // Fail on bad input here, with the field named, rather than inside the workflow.
  await plan(ctx, { ...request, force: true });
  const id = backfillWorkflowId(ctx.taskQueue, new Date(), randomUUID().slice(0, 6));
  await startWorkflow(ctx.client, 'backfill', {
    // its own queue: a big backfill waits for backfill slots, never takes those of scheduled runs
    taskQueue: backfillQueue(ctx.taskQueue),
    workflowId: id,
    args: [{ request }],
    memo: { request },
  });
  return { id };
}

async function handle(ctx: ControlContext, id: string) {
  if (!isBackfillWorkflowId(ctx.taskQueue, id))
    throw new BackfillRequestError('id', `'${id}' is not a backfill of task queue '${ctx.taskQueue}'.`);
  const h = ctx.client.workflow.getHandle(id);
  try {
    await h.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new BackfillRequestError('id', `No backfill '${id}'.`);
    throw err;
  }
  return h;
}

export async function backfillProgress(ctx: ControlContext, id: string): Promise<BackfillProgress> {
  return (await handle(ctx, id)).query(progressQuery);
}

export async function backfillPartitions(ctx: ControlContext, id: string, asset: string): Promise<AssetPartitionStates> {
  return (await handle(ctx, id)).query(partitionsQuery, asset);
}

export async function listBackfills(ctx: ControlContext, limit = 50): Promise<BackfillSummary[]> {
  const out: BackfillSummary[] = [];
  // Users' backfills run on the backfill queue; scheduled refreshes and catch-ups (and backfills
  // started before the queues were split) on the scheduled one.
  const queues = [backfillQueue(ctx.taskQueue), scheduledQueue(ctx.taskQueue)].map((q) => `TaskQueue = '${q.replaceAll("'", '')}'`);
  const query = `WorkflowType = '${WORKFLOW_TYPES.backfill}' AND (${queues.join(' OR ')})`;
  for await (const wf of ctx.client.workflow.list({ query })) {
    out.push({
      id: wf.workflowId,
      status: wf.status.name,
      startedAt: wf.startTime.getTime(),
      closedAt: wf.closeTime?.getTime(),
      request: (wf.memo?.request ?? {}) as BackfillRequest,
    });
    if (out.length >= limit) break;
  }
  return out;
}

export async function pauseBackfill(ctx: ControlContext, id: string): Promise<void> {
  await (await handle(ctx, id)).signal(pauseSignal);
}

export async function resumeBackfill(ctx: ControlContext, id: string): Promise<void> {
  await (await handle(ctx, id)).signal(resumeSignal);
}

export async function cancelBackfill(ctx: ControlContext, id: string): Promise<void> {
  await (await handle(ctx, id)).signal(cancelSignal);
}

/** Re-runs what failed: in place while the backfill runs, else as a new backfill of exactly those partitions. */
export async function retryFailedBackfill(ctx: ControlContext, id: string): Promise<{ id: string }> {
  const h = await handle(ctx, id);
  const info = await h.describe();
  if (info.status.name === 'RUNNING') {
    await h.signal(retryFailedSignal);
    return { id };
  }
  const progress = await h.query(progressQuery);
  const only: Record<string, string[]> = {};
  for (const f of progress.failures) (only[f.asset] ??= []).push(f.partition ?? '');
  if (Object.keys(only).length === 0) throw new BackfillRequestError('id', `Backfill '${id}' has no failed partitions.`);
  return startBackfill(ctx, { ...progress.request, only });
}
