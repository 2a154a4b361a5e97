// Puts the asset and partition an activity works on into each of its log lines (the SDK already
// adds workflowId, runId and attempt): read from the activity's input when it starts.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** asset, partition (or first..last of a batch) and shard from an activity's first argument. */
export function workFields(arg: unknown): Record<string, string | number> {
  if (arg === null || typeof arg !== 'object') return {};
  const a = arg as { asset?: unknown; partition?: unknown; partitions?: unknown; shard?: { index?: unknown } };
  const out: Record<string, string | number> = {};
  if (typeof a.asset === 'string') out.asset = a.asset;
  if (typeof a.partition === 'string') out.partition = a.partition;
  else if (Array.isArray(a.partitions) && a.partitions.length > 0) {
    const [first, last] = [a.partitions[0], a.partitions[a.partitions.length - 1]];
    out.partition = a.partitions.length === 1 ? String(first) : `${String(first)}..${String(last)}`;
    out.partitions = a.partitions.length;
  }
  if (typeof a.shard?.index === 'number') out.shard = a.shard.index;
  return out;
}

/** A fresh pair per activity execution: the inbound side reads the input, the outbound side adds it to log lines. */
export const activityLogFields: ActivityInterceptorsFactory = () => {
  let fields: Record<string, string | number> = {};
  return {
    inbound: {
      execute(input, next) {
        fields = workFields(input.args[0]);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(input, next) {
        return { ...next(input), ...fields };
      },
    },
  };
};
