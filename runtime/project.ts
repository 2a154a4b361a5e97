// The user's project: the module whose default export is definitions({ assets: [...] }).
import { pathToFileURL } from 'node:url';
import type { AssetGraph } from '../core/index.ts';

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
