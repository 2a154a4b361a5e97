// Starting one partition's computation: the materializePartition workflow, under an id derived
// from the asset and partition, so a second request for a partition being computed joins it.
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { AssetDef } from '../core/index.ts';
import { materializeWorkflowId } from '../contract/ids.ts';
import { scheduledQueue } from '../contract/queues.ts';
import type { MaterializePartitionWorkflow } from '../contract/materialize.ts';
import { startWorkflow } from './start-workflow.ts';

export function startMaterialize(
  client: Client,
  taskQueue: string,
  asset: AssetDef,
  partition?: string,
): Promise<WorkflowHandleWithFirstExecutionRunId<MaterializePartitionWorkflow>> {
  return startWorkflow(client, 'materializePartition', {
    // one partition, asked for now: as urgent as a scheduled run
    taskQueue: scheduledQueue(taskQueue),
    workflowId: materializeWorkflowId(taskQueue, asset.name, partition),
    workflowIdConflictPolicy: 'USE_EXISTING',
    // the asset's retry policy becomes the activity's; a pooled asset's compute holds a pool slot
    args: [{ asset: asset.name, partition, retry: asset.retry, pool: asset.concurrency, trigger: 'materialize' }],
  });
}
