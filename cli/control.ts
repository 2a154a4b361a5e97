// The control context (client, graph, warehouse) for commands that drive workflows.
import type { ControlContext } from '../control/backfills.ts';
import { openStore } from '../storage/index.ts';
import { connectClient } from './client.ts';
import { loadConfig, loadProject } from './config.ts';

export async function controlContext(): Promise<ControlContext & { close(): Promise<void> }> {
  const config = loadConfig();
  const graph = await loadProject(config.project);
  const client = await connectClient(config);
  return { client, graph, taskQueue: config.taskQueue, warehouse: openStore(config.warehouse), close: () => client.connection.close() };
}
