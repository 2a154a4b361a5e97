// Every signal, query and update Freshet's workflows handle, defined once: the workflow sets its
// handler with the object and clients send or ask with the same object, as Temporal's samples do,
// so a renamed message or a changed payload fails typecheck on both sides. (The only module of
// contract/ that imports the SDK: the page imports the others' types without it.)
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AssetPartitionStates, BackfillProgress } from './backfill.ts';
import type { FreshnessCheck } from './freshness.ts';
import type { PoolRequest, PoolState } from './pool.ts';
import type { StreamingJobStatus } from './streaming.ts';

// backfill
export const progressQuery = defineQuery<BackfillProgress>('progress');
export const partitionsQuery = defineQuery<AssetPartitionStates, [string]>('partitionStates');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const cancelSignal = defineSignal('cancel');
export const retryFailedSignal = defineSignal('retryFailed');

// streamingJob
export const streamStatusQuery = defineQuery<StreamingJobStatus>('streamStatus');
export const stopStreamSignal = defineSignal('stopStream');
export const restartStreamSignal = defineSignal('restartStream');

// freshnessMonitor
export const freshnessQuery = defineQuery<FreshnessCheck[]>('freshness');

// assetPool (and its requesters)
export const poolStateQuery = defineQuery<PoolState>('state');
export const acquireSignal = defineSignal<[PoolRequest]>('acquire');
export const releaseSignal = defineSignal<[{ lease: string }]>('release');
/** sent by the pool to a requester's run */
export const grantSignal = defineSignal<[{ lease: string }]>('assetPoolGrant');
/** sent by the pool to a holder's run: fails when that run is gone */
export const pingSignal = defineSignal('assetPoolPing');
