// Which partitions need computing: missing (never materialized, or its files are gone), failed
// (its last run failed: a failure record newer than its newest commit, failure-records.ts),
// outdated (an upstream partition it reads changed after the version it read), or up to date.
// ("Outdated" is about inputs; "late", in core/freshness.ts, is about the SLA clock.)
//
// The rule, and only this rule: a materialization records the version of every upstream table
// it read (commitInfo.freshet.inputVersions). Partition K is outdated when some upstream commit
// newer than that version added or removed data files (dataChange) in an upstream partition K
// maps to. Consequences, on purpose:
// - staleness is one hop: when `transactions` changes, `user_purchases_30d` is outdated, but what
//   reads `user_purchases_30d` becomes outdated only once that partition is recomputed (a new commit).
// - compaction (dataChange=false) and schema-only changes never make anything outdated.
// - a change to the asset's own SQL is not detected (no code version yet); recompute with --force.
// - an upstream read with `allPartitions()` (or an unpartitioned upstream): any data change in it.
// - the SLA side ("data older than maxLag") is the freshness monitor's, not this.
import { lastRunFailed } from '../contract/failure-records.ts';
import {
  allKeys,
  checkKey,
  keyOfValue,
  upstreamKeys,
  upstreamWindow,
  windowSlice,
  type AssetDef,
  type AssetGraph,
  type Partitions,
  type TimePartitions,
} from '../core/index.ts';
import { history, loadSnapshot, type CommitEntry, type PartitionValues } from '../delta/index.ts';
import type { ObjectStore } from '../storage/types.ts';
import { readFailures } from './failure-records.ts';
import { latestByPartition, materializations, type Materialization } from './lineage.ts';
import { assetTable } from './materialize.ts';

export type PartitionState = 'missing' | 'failed' | 'outdated' | 'up_to_date';

export interface PartitionStatus {
  state: PartitionState;
  /** why outdated: e.g. "transactions 2026-01-10 changed in v42 after this read v40"; why failed: the run's error */
  reason?: string;
}

/** When each upstream partition last changed, from the upstream's log after the oldest version read. */
interface ChangeIndex {
  /** newest data-changing version per upstream key ('' for unpartitioned) */
  byKey: Map<string, number>;
  /** newest data-changing version of any partition, and which key */
  newest: { version: number; key: string } | undefined;
  /** versions at or before this are not indexed: no materialization read older */
  since: number;
  /** the log after `since` could not be read (cleaned up): everything is outdated */
  unreadable?: string;
}

/** State of each key of `asset` ('' for an unpartitioned asset); keys undefined = every key that exists now. */
export async function partitionStates(
  graph: AssetGraph,
  warehouse: ObjectStore,
  asset: string,
  keys: string[] | undefined,
): Promise<Map<string, PartitionStatus>> {
  const def = graph.get(asset);
  const wanted = keys ?? (def.partitions ? allKeys(def.partitions, Date.now()) : ['']);
  const table = assetTable(warehouse, def.name);
  const snapshot = await loadSnapshot(table);
  const latest = snapshot ? latestByPartition(await materializations(table)) : new Map<string, Materialization>();
  const present = presentKeys(def, snapshot?.files.map((f) => f.partitionValues) ?? []);

  const ups = graph.upstream(def.name);
  const indexes = new Map<string, ChangeIndex>();
  for (const { asset: up } of ups) {
    // A loop, not Math.min(...reads): spreading 150,000 partitions overflows the stack.
    let oldest = Number.POSITIVE_INFINITY;
    for (const m of latest.values()) oldest = Math.min(oldest, m.inputVersions[up.name] ?? -1);
    indexes.set(up.name, await changeIndex(warehouse, up, oldest));
  }

  const out = new Map<string, PartitionStatus>();
  for (const key of wanted) {
    const m = latest.get(key);
    if (!m || !present.has(key)) {
      out.set(key, { state: 'missing', reason: m ? `its files were removed after v${m.version}` : undefined });
      continue;
    }
    let reason: string | undefined;
    for (const { asset: up, mapping } of ups) {
      const read = m.inputVersions[up.name];
      if (read === undefined || read < 0) {
        reason = `${up.name} was not read by the materialization in v${m.version} (dependency added since)`;
        break;
      }
      const index = indexes.get(up.name)!;
      const [down, upDef] = [def.partitions, up.partitions];
      // Time onto time: the window's changes found by bisection, not its keys listed (lookback(720) of hours per partition).
      reason =
        down && down.kind !== 'static' && upDef && upDef.kind !== 'static' && mapping.kind !== 'all'
          ? changedInWindow(up.name, index, changedKeys(upDef, index), upstreamWindow(down, key, mapping), read)
          : changedAfter(up.name, index, upstreamKeys(down, upDef, mapping, key || undefined), read);
      if (reason) break;
    }
    out.set(key, reason ? { state: 'outdated', reason } : { state: 'up_to_date' });
  }
  // A failed last run outranks the rest: the data, if any, is what the run before it wrote.
  for (const [key, record] of await readFailures(warehouse, def.name)) {
    if (!out.has(key) || !lastRunFailed(record, snapshot?.metadata.id, latest.get(key)?.version)) continue;
    out.set(key, { state: 'failed', reason: `its last run failed at ${record.at} (attempt ${record.attempt}): ${record.error}` });
  }
  return out;
}

/** Why an upstream read at `read` is outdated for `upKeys`, or undefined when it is not. */
function changedAfter(name: string, index: ChangeIndex, upKeys: string[] | 'all', read: number): string | undefined {
  if (index.unreadable) return `${name}: ${index.unreadable}`;
  const anywhere = index.byKey.get('*');
  if (anywhere !== undefined && anywhere > read)
    return `${name} changed in v${anywhere} (a remove without partition values) after this read v${read}`;
  if (upKeys === 'all') {
    const n = index.newest;
    return n && n.version > read ? `${name}${n.key ? ` ${n.key}` : ''} changed in v${n.version} after this read v${read}` : undefined;
  }
  for (const k of upKeys) {
    const v = index.byKey.get(k);
    if (v !== undefined && v > read) return `${name} ${k} changed in v${v} after this read v${read}`;
  }
  return undefined;
}

/** As changedAfter, for the upstream time keys overlapping window `w`. */
function changedInWindow(
  name: string,
  index: ChangeIndex,
  changed: ChangedKeys,
  w: { start: number; end: number },
  read: number,
): string | undefined {
  if (index.unreadable) return `${name}: ${index.unreadable}`;
  const anywhere = index.byKey.get('*');
  if (anywhere !== undefined && anywhere > read)
    return `${name} changed in v${anywhere} (a remove without partition values) after this read v${read}`;
  const [first, last] = windowSlice(changed.def, changed.keys, w);
  for (let i = first; i <= last; i++) {
    if (changed.versions[i] > read) return `${name} ${changed.keys[i]} changed in v${changed.versions[i]} after this read v${read}`;
  }
  return undefined;
}

interface ChangedKeys {
  def: TimePartitions;
  /** the changed keys that are partitions of def, in order */
  keys: string[];
  versions: number[];
}

const sortedChanges = new WeakMap<ChangeIndex, ChangedKeys>();

/** The index's keys that are partitions of `def` (what a listed window could have met), sorted, once per index. */
function changedKeys(def: TimePartitions, index: ChangeIndex): ChangedKeys {
  const hit = sortedChanges.get(index);
  if (hit) return hit;
  const entries = [...index.byKey].filter(([k]) => isPartition(def, k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out = { def, keys: entries.map(([k]) => k), versions: entries.map(([, v]) => v) };
  sortedChanges.set(index, out);
  return out;
}

function isPartition(def: TimePartitions, key: string): boolean {
  try {
    checkKey(def, key);
    return true;
  } catch {
    return false;
  }
}

/** Keys of `def` that have live files in the table. */
function presentKeys(def: AssetDef, values: PartitionValues[]): Set<string> {
  const keys = new Set<string>();
  for (const pv of values) keys.add(keyOf(def.partitions, pv));
  return keys;
}

function keyOf(partitions: Partitions | undefined, pv: PartitionValues): string {
  if (!partitions) return '';
  const v = pv[partitions.column];
  return v === null || v === undefined ? '' : keyOfValue(partitions, v);
}

/** Reads the upstream's commits after `oldestRead` once, for every partition of the asset. */
async function changeIndex(warehouse: ObjectStore, up: AssetDef, oldestRead: number): Promise<ChangeIndex> {
  const since = Number.isFinite(oldestRead) ? Math.max(oldestRead, -1) : Number.POSITIVE_INFINITY;
  const index: ChangeIndex = { byKey: new Map(), newest: undefined, since };
  if (!Number.isFinite(since)) return index;
  let commits: CommitEntry[];
  try {
    commits = await history(assetTable(warehouse, up.name), { fromVersion: since + 1 });
  } catch (err) {
    index.unreadable = `its log since v${since} cannot be read (${(err as Error).message})`;
    return index;
  }
  for (const c of commits) {
    const touched = [
      ...c.adds.filter((a) => a.dataChange !== false).map((a) => a.partitionValues),
      ...c.removes.filter((r) => r.dataChange !== false).map((r) => r.partitionValues),
    ];
    for (const pv of touched) {
      // A remove without partitionValues could be anywhere: count it as a change of every partition.
      const key = pv ? keyOf(up.partitions, pv) : '*';
      index.byKey.set(key, c.version);
      index.newest = { version: c.version, key: key === '*' ? '' : key };
    }
  }
  return index;
}
