// What users write: asset() and source(). A declaration is data; nothing here runs it.
import { allPartitions, identity, type PartitionMapping } from './mappings.ts';
import type { SparkEngine } from './engines.ts';
import type { Partitions } from './partitions.ts';
import {
  resolveFreshness,
  resolveRetry,
  type FreshnessPolicy,
  type ResolvedFreshness,
  type ResolvedRetry,
  type RetryPolicy,
} from './policies.ts';

export type Row = Record<string, unknown>;

/** The partition being computed, raw and as ready-quoted SQL literals. */
export interface PartitionContext {
  key: string;
  /** window start and end (ms) for time partitions */
  start?: number;
  end?: number;
  sql: { key: string; start?: string; end?: string };
}

export interface AssetContext {
  asset: string;
  /** undefined for an unpartitioned asset */
  partition: PartitionContext | undefined;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
}

/** The contiguous partitions one range-batched query computes (see AssetSpec.rangeSql). */
export interface RangeContext {
  asset: string;
  /** keys computed, in order */
  keys: string[];
  /** for time partitions: start of the first key's window and end of the last one's (ms) */
  start?: number;
  end?: number;
  /** ready-quoted SQL literals: `keys` is a list of the partition column's values, e.g. [DATE '2026-01-01', ...] */
  sql: { keys: string; start?: string; end?: string };
  attempt: number;
}

export interface TransformContext extends AssetContext {
  /** each upstream's mapped rows, in batches of at most `batchSize` */
  inputs: Record<string, AsyncIterable<Row[]>>;
}

/** DuckDB column types for a transform's output, e.g. { user_id: 'BIGINT', score: 'DOUBLE' }. */
export type OutputSchema = Record<string, string>;

export type Dep = string | { asset: string; mapping?: PartitionMapping };

/** A scalar TypeScript function callable from the asset's SQL, e.g. score(amount, category). */
export interface ScalarFunctionSpec {
  /** DuckDB types of the arguments: BIGINT, INTEGER, DOUBLE, VARCHAR, BOOLEAN, DATE, TIMESTAMP, TIMESTAMPTZ */
  params: string[];
  /** DuckDB type of the result */
  returns: string;
  /** called once per row whose arguments are all non-NULL (a NULL argument gives NULL) */
  fn: (...args: never[]) => unknown;
}

export interface AssetSpec {
  name: string;
  description?: string;
  /** upstream assets: names (default mapping), or { name: mapping } */
  deps?: Dep[] | Record<string, PartitionMapping>;
  partitions?: Partitions;
  /** DuckDB SQL; each dep is a view named after it holding exactly the mapped partitions */
  sql?: string | ((ctx: AssetContext) => string);
  /**
   * Optional: the same asset computed for many contiguous partitions in one query (backfills,
   * catch-up). The upstream views hold the union of what those partitions read (lookback
   * included); the SQL returns the partition column too, and for each key exactly the rows
   * `sql` returns for that key alone. Without it, Freshet loads the union once and runs `sql`
   * per key over it.
   */
  rangeSql?: string | ((ctx: RangeContext) => string);
  /** scalar TypeScript functions the SQL may call, by name (names are global to a worker: keep them unique) */
  functions?: Record<string, ScalarFunctionSpec>;
  /** a TypeScript transform: upstream batches in, output batches out */
  transform?: (ctx: TransformContext) => AsyncIterable<Row[]>;
  /** output columns of a transform */
  schema?: OutputSchema;
  /** rows per input batch handed to a transform (default 10,000) */
  batchSize?: number;
  retry?: RetryPolicy;
  freshness?: FreshnessPolicy;
  /**
   * At most this many partitions of this asset computed at once, across all backfills and runs
   * (a per-asset pool held by an `assetPool` workflow). Default: no global bound.
   */
  concurrency?: number;
  /** free-form labels shown in the UI */
  tags?: Record<string, string>;
  /** where the SQL runs: DuckDB in the worker (default), or `spark({...})` (the SQL is then Spark SQL) */
  engine?: SparkEngine;
}

export interface AssetDep {
  asset: string;
  /** undefined = the default for the two partition definitions, chosen at graph load */
  mapping: PartitionMapping | undefined;
}

export interface AssetDef {
  name: string;
  description: string;
  isSource: boolean;
  deps: AssetDep[];
  partitions: Partitions | undefined;
  sql: AssetSpec['sql'];
  rangeSql: AssetSpec['rangeSql'];
  functions: Record<string, ScalarFunctionSpec>;
  transform: AssetSpec['transform'];
  schema: OutputSchema | undefined;
  batchSize: number;
  retry: ResolvedRetry;
  freshness: ResolvedFreshness | undefined;
  /** global per-asset pool size; undefined = unbounded (see AssetSpec.concurrency) */
  concurrency?: number;
  tags: Record<string, string>;
  /** undefined: DuckDB in the worker */
  engine?: SparkEngine;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;

export class AssetDefinitionError extends Error {}

/** Declares a computed asset (SQL or a TypeScript transform) over its upstream assets. */
export function asset(spec: AssetSpec): AssetDef {
  return build(spec, false);
}

/** Declares a source: an asset with no upstream, whose SQL or transform produces raw data (ingestion, synthetic data). */
export function source(spec: Omit<AssetSpec, 'deps'>): AssetDef {
  return build(spec, true);
}

function build(spec: AssetSpec, isSource: boolean): AssetDef {
  const name = spec.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new AssetDefinitionError(
      `Asset name '${name}' is invalid: start with a lower-case letter, then up to 62 lower-case letters, digits or '_'.`,
    );
  }
  const owner = `asset '${name}'`;
  if ((spec.sql === undefined) === (spec.transform === undefined)) {
    throw new AssetDefinitionError(`${owner} needs exactly one of 'sql' or 'transform'.`);
  }
  if (spec.rangeSql !== undefined && (spec.sql === undefined || !spec.partitions)) {
    throw new AssetDefinitionError(
      `${owner}: 'rangeSql' goes with 'sql' on a partitioned asset (it computes many partitions of the same SQL at once).`,
    );
  }
  if (spec.transform && !spec.schema) {
    throw new AssetDefinitionError(
      `${owner} has a transform but no 'schema': declare its output columns, e.g. schema: { user_id: 'BIGINT' }.`,
    );
  }
  const batchSize = spec.batchSize ?? 10_000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new AssetDefinitionError(`${owner}: batchSize must be a whole number >= 1.`);
  if (spec.concurrency !== undefined && (!Number.isInteger(spec.concurrency) || spec.concurrency < 1)) {
    throw new AssetDefinitionError(
      `${owner}: concurrency must be a whole number >= 1 (at most that many partitions computed at once), got ${String(spec.concurrency)}.`,
    );
  }
  if (spec.engine?.kind === 'spark') checkSparkAsset(spec, owner);
  try {
    return {
      name,
      description: spec.description ?? '',
      isSource,
      deps: normalizeDeps(spec.deps),
      partitions: spec.partitions,
      sql: spec.sql,
      rangeSql: spec.rangeSql,
      functions: spec.functions ?? {},
      transform: spec.transform,
      schema: spec.schema,
      batchSize,
      retry: resolveRetry(spec.retry, owner),
      freshness: spec.freshness ? resolveFreshness(spec.freshness, owner) : undefined,
      concurrency: spec.concurrency,
      tags: spec.tags ?? {},
      ...(spec.engine ? { engine: spec.engine } : {}),
    };
  } catch (err) {
    if (err instanceof AssetDefinitionError) throw err;
    throw new AssetDefinitionError(`${owner}: ${(err as Error).message}`);
  }
}

/** What a Spark asset cannot have: the parts that run inside the worker's DuckDB or Node. */
function checkSparkAsset(spec: AssetSpec, owner: string): void {
  if (spec.sql === undefined)
    throw new AssetDefinitionError(`${owner} runs on Spark: give it 'sql' (Spark SQL); a TypeScript transform runs in the worker only.`);
  if (spec.functions && Object.keys(spec.functions).length > 0)
    throw new AssetDefinitionError(
      `${owner} runs on Spark: 'functions' (TypeScript UDFs) run inside the worker's DuckDB only; use Spark SQL functions.`,
    );
  if (spec.rangeSql !== undefined)
    throw new AssetDefinitionError(
      `${owner} runs on Spark: leave out 'rangeSql' (one Spark application computes a batch of partitions, each with 'sql').`,
    );
}

function normalizeDeps(deps: AssetSpec['deps']): AssetDep[] {
  if (!deps) return [];
  if (Array.isArray(deps)) {
    return deps.map((d) => (typeof d === 'string' ? { asset: d, mapping: undefined } : { asset: d.asset, mapping: d.mapping }));
  }
  return Object.entries(deps).map(([asset, mapping]) => ({ asset, mapping }));
}

/** The mapping a dep uses once both partition definitions are known. */
export function effectiveMapping(dep: AssetDep, down: Partitions | undefined, up: Partitions | undefined): PartitionMapping {
  if (dep.mapping) return dep.mapping;
  return down && up ? identity() : allPartitions();
}
