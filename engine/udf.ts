// Scalar TypeScript functions inside SQL, through DuckDB's registerScalarFunction. DuckDB keeps
// them in the instance's catalog (shared by every connection), so a name is registered once per
// instance and two assets declaring different functions under one name is an error.
import {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
  DuckDBScalarFunction,
  FLOAT,
  INTEGER,
  JSDuckDBValueConverter,
  jsToDuckDBValue,
  SMALLINT,
  TIMESTAMP,
  TIMESTAMPTZ,
  TINYINT,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBType,
} from '@duckdb/node-api';
import type { AssetDef, ScalarFunctionSpec } from '../core/index.ts';
import { instance, type EngineConfig } from './duckdb.ts';

const TYPES: Record<string, DuckDBType> = {
  BIGINT,
  INTEGER,
  SMALLINT,
  TINYINT,
  DOUBLE,
  FLOAT,
  VARCHAR,
  BOOLEAN,
  DATE,
  TIMESTAMP,
  TIMESTAMPTZ,
  'TIMESTAMP WITH TIME ZONE': TIMESTAMPTZ,
};

const registered = new WeakMap<object, Map<string, ScalarFunctionSpec>>();

function duckType(name: string, owner: string): DuckDBType {
  const t = TYPES[name.toUpperCase()];
  if (!t)
    throw new Error(`${owner}: type '${name}' is not supported for TypeScript functions; use one of ${Object.keys(TYPES).join(', ')}.`);
  return t;
}

/** Registers the asset's functions with the instance behind `conn` (made from `config`), once. */
export async function registerFunctions(conn: DuckDBConnection, config: EngineConfig, asset: AssetDef): Promise<void> {
  if (Object.keys(asset.functions).length === 0) return;
  const instanceKey = await instance(config);
  let done = registered.get(instanceKey);
  if (!done) registered.set(instanceKey, (done = new Map()));
  for (const [name, spec] of Object.entries(asset.functions)) {
    const owner = `asset '${asset.name}' function '${name}'`;
    const prior = done.get(name);
    if (prior === spec) continue;
    if (prior)
      throw new Error(
        `${owner}: another asset already registered a different function '${name}' in this worker; give one of them another name.`,
      );
    const returnType = duckType(spec.returns, owner);
    const fn = spec.fn as (...args: unknown[]) => unknown;
    conn.registerScalarFunction(
      DuckDBScalarFunction.create({
        name,
        returnType,
        parameterTypes: spec.params.map((p) => duckType(p, owner)),
        mainFunction: (info, input, output) => {
          const cols = spec.params.map((_, i) => input.convertColumnValues(i, JSDuckDBValueConverter));
          try {
            for (let row = 0; row < input.rowCount; row++) {
              const args = cols.map((c) => c[row]);
              const value = args.some((a) => a === null) ? null : fn(...args);
              output.setItem(row, value === null || value === undefined ? null : jsToDuckDBValue(value as never, returnType));
            }
            output.flush();
          } catch (err) {
            info.setError(`${owner}: ${(err as Error).message}`);
          }
        },
      }),
    );
    done.set(name, spec);
  }
}
