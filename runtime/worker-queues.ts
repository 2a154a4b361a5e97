// Which task queues one worker process polls and how many activity slots each gets.
//
// Of a worker's N slots, R = max(1, floor(N/4)) are held back for scheduled work whenever the
// worker serves both queues: backfills get N - R (at least 1), so a backfill of any size leaves R
// slots idle for the next scheduled run. The scheduled queue may use all N: its work is short and
// periodic, and streaming shards, which hold a slot for as long as they run, share it. A split of
// R and N - R would let one streaming job take every scheduled slot (Temporal cannot lend a slot
// of one queue to another; the SDK's slot suppliers are per worker, per queue).
import { queueName, type QueueKind } from '../contract/queues.ts';

export interface ServedQueue {
  kind: QueueKind;
  taskQueue: string;
  /** activities this queue's SDK worker runs at once */
  slots: number;
}

/** Slots held back for scheduled work when a worker of `slots` slots serves both queues. */
export function scheduledReserve(slots: number): number {
  return Math.max(1, Math.floor(slots / 4));
}

export function servedQueues(base: string, kinds: readonly QueueKind[], slots: number): ServedQueue[] {
  const both = kinds.includes('scheduled') && kinds.includes('backfill');
  return kinds.map((kind) => ({
    kind,
    taskQueue: queueName(base, kind),
    slots: kind === 'backfill' && both ? Math.max(1, slots - scheduledReserve(slots)) : slots,
  }));
}

/** For the start line: `'freshet' (scheduled, 4 slots), 'freshet-backfill' (backfill, 3 slots)`. */
export function describeServed(served: readonly ServedQueue[]): string {
  return served.map((q) => `'${q.taskQueue}' (${q.kind}, ${q.slots} slot${q.slots === 1 ? '' : 's'})`).join(', ');
}
