// Every workflow the Freshet worker registers (this file is what the worker bundles).
export { materializePartition } from './materialize.ts';
export { backfill } from './backfill.ts';
export { assetPool } from './asset-pool.ts';
export { freshnessMonitor } from './freshness-monitor.ts';
export { streamingJob } from './streaming.ts';
