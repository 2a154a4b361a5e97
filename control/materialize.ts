// Starting one partition's computation: the materializePartition workflow, under an id derived
// from the asset and partition, so a second request for a partition being computed joins it.
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { AssetDef } from '../core/index.ts';
import { materializeWorkflowId } from '../workflows/ids.ts';
import type { materializePartition } from '../workflows/materialize.ts';

export function startMaterialize(client: Client, taskQueue: string, asset: AssetDef, partition?: string): Promise<WorkflowHandleWithFirstExecutionRunId<typeof materializePartition>> {
  return client.workflow.start<typeof materializePartition>('materializePartition', {
    taskQueue,
    workflowId: materializeWorkflowId(taskQueue, asset.name, partition),
    workflowIdConflictPolicy: 'USE_EXISTING',
    // the asset's retry policy becomes the activity's; a pooled asset's compute holds a pool slot
    args: [{ asset: asset.name, partition, retry: asset.retry, pool: asset.concurrency }],
  });
}
