// Workflow ids, derived from what is computed so a second request for the same partition
// joins the running workflow instead of computing twice. Pure: shared by cli/ and web/.

export function materializeWorkflowId(taskQueue: string, asset: string, partition: string | undefined): string {
  return `${taskQueue}/materialize/${asset}/${partition ?? 'all'}`;
}

/** The one assetPool workflow per asset and task queue (AssetSpec.concurrency). */
export function assetPoolWorkflowId(taskQueue: string, asset: string): string {
  return `${taskQueue}/asset-pool/${asset}`;
}
