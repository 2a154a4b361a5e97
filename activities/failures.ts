// Which errors no retry can fix: they fail the activity at once instead of burning attempts.
// And the record each failed attempt leaves, so a later plan knows the partition's last run failed.
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { BackfillRequestError } from '../core/backfill-plan.ts';
import { AssetGraphError, PartitionKeyError } from '../core/index.ts';
import { MissingInputError, recordFailure, SparkUnavailableError } from '../engine/index.ts';
import type { ActivityDeps } from './materialize.ts';
import type { RunRef } from '../contract/runs.ts';

export function isPermanent(err: unknown): err is Error {
  return (
    err instanceof MissingInputError ||
    err instanceof SparkUnavailableError ||
    err instanceof AssetGraphError ||
    err instanceof PartitionKeyError ||
    err instanceof BackfillRequestError
  );
}

/**
 * What a computing activity throws once it was cancelled: the SDK's cancellation, whatever the
 * engine threw on seeing the signal, so the workflow counts the work as cancelled, not failed.
 * `undefined` while not cancelled.
 */
export function cancellation(ctx: Context): CancelledFailure | undefined {
  const { aborted, reason } = ctx.cancellationSignal;
  return aborted && reason instanceof CancelledFailure ? reason : undefined;
}

/** How often a computing activity heartbeats; cancellation reaches it with the next one. */
export const HEARTBEAT_EVERY_MS = 2_000;

/** Whether a failure is an attempt's: not a cancellation, nor an asset or key that does not exist (nothing was attempted). */
export function wasAttempted(ctx: Context, err: unknown): boolean {
  return !ctx.cancellationSignal.aborted && !(err instanceof AssetGraphError) && !(err instanceof PartitionKeyError);
}

/**
 * Records that this attempt at one partition failed. Not for a cancelled attempt (cancelled is
 * not failed) nor for an asset or key that does not exist (nothing was attempted). A record
 * that cannot be written is logged: it never replaces the failure the workflow must see.
 */
export async function recordFailedAttempt(
  deps: ActivityDeps,
  asset: string,
  key: string,
  err: unknown,
  txnVersion: number | undefined,
  run?: RunRef,
): Promise<void> {
  const ctx = Context.current();
  if (!wasAttempted(ctx, err)) return;
  try {
    const error = err instanceof Error ? err.message : String(err);
    await recordFailure(deps.warehouse, deps.graph.get(asset), key, { error, attempt: ctx.info.attempt, txnVersion, run });
  } catch (e) {
    ctx.log.warn('could not record the failed run of a partition', { asset, partition: key, error: (e as Error).message });
  }
}
