// Materialize one partition, or a range of partitions with bounded concurrency.
// Deterministic workflow code: only @temporalio/workflow and types are imported.
import { condition, proxyActivities } from '@temporalio/workflow';
import type { ResolvedRetry } from '../core/policies.ts';
import type { MaterializeActivities } from '../activities/materialize.ts';
import type { MaterializeResult } from '../engine/materialize.ts';
import { rootMessage } from './errors.ts';

export interface MaterializeInput {
  asset: string;
  partition?: string;
  retry: ResolvedRetry;
  /** how long one attempt may run (default 1 hour) */
  attemptTimeoutMs?: number;
}

function activities(retry: ResolvedRetry, attemptTimeoutMs = 3_600_000) {
  return proxyActivities<MaterializeActivities>({
    startToCloseTimeout: attemptTimeoutMs,
    heartbeatTimeout: 30_000,
    retry: {
      maximumAttempts: retry.maxAttempts,
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: retry.backoff,
      maximumInterval: retry.maxIntervalMs,
    },
  });
}

export async function materializePartition(input: MaterializeInput): Promise<MaterializeResult> {
  // Date.now() is the workflow's clock: fixed for this run, so retries share one runId.
  const runId = Date.now();
  return activities(input.retry, input.attemptTimeoutMs).materializePartition({ asset: input.asset, partition: input.partition, runId });
}

export interface MaterializeRangeInput {
  asset: string;
  partitions: string[];
  retry: ResolvedRetry;
  concurrency: number;
  attemptTimeoutMs?: number;
}

export interface RangeOutcome {
  results: MaterializeResult[];
  failures: Array<{ partition: string; error: string }>;
}

export async function materializeRange(input: MaterializeRangeInput): Promise<RangeOutcome> {
  const act = activities(input.retry, input.attemptTimeoutMs);
  const runId = Date.now();
  const outcome: RangeOutcome = { results: [], failures: [] };
  let inFlight = 0;
  const running: Promise<void>[] = [];
  for (const partition of input.partitions) {
    await condition(() => inFlight < input.concurrency);
    inFlight++;
    running.push(act.materializePartition({ asset: input.asset, partition, runId }).then(
      (r) => { outcome.results.push(r); },
      (err: Error) => { outcome.failures.push({ partition, error: rootMessage(err) }); },
    ).finally(() => { inFlight--; }));
  }
  await Promise.all(running);
  return outcome;
}
