// Every workflow id and schedule id Freshet makes. Ids are derived from what is computed, so a
// second request for the same work joins the running workflow instead of computing twice, and
// all of one deployment's ids start with its base task queue name, FRESHET_TASK_QUEUE (several
// deployments share a namespace). `taskQueue` below is always that base name, never the queue a
// workflow runs on (contract/queues.ts: baseOfQueue), so ids do not depend on the queue.

const backfillPrefix = (taskQueue: string) => `${taskQueue}/backfill/`;

export function materializeWorkflowId(taskQueue: string, asset: string, partition: string | undefined): string {
  return `${taskQueue}/materialize/${asset}/${partition ?? 'all'}`;
}

/** The one assetPool workflow per asset and deployment (AssetSpec.concurrency). */
export function assetPoolWorkflowId(taskQueue: string, asset: string): string {
  return `${taskQueue}/asset-pool/${asset}`;
}

export function streamWorkflowId(taskQueue: string, asset: string): string {
  return `${taskQueue}/stream/${asset}`;
}

export function freshnessMonitorWorkflowId(taskQueue: string): string {
  return `${taskQueue}/freshness-monitor`;
}

/**
 * A backfill started by a user, named by its launch's request id (contract/backfill.ts,
 * REQUEST_ID_PATTERN): a second start of the same launch finds this workflow instead of making
 * another. Backfills started before request ids were named by their start time and a random
 * suffix (`<queue>/backfill/2026-12-01T18-15-55-123Z-3fa2c1`); isBackfillWorkflowId still takes them.
 */
export function backfillWorkflowId(taskQueue: string, requestId: string): string {
  return `${backfillPrefix(taskQueue)}request-${requestId}`;
}

const RERUN = '/rerun-';

/**
 * A re-run of what the backfill `parent` left failed or cancelled. Named under the first backfill
 * of its line, so ids stay short however often a re-run is re-run, and rerunsPrefix finds them all.
 */
export function rerunWorkflowId(parent: string, requestId: string): string {
  return `${rerunsPrefix(parent)}${requestId}`;
}

/** What the id of every re-run in the line of `backfill` starts with. */
export function rerunsPrefix(backfill: string): string {
  return `${backfill.split(RERUN)[0]}${RERUN}`;
}

/** The scheduled refresh of an asset; the server appends each run's fire time. */
export function refreshWorkflowId(taskQueue: string, asset: string): string {
  return `${backfillPrefix(taskQueue)}refresh-${asset}`;
}

/** A catch-up the freshness monitor starts for one group of late assets. */
export function catchUpWorkflowId(taskQueue: string, group: string, at: number): string {
  return `${backfillPrefix(taskQueue)}catchup-${group}-${at}`;
}

/** Whether `id` names a backfill of this deployment (any of the kinds above, the old start-time form included). */
export function isBackfillWorkflowId(taskQueue: string, id: string): boolean {
  return id.startsWith(backfillPrefix(taskQueue));
}

const schedulePrefix = (taskQueue: string) => `${taskQueue}/freshness/`;

/** The Temporal Schedule that keeps one asset within its freshness SLA. */
export function freshnessScheduleId(taskQueue: string, asset: string): string {
  return `${schedulePrefix(taskQueue)}${asset}`;
}

/** The asset a freshness schedule id belongs to, or undefined when it is not one of this deployment's. */
export function assetOfScheduleId(taskQueue: string, scheduleId: string): string | undefined {
  const prefix = schedulePrefix(taskQueue);
  return scheduleId.startsWith(prefix) ? scheduleId.slice(prefix.length) : undefined;
}
