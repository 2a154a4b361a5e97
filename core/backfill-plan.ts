// Plans a backfill: which (asset, partition) tasks, in what dependency order, which to skip.
// Pure: the caller supplies each partition's state (missing, failed, stale, up to date).
import type { AssetDef } from './asset.ts';
import type { AssetGraph } from './graph.ts';
import { upstreamKeys } from './mappings.ts';
import { allKeys, keysBetween, keyStart, lastCompleteKey, keysOverlapping, keyWindow, PartitionKeyError, type Partitions } from './partitions.ts';

export class BackfillRequestError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export interface SelectionRequest {
  assets: string[];
  downstream: boolean;
  upstream?: boolean;
  from?: string;
  to?: string;
  /** only the newest complete partition of the selected assets */
  latest?: boolean;
}

/** Asset name → the keys to consider, in dependency order ('' = the unpartitioned asset). */
export type Selection = Array<{ asset: AssetDef; keys: string[] }>;

export function selectTasks(graph: AssetGraph, req: SelectionRequest, now: number): Selection {
  if (req.assets.length === 0) throw new BackfillRequestError('assets', 'Select at least one asset.');
  for (const name of req.assets) {
    if (!graph.has(name)) {
      try { graph.get(name); } catch (err) { throw new BackfillRequestError('assets', (err as Error).message); }
    }
  }
  if ((req.from === undefined) !== (req.to === undefined)) throw new BackfillRequestError(req.from === undefined ? 'from' : 'to', 'Give both ends of the partition range (from and to), or neither for every partition.');
  const chosen = req.downstream ? graph.withDownstream(req.assets) : new Set(req.assets);
  const anchor = graph.get(req.assets[0]).partitions;
  const keys = new Map<string, Set<string>>();
  for (const a of graph.assets) {
    if (!chosen.has(a.name)) continue;
    keys.set(a.name, new Set(rangeKeys(a, anchor, req, now)));
  }
  if (req.upstream) {
    // Walk upward from the selection: each ancestor gets the partitions its readers map to.
    for (const a of [...graph.assets].reverse()) {
      const mine = keys.get(a.name);
      if (!mine) continue;
      for (const { asset: up, mapping } of graph.upstream(a.name)) {
        let set = keys.get(up.name);
        if (!set) keys.set(up.name, (set = new Set()));
        for (const k of mine) {
          const ups = upstreamKeys(a.partitions, up.partitions, mapping, k || undefined);
          for (const u of ups === 'all' ? (up.partitions ? allKeys(up.partitions, now) : ['']) : ups) set.add(u);
        }
      }
    }
  }
  return graph.assets.filter((a) => keys.has(a.name)).map((a) => ({ asset: a, keys: sortKeys(a.partitions, [...keys.get(a.name)!]) }));
}

function sortKeys(def: Partitions | undefined, keys: string[]): string[] {
  if (def?.kind === 'static') return def.keys.filter((k) => keys.includes(k));
  return keys.sort();
}

function rangeKeys(a: AssetDef, anchor: Partitions | undefined, req: SelectionRequest, now: number): string[] {
  const def = a.partitions;
  if (!def) return [''];
  if (req.latest) {
    if (def.kind === 'static') return allKeys(def, now);
    const last = lastCompleteKey(def, now);
    return last === undefined ? [] : [last];
  }
  if (req.from === undefined || req.to === undefined) return allKeys(def, now);
  try {
    if (def.kind === 'static') return anchor?.kind === 'static' ? keysBetween(def, req.from, req.to) : allKeys(def, now);
    // A time range is read on the first selected asset's grid and mapped by time onto this one's.
    const grid = anchor && anchor.kind !== 'static' ? anchor : def;
    const start = keyStart(grid, req.from);
    if (keyStart(grid, req.to) < start) throw new PartitionKeyError(`Partition range is reversed: '${req.from}' comes after '${req.to}'.`);
    return keysOverlapping(def, start, keyWindow(grid, req.to).end);
  } catch (err) {
    if (err instanceof PartitionKeyError) {
      const field = /reversed/.test(err.message) || err.message.includes(`'${req.to}'`) ? 'to' : 'from';
      throw new BackfillRequestError(field, err.message);
    }
    throw err;
  }
}

/** Index ranges of the upstream keys each key reads, within the upstream's planned keys. */
export function depRanges(down: AssetDef, downKeys: string[], up: AssetDef, upKeys: string[], graph: AssetGraph): { lo: number[]; hi: number[] } {
  const mapping = graph.upstream(down.name).find((d) => d.asset.name === up.name)!.mapping;
  const index = new Map(upKeys.map((k, i) => [k, i]));
  const lo: number[] = [];
  const hi: number[] = [];
  for (const k of downKeys) {
    const ups = upstreamKeys(down.partitions, up.partitions, mapping, k || undefined);
    if (ups === 'all') { lo.push(0); hi.push(upKeys.length - 1); continue; }
    let a = Number.POSITIVE_INFINITY;
    let b = -1;
    for (const u of ups) {
      const i = index.get(u);
      if (i !== undefined) { a = Math.min(a, i); b = Math.max(b, i); }
    }
    lo.push(b < 0 ? 0 : a);
    hi.push(b);
  }
  return { lo, hi };
}

/** 'failed': the partition's last run failed (it may still hold what an earlier run wrote). */
export type KeyState = 'missing' | 'failed' | 'stale' | 'up_to_date';

export interface PlanOptions {
  force?: boolean;
  /** run only partitions that are missing or whose last run failed: not stale ones, nor what reads a re-run partition */
  onlyFailedAndMissing?: boolean;
  only?: Record<string, string[]>;
  /** recompute these assets' selected partitions even when up to date (sources have no inputs to go stale) */
  forceAssets?: string[];
}

export interface PlannedTasks {
  asset: AssetDef;
  keys: string[];
  /** true = run, false = skip as up to date */
  run: boolean[];
  deps: Array<{ up: number; lo: number[]; hi: number[] }>;
}

/**
 * Decides which tasks run. A task runs when forced, missing, failed, stale (unless only failed
 * and missing are wanted), or when an upstream task it reads runs (its input is about to change).
 * A failed partition runs in every mode: its last run did not leave what was asked of it.
 */
export function planTasks(graph: AssetGraph, selection: Selection, states: Map<string, Map<string, KeyState>>, opts: PlanOptions): PlannedTasks[] {
  const pos = new Map(selection.map((s, i) => [s.asset.name, i]));
  const out: PlannedTasks[] = [];
  for (const { asset, keys } of selection) {
    const deps = graph.upstream(asset.name)
      .filter((d) => pos.has(d.asset.name))
      .map((d) => {
        const up = pos.get(d.asset.name)!;
        return { up, ...depRanges(asset, keys, d.asset, selection[up].keys, graph) };
      });
    const mine = states.get(asset.name);
    const only = opts.only?.[asset.name];
    const run = keys.map((k, i) => {
      if (opts.only) return only?.includes(k) ?? false;
      const state = mine?.get(k) ?? 'missing';
      if (opts.force || state === 'missing' || state === 'failed' || opts.forceAssets?.includes(asset.name)) return true;
      if (opts.onlyFailedAndMissing) return false;
      if (state === 'stale') return true;
      return deps.some((d) => { for (let j = d.lo[i]; j <= d.hi[i]; j++) if (out[d.up].run[j]) return true; return false; });
    });
    out.push({ asset, keys, run, deps });
  }
  return out;
}
