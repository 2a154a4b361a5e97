// Upstream tables as DuckDB views over exactly the files of the snapshot read, restricted to
// the partitions the mapping needs (pruning by file list, never a filter after the scan).
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  inputKeys,
  lastCompleteKey,
  materializeMissingCommand,
  missingRuns,
  partitionValue,
  type AssetDef,
  type AssetGraph,
  type KeyRun,
  type Partitions,
} from '../core/index.ts';
import { duckdbType, fileKey, ident, literal, literalList, loadSnapshot, type AddFile, type Snapshot, type Table } from '../delta/index.ts';
import type { ObjectStore } from '../storage/types.ts';

export class MissingInputError extends Error {}

export interface InputSelection {
  asset: AssetDef;
  table: Table;
  snapshot: Snapshot | undefined;
  /** upstream keys read, or 'all' */
  keys: string[] | 'all';
}

/**
 * One snapshot per upstream, and the union of the upstream keys that `keys` read (lookback
 * included): what one query over many partitions needs. `undefined` = an unpartitioned asset.
 */
export async function openInputs(
  graph: AssetGraph,
  warehouse: ObjectStore,
  asset: AssetDef,
  keys: Array<string | undefined>,
): Promise<InputSelection[]> {
  const per = keys.map((k) => inputKeys(graph, asset, k));
  return Promise.all(
    graph.upstream(asset.name).map(async ({ asset: up }, i) => {
      let union: string[] | 'all' = [];
      const seen = new Set<string>();
      for (const inputs of per) {
        const k = inputs[i].keys;
        if (k === 'all') {
          union = 'all';
          break;
        }
        for (const key of k)
          if (!seen.has(key)) {
            seen.add(key);
            union.push(key);
          }
      }
      const table = warehouse.at(up.name);
      return { asset: up, table, keys: union, snapshot: await loadSnapshot(table) };
    }),
  );
}

/** Files of `snapshot` grouped by the partition value of `column` (one group with '' for unpartitioned tables). */
function filesByValue(snapshot: Snapshot, column: string | undefined): Map<string, AddFile[]> {
  const groups = new Map<string, AddFile[]>();
  for (const f of snapshot.files) {
    const v = column ? (f.partitionValues[column] ?? '') : '';
    let list = groups.get(v);
    if (!list) groups.set(v, (list = []));
    list.push(f);
  }
  return groups;
}

/** The add paths of the files read, grouped by partition value; throws when a needed partition is missing. */
export function selectFiles(sel: InputSelection, reader: string): Map<string, AddFile[]> {
  const { asset, snapshot, keys } = sel;
  const hint = (runs: KeyRun[]) => `Materialize it first: ${materializeMissingCommand(asset.name, asset.partitions, runs)}.`;
  if (!snapshot) {
    const runs = !asset.partitions ? [] : keys === 'all' ? wholeRange(asset.partitions) : missingRuns(keys, () => false);
    throw new MissingInputError(`${reader} reads '${asset.name}', which has never been materialized. ${hint(runs)}`);
  }
  const column = asset.partitions ? snapshot.metadata.partitionColumns[0] : undefined;
  const groups = filesByValue(snapshot, column);
  if (keys === 'all' || !asset.partitions) return groups;
  const picked = new Map<string, AddFile[]>();
  const missing: string[] = [];
  for (const key of keys) {
    const value = partitionValue(asset.partitions, key);
    const files = groups.get(value);
    if (files) picked.set(value, files);
    else missing.push(key);
  }
  if (missing.length) {
    const shown = missing.length > 5 ? `${missing.slice(0, 5).join(', ')} and ${missing.length - 5} more` : missing.join(', ');
    const def = asset.partitions;
    const runs = missingRuns(keys, (k) => groups.has(partitionValue(def, k)));
    throw new MissingInputError(`${reader} needs partitions of '${asset.name}' that are not materialized: ${shown}. ${hint(runs)}`);
  }
  return picked;
}

/** Every partition of `def` that exists now, as one run (what an 'all' mapping reads). */
function wholeRange(def: Partitions): KeyRun[] {
  if (def.kind === 'static') return def.keys.length ? [{ from: def.keys[0], to: def.keys[def.keys.length - 1] }] : [];
  const last = lastCompleteKey(def, Date.now());
  return last === undefined ? [] : [{ from: def.start, to: last }];
}

/** Creates a TEMP VIEW named after the upstream asset over the selected files. */
export async function createInputView(conn: DuckDBConnection, sel: InputSelection, groups: Map<string, AddFile[]>): Promise<void> {
  const snapshot = sel.snapshot!;
  const schema = snapshot.metadata.schema;
  const partCols = new Set(snapshot.metadata.partitionColumns);
  const branches: string[] = [];
  const types = schema.map((f) => duckdbType(f.type, f.name));
  for (const [value, files] of groups) {
    const paths: string[] = [];
    for (const f of files) paths.push(await sel.table.localPath(fileKey(f.path)));
    // union_by_name: files written before a schema evolution lack the new columns (read as NULL).
    const cols = schema.map((f, i) =>
      partCols.has(f.name)
        ? `CAST(${value === '' ? 'NULL' : literal(value)} AS ${types[i]}) AS ${ident(f.name)}`
        : `CAST(${ident(f.name)} AS ${types[i]}) AS ${ident(f.name)}`,
    );
    branches.push(`SELECT ${cols.join(', ')} FROM read_parquet(${literalList(paths)}, union_by_name = true)`);
  }
  if (branches.length === 0) {
    // No files: an empty relation with the table's schema, so the SQL still binds.
    const cols = schema.map((f) => `CAST(NULL AS ${duckdbType(f.type, f.name)}) AS ${ident(f.name)}`);
    branches.push(`SELECT ${cols.join(', ')} WHERE false`);
  }
  await conn.run(`CREATE OR REPLACE TEMP VIEW ${ident(sel.asset.name)} AS ${branches.join('\nUNION ALL ')}`);
}
