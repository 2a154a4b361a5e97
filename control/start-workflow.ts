// Starting a Freshet workflow by its contract name: the options' args are typed by the
// workflow's signature in contract/workflows.ts, so a client cannot pass what the worker does not take.
import type { Client, WorkflowHandleWithFirstExecutionRunId, WorkflowStartOptions } from '@temporalio/client';
import type { FreshetWorkflows, WorkflowType } from '../contract/workflows.ts';

export function startWorkflow<N extends WorkflowType>(
  client: Client,
  type: N,
  options: WorkflowStartOptions<FreshetWorkflows[N]>,
): Promise<WorkflowHandleWithFirstExecutionRunId<FreshetWorkflows[N]>> {
  return client.workflow.start<FreshetWorkflows[N]>(type, options);
}
