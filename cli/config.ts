// Freshet's settings, from the environment with embedded defaults.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AssetGraph } from '../core/index.ts';

export interface FreshetConfig {
  /** host:port of the Temporal frontend (TEMPORAL_ADDRESS) */
  temporalAddress: string;
  namespace: string;
  /** task queue the workers poll; also prefixes workflow ids (FRESHET_TASK_QUEUE) */
  taskQueue: string;
  /** directory or s3://bucket/prefix holding one Delta table per asset (FRESHET_WAREHOUSE) */
  warehouse: string;
  /** module whose default export is the project's definitions (FRESHET_PROJECT) */
  project: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): FreshetConfig {
  return {
    temporalAddress: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.FRESHET_TASK_QUEUE ?? 'freshet',
    warehouse: env.FRESHET_WAREHOUSE ?? path.resolve('.freshet/warehouse'),
    project: path.resolve(env.FRESHET_PROJECT ?? 'assets/index.ts'),
  };
}

/** Imports the project module; its default export must be the result of definitions(...). */
export async function loadProject(file: string): Promise<AssetGraph> {
  let mod: { default?: AssetGraph };
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(file)) {
      throw new Error(`Project file ${file} not found: set FRESHET_PROJECT to your assets module (default assets/index.ts).`);
    }
    throw err;
  }
  const graph = mod.default;
  if (!graph || !Array.isArray(graph.assets) || typeof graph.get !== 'function') {
    throw new Error(`${file} must default-export definitions({ assets: [...] }).`);
  }
  return graph;
}
