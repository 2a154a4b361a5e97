// The global per-asset pool (AssetSpec.concurrency): one `assetPool` workflow per asset, a counting
// semaphore in the standard Temporal "mutex workflow" shape. Requesters (backfills) signal `acquire`
// with a lease id and a number of permits; the pool grants FIFO up to its limit by signalling the
// requester's run, and the requester signals `release` when its batch is done or cancelled.
// Deterministic workflow code: only @temporalio/workflow (and its @temporalio/common) are imported.
//
// Starting: a workflow cannot signalWithStart, and child workflows take no workflowIdConflictPolicy
// in TS SDK 1.24 (ChildWorkflowOptions omits it). So `acquireSlot` signals the pool and, when that
// fails because no pool runs, starts it with startChild (parentClosePolicy ABANDON, cancellation
// not propagated); WorkflowExecutionAlreadyStartedError means another backfill won the race, and
// the signal is sent again. No activity is used: activities have no Temporal client here and would
// compete with materializations for the worker's few activity slots.
//
// Leases never leak: requesters release in a non-cancellable scope (also when cancelled while
// queued); a grant whose signal fails (requester closed) is dropped at once; and every lease is
// checked every `leaseCheckMs` by a no-op `assetPoolPing` signal to the holder's run: if that run
// is gone (terminated, timed out, continued as new) the lease is freed.
import {
  allHandlersFinished,
  CancellationScope,
  ChildWorkflowCancellationType,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
// Not re-exported by @temporalio/workflow in 1.24; @temporalio/common is what it re-exports from (bundle-safe).
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { assetPoolWorkflowId } from '../contract/ids.ts';
import { baseOfQueue, scheduledQueue } from '../contract/queues.ts';
import type { AssetPoolInput, PoolLease, PoolRequest, PoolState } from '../contract/pool.ts';
import { acquireSignal, grantSignal, pingSignal, poolStateQuery, releaseSignal } from '../contract/signals.ts';

export async function assetPool(input: AssetPoolInput): Promise<PoolState> {
  const leaseCheckMs = input.leaseCheckMs ?? 5 * 60_000;
  const idleMs = input.idleMs ?? 10 * 60_000;
  const maxHistory = input.maxHistoryEvents ?? 5_000;
  let limit = input.limit;
  const queue: PoolRequest[] = input.carried?.queue ?? [];
  const holders = new Map<string, PoolLease>((input.carried?.holders ?? []).map((h) => [h.lease, h]));
  let changed = true;
  let sending = 0;
  const state = (): PoolState => ({ asset: input.asset, limit, holders: [...holders.values()], queue: [...queue] });

  setHandler(poolStateQuery, state);
  setHandler(acquireSignal, (r) => {
    if (holders.has(r.lease) || queue.some((q) => q.lease === r.lease)) return; // a re-sent request
    limit = r.limit;
    queue.push(r);
    changed = true;
  });
  setHandler(releaseSignal, ({ lease }) => {
    holders.delete(lease);
    const i = queue.findIndex((q) => q.lease === lease);
    if (i >= 0) queue.splice(i, 1);
    changed = true;
  });

  // Signals a holder's run; if the run is gone, its lease is freed.
  const notify = (h: PoolLease, signal: typeof grantSignal | typeof pingSignal) => {
    sending++;
    const send =
      signal === grantSignal
        ? getExternalWorkflowHandle(h.workflowId, h.runId).signal(grantSignal, { lease: h.lease })
        : getExternalWorkflowHandle(h.workflowId, h.runId).signal(pingSignal);
    send
      .then(
        () => {
          h.checkAt = Date.now() + leaseCheckMs;
        },
        () => {
          holders.delete(h.lease);
        },
      )
      .finally(() => {
        sending--;
        changed = true;
      });
  };

  const used = () => {
    let n = 0;
    for (const h of holders.values()) n += h.permits;
    return n;
  };
  const tooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxHistory;

  for (;;) {
    changed = false;
    // FIFO, no overtaking: a big request at the head waits rather than starve.
    while (queue.length > 0 && used() + Math.min(queue[0].permits, limit) <= limit) {
      const r = queue.shift()!;
      const now = Date.now();
      const h: PoolLease = { ...r, permits: Math.min(r.permits, limit), grantedAt: now, checkAt: now + leaseCheckMs };
      holders.set(h.lease, h);
      notify(h, grantSignal);
    }
    const now = Date.now();
    for (const h of holders.values())
      if (h.checkAt <= now) {
        h.checkAt = Infinity;
        notify(h, pingSignal);
      }

    if (tooLong() && sending === 0) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof assetPool>({ ...input, limit, carried: { queue, holders: [...holders.values()] } });
    }
    const idle = holders.size === 0 && queue.length === 0 && sending === 0;
    let next = idle ? now + idleMs : Infinity;
    for (const h of holders.values()) next = Math.min(next, h.checkAt);
    const woke = Number.isFinite(next) ? await condition(() => changed, Math.max(1, next - now)) : (await condition(() => changed), true);
    if (!woke && idle && holders.size === 0 && queue.length === 0 && sending === 0) break;
  }
  await condition(allHandlersFinished);
  return state();
}

// ---- requester side (used by the backfill workflow) ----

export interface PoolSlot {
  poolId: string;
  lease: string;
}

/**
 * The requester's half, per workflow run (state in a closure, not in module scope): call once per
 * run, before asking for slots, so grant and ping signals have handlers.
 */
export function poolRequester() {
  let leaseSeq = 0;
  const grants = new Set<string>();
  setHandler(grantSignal, ({ lease }) => {
    grants.add(lease);
  });
  setHandler(pingSignal, () => {});

  /** Gives the slots back (or withdraws a queued request); never cancelled, never throws. */
  const release = async (slot: PoolSlot): Promise<void> => {
    grants.delete(slot.lease);
    await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(slot.poolId).signal(releaseSignal, { lease: slot.lease })).catch(
      () => {
        /* no pool: nothing is held */
      },
    );
  };

  /**
   * Waits for `permits` slots of `asset`'s pool (started if none runs); returns the lease to release.
   * Cancellable while queued: the request is then withdrawn before the cancellation is rethrown.
   */
  const acquire = async (asset: string, limit: number, permits: number): Promise<PoolSlot> => {
    const info = workflowInfo();
    // One pool per asset whichever queue the requester runs on (a backfill or a scheduled run).
    const base = baseOfQueue(info.taskQueue);
    const poolId = assetPoolWorkflowId(base, asset);
    const req: PoolRequest = { lease: `${info.runId}:${leaseSeq++}`, workflowId: info.workflowId, runId: info.runId, permits, limit };
    await CancellationScope.nonCancellable(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await getExternalWorkflowHandle(poolId).signal(acquireSignal, req);
          return;
        } catch (err) {
          if (attempt >= 5) throw err;
        }
        try {
          await startChild(assetPool, {
            workflowId: poolId,
            // Scheduled runs wait on the pool's grants: it must not sit on the backfill queue,
            // which a big backfill fills and a worker serving only scheduled work never polls.
            taskQueue: scheduledQueue(base),
            args: [{ asset, limit }],
            parentClosePolicy: ParentClosePolicy.ABANDON,
            cancellationType: ChildWorkflowCancellationType.ABANDON,
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      }
    });
    try {
      await condition(() => grants.has(req.lease));
    } catch (err) {
      await release({ poolId, lease: req.lease });
      throw err;
    }
    return { poolId, lease: req.lease };
  };

  /** Runs `fn` holding `permits` slots of `asset`'s pool, released however it ends. */
  const withSlots = async <T>(asset: string, limit: number, permits: number, fn: () => Promise<T>): Promise<T> => {
    const slot = await acquire(asset, limit, permits);
    try {
      return await fn();
    } finally {
      await release(slot);
    }
  };

  return { withSlots };
}
