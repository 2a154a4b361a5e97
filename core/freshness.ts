// Freshness of an asset from its newest data: fresh, at-risk (a run is due and still within
// its compute budget) or late (past the SLA). Pure. Late is about the clock; a partition whose
// inputs changed since it was computed is outdated (engine/staleness.ts), a different thing.
import type { AssetDef } from './asset.ts';
import { keyWindow } from './partitions.ts';

/** Spelled once for every process and the page: 'never' = an SLA but no data yet. */
export type FreshnessStatus = 'fresh' | 'at-risk' | 'late' | 'never' | 'no-sla';

export interface Freshness {
  asset: string;
  status: FreshnessStatus;
  /** now minus the end of the newest materialized data, ms; undefined when never materialized */
  lagMs: number | undefined;
  maxLagMs: number | undefined;
  computeBudgetMs: number | undefined;
  /** newest materialized partition key ('' when unpartitioned) */
  newest: string | undefined;
}

/** Where the newest data ends: a time partition's window end; otherwise when it was materialized. */
export function dataEnd(asset: AssetDef, newestKey: string | undefined, materializedAt: number | undefined): number | undefined {
  if (newestKey === undefined || materializedAt === undefined) return undefined;
  if (asset.partitions && asset.partitions.kind !== 'static') return keyWindow(asset.partitions, newestKey).end;
  return materializedAt;
}

/** lag <= maxLag: fresh; within maxLag + budget: at risk (the run that fixes it may still be on time); beyond: late. */
export function freshnessOf(asset: AssetDef, end: number | undefined, now: number, newest?: string): Freshness {
  const f = asset.freshness;
  const base = { asset: asset.name, maxLagMs: f?.maxLagMs, computeBudgetMs: f?.computeBudgetMs, newest };
  const lagMs = end === undefined ? undefined : Math.max(0, now - end);
  if (!f) return { ...base, status: 'no-sla', lagMs };
  if (lagMs === undefined) return { ...base, status: 'never', lagMs };
  const status = lagMs <= f.maxLagMs ? 'fresh' : lagMs <= f.maxLagMs + f.computeBudgetMs ? 'at-risk' : 'late';
  return { ...base, status, lagMs };
}
