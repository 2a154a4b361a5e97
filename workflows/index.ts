// Every workflow the Freshet worker registers (this file is what the worker bundles). The object
// below checks the exports against contract/workflows.ts: a workflow renamed or retyped on one
// side only fails typecheck.
import type { FreshetWorkflows } from '../contract/workflows.ts';
import { assetPool } from './asset-pool.ts';
import { backfill } from './backfill.ts';
import { freshnessMonitor } from './freshness-monitor.ts';
import { materializePartition } from './materialize.ts';
import { streamingJob } from './streaming.ts';

export { assetPool, backfill, freshnessMonitor, materializePartition, streamingJob };

export const registered = { assetPool, backfill, freshnessMonitor, materializePartition, streamingJob } satisfies FreshetWorkflows;
