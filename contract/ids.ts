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

/** A backfill started by a user; `unique` tells apart two started in the same millisecond. */
export function backfillWorkflowId(taskQueue: string, startedAt: Date, unique: string): string {
  return `${backfillPrefix(taskQueue)}${startedAt.toISOString().replace(/[:.]/g, '-')}-${unique}`;
}

/** The scheduled refresh of an asset; the server appends each run's fire time. */
export function refreshWorkflowId(taskQueue: string, asset: string): string {
  return `${backfillPrefix(taskQueue)}refresh-${asset}`;
}

/** A catch-up the freshness monitor starts for one group of late assets. */
export function catchUpWorkflowId(taskQueue: string, group: string, at: number): string {
  return `${backfillPrefix(taskQueue)}catchup-${group}-${at}`;
}

/** Whether `id` names a backfill of this deployment (any of the three kinds above). */
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
