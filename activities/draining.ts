// A worker told to shut down lets batch activities finish within its grace period, but a
// streaming shard or merge never finishes: waiting the grace out would only stall the stream.
// They stop at once when their worker starts draining, checkpoint, and fail retryably so
// Temporal hands them to another worker.
import type { Context } from '@temporalio/activity';

/** What a long-running activity stops on: its own cancellation, or its worker draining. */
export function stopSignal(ctx: Context, draining: AbortSignal | undefined): AbortSignal {
  return draining ? AbortSignal.any([ctx.cancellationSignal, draining]) : ctx.cancellationSignal;
}
