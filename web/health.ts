// Each partition's health for the grid: materialized, outdated, missing, failed from the Delta logs
// and failure records (engine/staleness), running and failed from the backfills that touch the asset.
import { failureRecordsPrefix } from '../contract/failure-records.ts';
import { isFinalBackfillStatus } from '../contract/backfill.ts';
import type { AssetDef } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { assetTable, latestByPartition, materializations, partitionStates, type Materialization } from '../engine/index.ts';
import { HEALTH_STATES, type HealthState, type PartitionSummary } from './api-types.ts';
import { backfillPartitions } from '../control/backfills.ts';
import type { WebContext } from './context.ts';
import { checkedPartitionKeys } from './keys.ts';

const CODE = Object.fromEntries(HEALTH_STATES.map((s, i) => [s, i])) as Record<HealthState, number>;
/** closed backfills whose failures still show on the grid (each is queried once: a replay) */
const RECENT_CLOSED = 5;

export interface AssetHealth {
  asset: AssetDef;
  /** partition keys in order; [''] for an unpartitioned asset */
  keys: string[];
  /** one HEALTH_STATES code per key */
  codes: Uint8Array;
  /** the codes from the logs alone, before running and failed are laid over them */
  logCodes: Uint8Array;
  reasons: Map<string, string>;
  latest: Map<string, Materialization>;
  history: Materialization[];
  /** what the states from the logs depend on: the keys and the versions of the asset and its upstreams */
  stamp: string;
}

/** Health from the logs, recomputed only when a table it depends on has a new version or a
 * failure record changed, then running and failed laid over it from the backfills (those
 * change without a commit). */
export async function computeHealth(ctx: WebContext, asset: AssetDef, previous?: AssetHealth): Promise<AssetHealth> {
  const keys = checkedPartitionKeys(asset.partitions);
  const ups = ctx.graph.upstream(asset.name).map((u) => u.asset.name);
  const own = (await loadSnapshot(assetTable(ctx.warehouse, asset.name)))?.version ?? -1;
  // An unreadable upstream is the upstream's error (shown on its card); here its partitions read as outdated, with the reason.
  const versions = [
    own,
    ...(await Promise.all(
      ups.map(async (t) => (await loadSnapshot(assetTable(ctx.warehouse, t)).catch(() => undefined))?.version ?? 'unreadable'),
    )),
  ];
  const failures = await ctx.warehouse.list(failureRecordsPrefix(asset.name));
  const stamp = `${keys.length}:${keys[keys.length - 1]}:${versions.join(',')}:${failures.length}:${failures.reduce((m, f) => Math.max(m, f.modified), 0)}`;
  const base = previous?.stamp === stamp ? previous : await fromLogs(ctx, asset, keys, stamp);
  const codes = base.logCodes.slice();
  await overlayBackfills(ctx, asset, keys, codes, base.latest);
  return { ...base, codes };
}

async function fromLogs(ctx: WebContext, asset: AssetDef, keys: string[], stamp: string): Promise<AssetHealth> {
  const history = await materializations(assetTable(ctx.warehouse, asset.name));
  const latest = latestByPartition(history);
  const codes = new Uint8Array(keys.length);
  const reasons = new Map<string, string>();
  const byKey = await partitionStates(ctx.graph, ctx.warehouse, asset.name, keys);
  keys.forEach((k, i) => {
    const s = byKey.get(k);
    codes[i] =
      s?.state === 'up_to_date'
        ? CODE.materialized
        : s?.state === 'outdated'
          ? CODE.outdated
          : s?.state === 'failed'
            ? CODE.failed
            : CODE.missing;
    if (s?.reason) reasons.set(k, s.reason);
  });
  return { asset, keys, codes, logCodes: codes, reasons, latest, history, stamp };
}

/** Partitions whose inputs changed since computed, from the logs' own states (running laid over
 * would hide them): one pass over a byte per partition, cheap for 100,000. */
export function outdatedCount(h: AssetHealth): number {
  let n = 0;
  for (const code of h.logCodes) if (code === CODE.outdated) n++;
  return n;
}

/** Marks partitions running in an active backfill, and failed where a backfill's last try failed. */
async function overlayBackfills(
  ctx: WebContext,
  asset: AssetDef,
  keys: string[],
  codes: Uint8Array,
  latest: Map<string, Materialization>,
): Promise<void> {
  if (!ctx.control) return;
  let list;
  try {
    list = await ctx.recentBackfills();
  } catch {
    return; // Temporal unreachable: the grid still shows what the logs say
  }
  const index = new Map(keys.map((k, i) => [k, i]));
  const mine = list.filter((b) => touches(ctx, b.request.assets ?? [], b.request.downstream, asset.name));
  const relevant = [
    ...mine.filter((b) => !isFinalBackfillStatus(b.status)),
    ...mine.filter((b) => isFinalBackfillStatus(b.status)).slice(0, RECENT_CLOSED),
  ].sort((a, b) => a.startedAt - b.startedAt); // oldest first, so newer backfills win
  for (const b of relevant) {
    const active = !isFinalBackfillStatus(b.status);
    const parts = await cachedPartitions(ctx, b.id, asset.name, !active);
    if (!parts) continue;
    parts.keys.forEach((k, j) => {
      const i = index.get(k);
      if (i === undefined) return;
      const s = parts.states[j];
      if (s === 'running' && active) codes[i] = CODE.running;
      else if (s === 'failed' && (latest.get(k)?.timestamp ?? 0) < b.startedAt) codes[i] = CODE.failed;
    });
  }
}

function touches(ctx: WebContext, selected: string[], downstream: boolean, name: string): boolean {
  if (selected.includes(name)) return true;
  return downstream && ctx.graph.withDownstream(selected).has(name);
}

/** A closed backfill's states never change: query it once (a query on a closed workflow replays it). */
async function cachedPartitions(ctx: WebContext, id: string, asset: string, closed: boolean) {
  const key = `${id}\u0000${asset}`;
  const hit = ctx.closedPartitions.get(key);
  if (hit) return hit;
  try {
    const parts = await backfillPartitions(ctx.control!, id, asset);
    if (closed) ctx.closedPartitions.set(key, parts);
    return parts;
  } catch {
    return undefined;
  }
}

/**
 * Why an asset's table cannot be read, for pages that list every asset: the warehouse's own
 * location (a server path, or a bucket) is left out, the path inside it kept.
 */
export function unreadable(ctx: WebContext, err: unknown): string {
  return `Its table cannot be read: ${withinWarehouse(ctx, err instanceof Error ? err.message : String(err))}`;
}

/** `text` with the warehouse's location cut from the paths in it (`/srv/wh/clicks/_delta_log/…` → `clicks/_delta_log/…`). */
export function withinWarehouse(ctx: WebContext, text: string): string {
  const root = ctx.warehouse.uri.replace(/\/+$/, '');
  return text.split(`${root}/`).join('').split(root).join('the warehouse');
}

/** Run-length encodes the states: 100,000 mostly-alike partitions become a handful of runs. */
export function summarize(h: AssetHealth): PartitionSummary {
  const counts = Object.fromEntries(HEALTH_STATES.map((s) => [s, 0])) as Record<HealthState, number>;
  const runs: Array<[number, number]> = [];
  for (const c of h.codes) {
    counts[HEALTH_STATES[c]]++;
    const last = runs[runs.length - 1];
    if (last && last[0] === c) last[1]++;
    else runs.push([c, 1]);
  }
  const p = h.asset.partitions;
  return {
    asset: h.asset.name,
    kind: p ? p.kind : 'none',
    total: h.keys.length,
    first: p ? (h.keys[0] ?? null) : null,
    last: p ? (h.keys[h.keys.length - 1] ?? null) : null,
    ...(p?.kind === 'static' ? { keys: h.keys } : {}),
    counts,
    runs,
  };
}

export function stateOf(h: AssetHealth, key: string): HealthState | undefined {
  const i = h.keys.indexOf(key);
  return i < 0 ? undefined : HEALTH_STATES[h.codes[i]];
}
