// The per-asset pool's contract (AssetSpec.concurrency): requesters and the pool workflow signal
// each other across workflow runs, and clients query its state.

export interface PoolRequest {
  /** unique per request: `${runId}:${n}` */
  lease: string;
  /** the requester's run, signalled with the grant */
  workflowId: string;
  runId: string;
  /** slots held (partitions in the batch); more than the limit is clamped to it */
  permits: number;
  /** the asset's current pool size; the newest request's value wins */
  limit: number;
}

export interface PoolLease extends PoolRequest {
  grantedAt: number;
  /** when the holder's run is next checked for liveness */
  checkAt: number;
}

export interface AssetPoolInput {
  asset: string;
  limit: number;
  /** liveness check period per lease (default 5 minutes) */
  leaseCheckMs?: number;
  /** exit after this long with no holder and no waiter (default 10 minutes) */
  idleMs?: number;
  /** history events per run before continuing as new (default 5,000) */
  maxHistoryEvents?: number;
  /** carried across continue-as-new */
  carried?: { queue: PoolRequest[]; holders: PoolLease[] };
}

export interface PoolState {
  asset: string;
  limit: number;
  holders: PoolLease[];
  queue: PoolRequest[];
}

export type AssetPoolWorkflow = (input: AssetPoolInput) => Promise<PoolState>;
