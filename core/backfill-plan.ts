// Plans a backfill: which (asset, partition) tasks, in what dependency order, which to skip.
// Pure: the caller supplies each partition's state (missing, failed, outdated, up to date).
import type { AssetDef } from './asset.ts';
import type { AssetGraph } from './graph.ts';
import { upstreamKeys, upstreamWindow } from './mappings.ts';
import {
  allKeys,
  completeUntil,
  countKeys,
  countOverlapping,
  keysBetween,
  keyStart,
  keysOverlapping,
  keyWindow,
  lastCompleteKey,
  PartitionKeyError,
  shiftKey,
  windowSlice,
  type Partitions,
  type TimePartitions,
} from './partitions.ts';

export class BackfillRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The most (asset, partition) tasks one backfill may plan, for the CLI, the API and the workflow
 * alike: 10,000 daily partitions of a 5-asset chain, with room. It bounds the time a plan takes
 * (seconds) and the work the workflow does per completed batch; the plan's size in bytes has its
 * own limit, MAX_PLAN_BYTES. A longer backfill is split into ranges.
 */
export const MAX_BACKFILL_PARTITIONS = 60_000;

/**
 * The most bytes a plan may take as JSON. It travels through Temporal as one payload (each key,
 * one state char per key, and per upstream its index ranges as runs: about 14 bytes a task with
 * daily keys), Temporal refuses payloads over 2 MB, and when the workflow continues as new the
 * plan goes with the task states and the newest failures.
 */
export const MAX_PLAN_BYTES = 1_500_000;

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

/** Keys counted before they are listed, so a range of millions is refused before any key is made. */
interface Keys {
  count: number;
  list(): string[];
}

const listed = (keys: string[]): Keys => ({ count: keys.length, list: () => keys });

/**
 * The tasks a backfill considers: the selected assets (and downstream) over the range, and with
 * `upstream` the partitions they read. Time ranges end at the newest complete partition, and
 * the whole selection at MAX_BACKFILL_PARTITIONS tasks.
 */
export function selectTasks(graph: AssetGraph, req: SelectionRequest, now: number): Selection {
  if (req.assets.length === 0) throw new BackfillRequestError('assets', 'Select at least one asset.');
  for (const name of req.assets) {
    if (!graph.has(name)) {
      try {
        graph.get(name);
      } catch (err) {
        throw new BackfillRequestError('assets', (err as Error).message);
      }
    }
  }
  if ((req.from === undefined) !== (req.to === undefined))
    throw new BackfillRequestError(
      req.from === undefined ? 'from' : 'to',
      'Give both ends of the partition range (from and to), or neither for every partition.',
    );
  const chosen = req.downstream ? graph.withDownstream(req.assets) : new Set(req.assets);
  const anchor = graph.get(req.assets[0]).partitions;
  const ranges = graph.assets.filter((a) => chosen.has(a.name)).map((a) => ({ asset: a, keys: rangeKeys(a, anchor, req, now) }));
  const total = ranges.reduce((n, r) => n + r.keys.count, 0);
  if (total > MAX_BACKFILL_PARTITIONS)
    throw tooMany(
      total,
      ranges.map((r) => [r.asset.name, r.keys.count]),
      anchor,
      req,
      now,
    );
  const keys = new Map<string, Set<string>>(ranges.map((r) => [r.asset.name, new Set(r.keys.list())]));
  if (req.upstream) addUpstream(graph, keys, total, now);
  return graph.assets.filter((a) => keys.has(a.name)).map((a) => ({ asset: a, keys: sortKeys(a.partitions, [...keys.get(a.name)!]) }));
}

/** Walks upward from the selection: each ancestor gets the partitions its readers map to. */
function addUpstream(graph: AssetGraph, keys: Map<string, Set<string>>, selected: number, now: number): void {
  let total = selected;
  const over = () =>
    new BackfillRequestError(
      'to',
      `With the upstream partitions it reads, this backfill would plan more than ${fmt(MAX_BACKFILL_PARTITIONS)} partitions, the most one backfill may plan: split the range into shorter ones.`,
    );
  // A list longer than the limit on its own is refused before it is made.
  const fits = (count: number) => {
    if (count > MAX_BACKFILL_PARTITIONS) throw over();
  };
  const grow = (set: Set<string>, add: Iterable<string>) => {
    const before = set.size;
    for (const k of add) set.add(k);
    total += set.size - before;
    if (total > MAX_BACKFILL_PARTITIONS) throw over();
  };
  for (const a of [...graph.assets].reverse()) {
    const mine = keys.get(a.name);
    if (!mine) continue;
    for (const { asset: up, mapping } of graph.upstream(a.name)) {
      let set = keys.get(up.name);
      if (!set) keys.set(up.name, (set = new Set()));
      const [down, def] = [a.partitions, up.partitions];
      if (!def) {
        grow(set, ['']);
        continue;
      }
      if (def.kind !== 'static' && down && down.kind !== 'static' && mapping.kind !== 'all') {
        // Neighbouring keys read overlapping windows: list each merged span once, not per key.
        for (const { start, end } of mergedWindows([...mine].map((k) => upstreamWindow(down, k, mapping)))) {
          const stop = Math.min(end, completeUntil(def, now));
          fits(countOverlapping(def, start, stop));
          grow(set, keysOverlapping(def, start, stop));
        }
        continue;
      }
      for (const k of mine) {
        const ups = upstreamKeys(down, def, mapping, k || undefined);
        if (ups !== 'all') {
          grow(set, ups);
          continue;
        }
        fits(countKeys(def, now));
        grow(set, allKeys(def, now));
        break; // every key of the upstream is in already
      }
    }
  }
}

function mergedWindows(windows: Array<{ start: number; end: number }>): Array<{ start: number; end: number }> {
  const sorted = windows.sort((x, y) => x.start - y.start);
  const out: Array<{ start: number; end: number }> = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push({ ...w });
  }
  return out;
}

function sortKeys(def: Partitions | undefined, keys: string[]): string[] {
  if (def?.kind === 'static') return def.keys.filter((k) => keys.includes(k));
  return keys.sort();
}

function rangeKeys(a: AssetDef, anchor: Partitions | undefined, req: SelectionRequest, now: number): Keys {
  const def = a.partitions;
  if (!def) return listed(['']);
  if (req.latest) {
    if (def.kind === 'static') return listed(allKeys(def, now));
    const last = lastCompleteKey(def, now);
    return listed(last === undefined ? [] : [last]);
  }
  if (req.from === undefined || req.to === undefined) return { count: countKeys(def, now), list: () => allKeys(def, now) };
  try {
    if (def.kind === 'static') return listed(anchor?.kind === 'static' ? keysBetween(def, req.from, req.to) : allKeys(def, now));
    // A time range is read on the first selected asset's grid and mapped by time onto this one's.
    const grid = anchor && anchor.kind !== 'static' ? anchor : def;
    const start = keyStart(grid, req.from);
    if (keyStart(grid, req.to) < start) throw new PartitionKeyError(`Partition range is reversed: '${req.from}' comes after '${req.to}'.`);
    checkComplete(grid, req.to, now);
    // Each asset's own newest complete window bounds it too: an hourly range ending at 10:00 today does not reach today's daily partition.
    const end = Math.min(keyWindow(grid, req.to).end, completeUntil(def, now));
    return { count: countOverlapping(def, start, end), list: () => keysOverlapping(def, start, end) };
  } catch (err) {
    if (err instanceof PartitionKeyError) {
      const field = /reversed/.test(err.message) || err.message.includes(`'${req.to}'`) ? 'to' : 'from';
      throw new BackfillRequestError(field, err.message);
    }
    throw err;
  }
}

/** A range may not reach past the newest complete partition: later ones have no data yet, and 9999-12-31 is millions of keys. */
function checkComplete(grid: TimePartitions, to: string, now: number): void {
  const last = lastCompleteKey(grid, now);
  if (last === undefined) {
    throw new BackfillRequestError(
      'to',
      `No ${grid.kind} partition is complete yet: the first, '${grid.start}', ends at ${new Date(keyWindow(grid, grid.start).end).toISOString()}.`,
    );
  }
  if (keyStart(grid, to) > keyStart(grid, last)) {
    throw new BackfillRequestError(
      'to',
      `Partition '${to}' is not complete yet: the newest complete ${grid.kind} partition is '${last}'. End the range at '${last}' or earlier.`,
    );
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The limit, what went over it, and a first range that fits. */
function tooMany(
  total: number,
  perAsset: Array<[string, number]>,
  anchor: Partitions | undefined,
  req: SelectionRequest,
  now: number,
): BackfillRequestError {
  const what = `This backfill would plan ${fmt(total)} partitions (${perAsset.map(([n, c]) => `${n} ${fmt(c)}`).join(', ')}), more than the ${fmt(MAX_BACKFILL_PARTITIONS)} one backfill may plan.`;
  return splitError(what, MAX_BACKFILL_PARTITIONS / total, anchor, req, now);
}

/** A plan of `bytes` is over MAX_PLAN_BYTES: the limit, and a first range that fits. */
export function planTooLarge(graph: AssetGraph, req: SelectionRequest, now: number, bytes: number): BackfillRequestError {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const what = `This backfill's plan would take ${mb(bytes)} MB, mostly its partition keys, more than the ${mb(MAX_PLAN_BYTES)} MB one backfill may carry through Temporal.`;
  return splitError(what, MAX_PLAN_BYTES / bytes, graph.get(req.assets[0]).partitions, req, now);
}

/** `what` went over a limit by 1 / `share`: a first range of the anchor's keys that fits, or how to cut a selection without one. */
function splitError(what: string, share: number, anchor: Partitions | undefined, req: SelectionRequest, now: number): BackfillRequestError {
  const field = req.from !== undefined ? 'to' : 'from';
  const from = anchor && anchor.kind !== 'static' ? (req.from ?? anchor.start) : undefined;
  const last = anchor && anchor.kind !== 'static' ? (req.to ?? lastCompleteKey(anchor, now)) : undefined;
  if (!anchor || anchor.kind === 'static' || from === undefined || last === undefined) {
    return new BackfillRequestError(field, `${what} Select fewer assets, or split the selection into several backfills.`);
  }
  const anchorKeys = (keyStart(anchor, last) - keyStart(anchor, from)) / (keyWindow(anchor, from).end - keyStart(anchor, from)) + 1;
  // Tasks and bytes grow with the anchor's keys (downstream grids round a little): a 2% margin keeps the first range under the limit.
  const per = Math.max(1, Math.floor(anchorKeys * share * 0.98));
  const firstTo = shiftKey(anchor, from, per - 1);
  return new BackfillRequestError(
    field,
    `${what} Split the range into backfills of at most ${fmt(per)} ${anchor.kind} partitions: from '${from}' to '${firstTo}', then from '${shiftKey(anchor, firstTo, 1)}' on.`,
  );
}

/** Index ranges of the upstream keys each key reads, within the upstream's planned keys. */
export function depRanges(
  down: AssetDef,
  downKeys: string[],
  up: AssetDef,
  upKeys: string[],
  graph: AssetGraph,
): { lo: number[]; hi: number[] } {
  const mapping = graph.upstream(down.name).find((d) => d.asset.name === up.name)!.mapping;
  const lo: number[] = [];
  const hi: number[] = [];
  const [dp, upDef] = [down.partitions, up.partitions];
  if (dp && dp.kind !== 'static' && upDef && upDef.kind !== 'static' && mapping.kind !== 'all') {
    // Time keys sort as they run, so each window's keys are one slice found by bisection,
    // whatever its width (lookback(720) on hourly keys would be 720 keys listed per task).
    for (const k of downKeys) {
      const [a, b] = windowSlice(upDef, upKeys, upstreamWindow(dp, k, mapping));
      lo.push(b < a ? 0 : a);
      hi.push(b < a ? -1 : b);
    }
    return { lo, hi };
  }
  const index = new Map(upKeys.map((k, i) => [k, i]));
  for (const k of downKeys) {
    const ups = upstreamKeys(dp, upDef, mapping, k || undefined);
    if (ups === 'all') {
      lo.push(0);
      hi.push(upKeys.length - 1);
      continue;
    }
    let a = Number.POSITIVE_INFINITY;
    let b = -1;
    for (const u of ups) {
      const i = index.get(u);
      if (i !== undefined) {
        a = Math.min(a, i);
        b = Math.max(b, i);
      }
    }
    lo.push(b < 0 ? 0 : a);
    hi.push(b);
  }
  return { lo, hi };
}

/** 'failed': the partition's last run failed (it may still hold what an earlier run wrote). */
export type KeyState = 'missing' | 'failed' | 'outdated' | 'up_to_date';

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
 * Decides which tasks run. A task runs when forced, missing, failed, outdated (unless only failed
 * and missing are wanted), or when an upstream task it reads runs (its input is about to change).
 * A failed partition runs in every mode: its last run did not leave what was asked of it.
 */
export function planTasks(
  graph: AssetGraph,
  selection: Selection,
  states: Map<string, Map<string, KeyState>>,
  opts: PlanOptions,
): PlannedTasks[] {
  const pos = new Map(selection.map((s, i) => [s.asset.name, i]));
  const out: PlannedTasks[] = [];
  for (const { asset, keys } of selection) {
    const deps = graph
      .upstream(asset.name)
      .filter((d) => pos.has(d.asset.name))
      .map((d) => {
        const up = pos.get(d.asset.name)!;
        return { up, ...depRanges(asset, keys, d.asset, selection[up].keys, graph) };
      });
    const mine = states.get(asset.name);
    // A Set: a list searched per key took 34 s for a re-run of 20,000 partitions.
    const only = opts.only ? new Set(opts.only[asset.name] ?? []) : undefined;
    const run = keys.map((k, i) => {
      if (only) return only.has(k);
      const state = mine?.get(k) ?? 'missing';
      if (opts.force || state === 'missing' || state === 'failed' || opts.forceAssets?.includes(asset.name)) return true;
      if (opts.onlyFailedAndMissing) return false;
      if (state === 'outdated') return true;
      return deps.some((d) => {
        for (let j = d.lo[i]; j <= d.hi[i]; j++) if (out[d.up].run[j]) return true;
        return false;
      });
    });
    out.push({ asset, keys, run, deps });
  }
  return out;
}
