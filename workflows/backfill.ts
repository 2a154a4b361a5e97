// The backfill: plan once, then run (asset, partition) tasks in dependency order with bounded
// concurrency, range-batching contiguous partitions. Pausable, cancellable, re-runnable.
import {
  CancellationScope,
  condition,
  isCancellation,
  makeContinueAsNewFunc,
  patched,
  upsertMemo,
  proxyActivities,
  setHandler,
  workflowInfo,
  allHandlersFinished,
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import {
  backfillCounts,
  DEFAULT_BACKFILL_CONCURRENCY,
  outcomeOf,
  type BackfillFailure,
  type BackfillInput,
  type BackfillMemo,
  type BackfillPlan,
  type BackfillProgress,
  type BackfillStatus,
  type BatchFailureDetails,
} from '../contract/backfill.ts';
import { cancelSignal, partitionsQuery, pauseSignal, progressQuery, resumeSignal, retryFailedSignal } from '../contract/signals.ts';
import { countStates, newestFailures, STATE } from './backfill-scheduler.ts';
import { fillSlots } from './backfill-batches.ts';
import { readiness, type Batch, type Readiness } from './backfill-readiness.ts';
import { rootMessage } from '../contract/errors.ts';
import { poolRequester } from './asset-pool.ts';

// Keep each run's history well under Temporal's 50k-event limit.
const MAX_HISTORY = 10_000;
const MAX_FAILURES_SHOWN = 500;
// Of the 2 MB Temporal takes in one payload, the plan may use MAX_PLAN_BYTES (1.5 MB).
const MAX_FAILURES_CARRIED_BYTES = 300_000;

const planner = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

export async function backfill(input: BackfillInput): Promise<BackfillProgress> {
  const { request } = input;
  // Backfills that ran before the status memo replay without its commands.
  const keepsMemo = patched('backfill-status-memo');
  // Backfills that ran before this fix replay judging "finished" before failing what reads a failure.
  const failsReadersFirst = patched('backfill-fail-readers-before-finished');
  const startedAt = input.carried?.startedAt ?? Date.now();
  // Date.now() is the workflow's clock, fixed in history: every retry of a partition carries the
  // same Delta txn version, so a retried commit is recognised and not written twice.
  const txnVersion = input.carried?.txnVersion ?? input.carried?.runId ?? Date.now();
  let status: BackfillStatus = 'planning';
  let paused = input.carried?.paused ?? false;
  let cancelRequested = false;
  let plan: BackfillPlan | undefined = input.carried?.plan;
  let states: string[][] = [];
  // every change of a task's state goes through it (set), so readiness stays current
  let tasks: Readiness | undefined;
  const failures: BackfillFailure[] = input.carried?.failures ?? [];
  let updatedAt = Date.now();
  let endedAt: number | undefined;
  let inFlight = 0;
  let dirty = true;
  // The status the memo says: a list of backfills reads it there (no memo status: running).
  let published = (workflowInfo().memo as BackfillMemo | undefined)?.status ?? 'running';
  const publish = (memo: BackfillMemo) => {
    if (!keepsMemo || (memo.status === published && !memo.counts)) return;
    upsertMemo({ ...memo });
    published = memo.status ?? published;
  };
  // Temporal's own cancel of this workflow winds it down as the cancel signal did (its waits
  // below are non-cancellable), then rethrows, so the workflow ends CANCELLED.
  let cancellation: unknown;
  CancellationScope.current().cancelRequested.catch((err: unknown) => {
    cancellation = err;
    cancelRequested = true;
  });
  const wait = (fn: () => boolean) => CancellationScope.nonCancellable(() => condition(fn));

  const progress = (): BackfillProgress => ({
    id: workflowInfo().workflowId,
    request,
    status,
    startedAt,
    updatedAt,
    endedAt,
    assets: plan ? plan.assets.map((a, i) => ({ asset: a.asset, counts: countStates(states[i]) })) : [],
    failures: failures.slice(-MAX_FAILURES_SHOWN),
    runningActivities: inFlight,
  });
  setHandler(progressQuery, progress);
  setHandler(partitionsQuery, (asset: string) => {
    const i = plan ? plan.assets.findIndex((a) => a.asset === asset) : -1;
    if (i < 0) return { asset, keys: [], states: [] };
    return { asset, keys: plan!.assets[i].keys, states: states[i].map((c) => STATE[c]) };
  });
  setHandler(pauseSignal, () => {
    paused = true;
  });
  setHandler(resumeSignal, () => {
    paused = false;
  });
  setHandler(cancelSignal, () => {
    cancelRequested = true;
  });
  setHandler(retryFailedSignal, () => {
    // a cancelled backfill runs nothing more: what it would reset to pending would stay pending
    if (cancelRequested || status === 'cancelling' || status === 'cancelled') return;
    states.forEach((st) =>
      st.forEach((c, k) => {
        if (c === 'f') st[k] = 'p';
      }),
    );
    // rare, and every failure's readers change: built again rather than updated
    if (plan) tasks = readiness(plan, states);
    failures.length = 0;
    dirty = true;
  });

  // Grants and liveness pings from per-asset pools (AssetSpec.concurrency).
  const pools = poolRequester();

  if (!plan)
    plan = await planner.planBackfill(request).catch((err: unknown) => {
      // cancelled while planning: nothing ran
      if (isCancellation(err)) {
        status = 'cancelled';
        updatedAt = endedAt = Date.now();
      }
      throw err;
    });
  states = input.carried ? input.carried.states.map((s) => [...s]) : plan.assets.map((a) => [...a.initial]);
  tasks = readiness(plan, states);
  const set = (asset: number, keys: number[], state: string) => keys.forEach((k) => tasks!.set(asset, k, state));
  // Tasks that were running when the previous run continued-as-new were drained; none remain.
  const batchActivities = plan.assets.map((a) =>
    proxyActivities<Activities>({
      startToCloseTimeout: a.attemptTimeoutMs,
      // Cancellation reaches an activity with its next heartbeat; heartbeats are throttled to 80% of this.
      heartbeatTimeout: '10 seconds',
      // Explicit: left unset, the SDK sends TRY_CANCEL and the workflow would not wait for the activity to stop.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: {
        maximumAttempts: a.retry.maxAttempts,
        initialInterval: a.retry.initialIntervalMs,
        backoffCoefficient: a.retry.backoff,
        maximumInterval: a.retry.maxIntervalMs,
      },
    }),
  );

  const concurrency = Math.max(1, request.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY);
  const scope = new CancellationScope();
  let ready: Batch[] = [];
  const refresh = () => {
    if (dirty) {
      // The workflow launches at most its free slots before the next completion makes this dirty again.
      const slots = Math.max(0, concurrency - inFlight);
      // Replays unchanged: a plan made before the cut has no minBatch, and then nothing is cut.
      ready = fillSlots(plan!, tasks!.next(slots, failures), slots);
      dirty = false;
    }
    return ready;
  };
  const tooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (input.maxHistoryEvents ?? MAX_HISTORY);

  const launch = (batch: Batch) => {
    const a = plan!.assets[batch.asset];
    set(batch.asset, batch.keys, 'r');
    inFlight++;
    const partitions = batch.keys.map((k) => a.keys[k]);
    const run = () =>
      batchActivities[batch.asset].materializePartitions({ asset: a.asset, partitions, txnVersion, trigger: request.trigger });
    // A pooled asset's batch holds one slot per partition of its pool for as long as it runs;
    // waiting for them counts against this backfill's own concurrency (the tasks show as running).
    const pooled = () => pools.withSlots(a.asset, a.pool!, partitions.length, run);
    scope
      .run(a.pool ? pooled : run)
      .then(
        () => {
          set(batch.asset, batch.keys, 'm');
        },
        (err: unknown) => {
          if (isCancellation(err)) {
            set(batch.asset, batch.keys, 'c');
            return;
          }
          const cause = err instanceof ActivityFailure ? err.cause : err;
          const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as BatchFailureDetails | undefined) : undefined;
          const doneSet = new Set(details?.done ?? []);
          const rest = batch.keys.filter((k) => !doneSet.has(a.keys[k]));
          set(
            batch.asset,
            batch.keys.filter((k) => doneSet.has(a.keys[k])),
            'm',
          );
          if (rest.length > 1) {
            // Which partition broke the batch is unknown: run the rest alone, so each failure carries its own error.
            set(batch.asset, rest, 'P');
            return;
          }
          for (const k of rest) {
            tasks!.set(batch.asset, k, 'f');
            failures.push({ asset: a.asset, partition: a.keys[k] || null, error: details?.error ?? rootMessage(err) });
          }
        },
      )
      .finally(() => {
        inFlight--;
        dirty = true;
        updatedAt = Date.now();
      });
  };

  status = paused ? 'paused' : 'running';
  publish({ status }); // paused before the plan was ready, or carried paused across continue-as-new
  for (;;) {
    await wait(() => {
      if (cancelRequested) return true;
      // refresh() fails the tasks that read a failure. Were "finished" judged before it, a last
      // running task that fails would leave its readers pending and nothing to wake the
      // workflow again: it would stay running forever with no work.
      if (failsReadersFirst) refresh();
      return (
        (inFlight === 0 && (tasks!.finished() || tooLong())) ||
        (!paused && !tooLong() && inFlight < concurrency && refresh().length > 0) ||
        paused !== (status === 'paused')
      );
    });
    if (cancelRequested) break;
    status = paused ? 'paused' : 'running';
    publish({ status });
    if (inFlight === 0 && tasks.finished()) break;
    if (inFlight === 0 && tooLong()) {
      await wait(allHandlersFinished);
      if (cancelRequested) continue; // cancelled meanwhile: wind down instead
      // A new run starts with the memo it is given: carry the request and the status the list shows.
      const continueAsNew = makeContinueAsNewFunc<typeof backfill>(keepsMemo ? { memo: workflowInfo().memo } : {});
      return continueAsNew({
        request,
        maxHistoryEvents: input.maxHistoryEvents,
        carried: {
          plan,
          states: states.map((s) => s.join('')),
          failures: newestFailures(failures, MAX_FAILURES_SHOWN, MAX_FAILURES_CARRIED_BYTES),
          startedAt,
          txnVersion,
          paused,
        },
      });
    }
    while (!paused && !tooLong() && inFlight < concurrency && refresh().length > 0) launch(ready.shift()!);
  }

  if (cancelRequested) {
    status = 'cancelling';
    publish({ status });
    states.forEach((st, i) =>
      st.forEach((c, k) => {
        if (c === 'p' || c === 'P') tasks!.set(i, k, 'c');
      }),
    );
    scope.cancel();
    await wait(() => inFlight === 0);
    status = 'cancelled';
  } else {
    status = outcomeOf(backfillCounts(progress().assets));
  }
  updatedAt = endedAt = Date.now();
  publish({ status, counts: backfillCounts(progress().assets) });
  await wait(allHandlersFinished);
  if (cancellation !== undefined) throw cancellation;
  return progress();
}
