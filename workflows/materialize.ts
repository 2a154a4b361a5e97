// Materialize one partition (ranges run as backfills: workflows/backfill.ts).
// Deterministic workflow code: only @temporalio/workflow and types are imported.
import { proxyActivities } from '@temporalio/workflow';
import type { ResolvedRetry } from '../core/policies.ts';
import type { MaterializeActivities } from '../activities/materialize.ts';
import type { MaterializeInput, MaterializeResult } from '../contract/materialize.ts';
import { poolRequester } from './asset-pool.ts';

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
  // Date.now() is the workflow's clock: fixed for this run, so retries share one txn version.
  const txnVersion = Date.now();
  const run = () =>
    activities(input.retry, input.attemptTimeoutMs).materializePartition({
      asset: input.asset,
      partition: input.partition,
      txnVersion,
      trigger: input.trigger,
    });
  // The same pool backfills and scheduled refreshes take slots from (workflows/asset-pool.ts).
  return input.pool ? poolRequester().withSlots(input.asset, input.pool, 1, run) : run();
}
