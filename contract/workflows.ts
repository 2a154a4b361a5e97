// Every workflow type the Freshet worker registers, by name and signature. workflows/index.ts
// checks its exports against this (`satisfies FreshetWorkflows`), and clients start workflows
// through startWorkflow-style helpers typed by it, so a renamed workflow or a changed input
// fails typecheck on both sides instead of at run time.
import type { BackfillWorkflow } from './backfill.ts';
import type { FreshnessMonitorWorkflow } from './freshness.ts';
import type { MaterializePartitionWorkflow } from './materialize.ts';
import type { AssetPoolWorkflow } from './pool.ts';
import type { StreamingJobWorkflow } from './streaming.ts';

export interface FreshetWorkflows {
  materializePartition: MaterializePartitionWorkflow;
  backfill: BackfillWorkflow;
  assetPool: AssetPoolWorkflow;
  freshnessMonitor: FreshnessMonitorWorkflow;
  streamingJob: StreamingJobWorkflow;
}

export type WorkflowType = keyof FreshetWorkflows;

/** The workflow type names, for places that need the string (schedule actions, visibility queries). */
export const WORKFLOW_TYPES: { readonly [K in WorkflowType]: K } = {
  materializePartition: 'materializePartition',
  backfill: 'backfill',
  assetPool: 'assetPool',
  freshnessMonitor: 'freshnessMonitor',
  streamingJob: 'streamingJob',
};
