// freshet.config.ts: the same variables as the environment, in a file beside the project, for
// settings a team shares (the environment still wins, so a deployment overrides any of them).
// It is TypeScript, imported once at start the way the project module is (tsx under the CLI).
import { closest } from 'fastest-levenshtein';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, configSchema, type ConfigFile, type ConfigFileValues, type ConfigVariable } from './config.ts';

/**
 * Types a freshet.config.ts, so an editor completes the variable names:
 * `export default defineConfig({ FRESHET_WAREHOUSE: 's3://bucket/wh', FRESHET_WEB_PORT: 8300 })`.
 */
export function defineConfig(values: ConfigFileValues): ConfigFileValues {
  return values;
}

export const CONFIG_FILE_NAME = 'freshet.config.ts';

/**
 * Imports FRESHET_CONFIG (which must exist) or ./freshet.config.ts (if there is one) and checks its
 * shape: a default-exported object of known variables with string, number or boolean values. The
 * values themselves are validated with the environment's by loadConfig, naming the file.
 */
export async function loadConfigFile(
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): Promise<ConfigFile | undefined> {
  const named = env.FRESHET_CONFIG?.trim();
  const file = path.resolve(cwd, named || CONFIG_FILE_NAME);
  if (!existsSync(file)) {
    if (named) throw new ConfigError([{ variable: 'FRESHET_CONFIG', message: `no file at ${file}` }]);
    return undefined;
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    // Outside an ESM package tsx compiles a .ts file as CommonJS, and `export default` then fails
    // with a message about require() cycles that does not say what to change.
    if (['ERR_REQUIRE_CYCLE_MODULE', 'ERR_REQUIRE_ESM'].includes((err as NodeJS.ErrnoException).code ?? '')) {
      throw new Error(
        `Loading ${file} failed: it was loaded as CommonJS. Put it in a package whose package.json says "type": "module" (as a Freshet project's does), or name it freshet.config.mts and set FRESHET_CONFIG to it.`,
        { cause: err },
      );
    }
    throw new Error(`Loading ${file} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const exported = mod.default;
  if (typeof exported !== 'object' || exported === null || Array.isArray(exported)) {
    throw new Error(`${file} must default-export an object of variables: export default defineConfig({ FRESHET_WEB_PORT: 8300 })`);
  }
  const known = Object.keys(configSchema.shape) as ConfigVariable[];
  const values: ConfigFile['values'] = {};
  const problems: Array<{ variable: string; message: string }> = [];
  for (const [key, value] of Object.entries(exported)) {
    if (!(known as string[]).includes(key)) {
      problems.push({ variable: key, message: `not a Freshet variable (in ${file}); did you mean ${closest(key, known)}?` });
    } else if (key === 'FRESHET_CONFIG') {
      problems.push({ variable: key, message: `names the configuration file, so it cannot be set inside one (in ${file})` });
    } else if (value === undefined) {
      continue;
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      values[key as ConfigVariable] = String(value);
    } else {
      problems.push({
        variable: key,
        message: `expected a string, number or boolean, got ${Array.isArray(value) ? 'an array' : typeof value} (in ${file})`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { path: file, values };
}
