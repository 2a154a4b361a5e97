// The task queues of one deployment, named once from its base name (FRESHET_TASK_QUEUE). Work
// that keeps SLAs (scheduled refreshes, freshness catch-ups, single materializations, streaming
// jobs, the freshness monitor and the asset pools) runs on the scheduled queue; backfills users
// start run on the backfill queue, so a big backfill cannot fill the slots scheduled runs need.
//
// The scheduled queue keeps the base name: everything deployed before the split (schedules,
// running workflows, their activities) already targets it and goes on working unchanged.
// Workflow and schedule ids take the base name too (contract/ids.ts), never the queue a
// workflow happens to run on, so one asset has one pool whichever queue asks for it.

export const QUEUE_KINDS = ['scheduled', 'backfill'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

/** What the backfill queue's name adds to the base; a base may not end with it (runtime/config.ts checks). */
export const BACKFILL_QUEUE_SUFFIX = '-backfill';

export function scheduledQueue(base: string): string {
  return base;
}

export function backfillQueue(base: string): string {
  return `${base}${BACKFILL_QUEUE_SUFFIX}`;
}

export function queueName(base: string, kind: QueueKind): string {
  return kind === 'scheduled' ? scheduledQueue(base) : backfillQueue(base);
}

/** The base name of a deployment from either of its queues (in workflow code: workflowInfo().taskQueue). */
export function baseOfQueue(taskQueue: string): string {
  return taskQueue.endsWith(BACKFILL_QUEUE_SUFFIX) ? taskQueue.slice(0, -BACKFILL_QUEUE_SUFFIX.length) : taskQueue;
}
