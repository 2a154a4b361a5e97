// The user's project: the module whose default export is definitions({ assets: [...] }).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AssetGraph } from '../core/index.ts';

/** Imports the project module; its default export must be the result of definitions(...). */
export async function loadProject(file: string): Promise<AssetGraph> {
  let mod: { default?: AssetGraph };
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e?.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(file)) {
      throw new Error(`Project file ${file} not found: set FRESHET_PROJECT to your assets module (default assets/index.ts).`, {
        cause: err,
      });
    }
    // The module ran and threw (a bad declaration, a graph problem, its own code): say that
    // it happened on import, what was thrown, and the line of the project that threw it.
    const what = err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
    const where = err instanceof Error ? userFrame(err.stack ?? '') : undefined;
    throw new Error(`Loading the project ${file} failed: importing it threw ${what}${where ? `\n  at ${where}` : ''}`, { cause: err });
  }
  const graph = mod.default;
  if (!graph || !Array.isArray(graph.assets) || typeof graph.get !== 'function') {
    throw new Error(`${file} must default-export definitions({ assets: [...] }).`);
  }
  return graph;
}

/** The first `file:line:column` of a stack outside Node, node_modules and Freshet's own core/ and runtime/. */
function userFrame(stack: string): string | undefined {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const ours = [path.join(root, 'core'), path.join(root, 'runtime')].map((d) => d + path.sep);
  for (const line of stack.split('\n')) {
    const m = /^\s+at (?:.*\()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    if (file.startsWith('node:') || file.includes(`${path.sep}node_modules${path.sep}`) || ours.some((d) => file.startsWith(d))) continue;
    return `${file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
