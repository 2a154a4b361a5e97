// The control context (client, graph, warehouse) for commands that drive workflows.
import type { ControlContext } from '../control/backfills.ts';
import { loadConfig, type FreshetConfig } from './config.ts';
import { loadProject } from './project.ts';
import { connectClient } from './temporal.ts';
import { openWarehouse } from './warehouse.ts';

export async function controlContext(
  config: FreshetConfig = loadConfig(),
): Promise<ControlContext & { config: FreshetConfig; close(): Promise<void> }> {
  const graph = await loadProject(config.project);
  const client = await connectClient(config);
  return { config, client, graph, taskQueue: config.taskQueue, warehouse: openWarehouse(config), close: () => client.connection.close() };
}
