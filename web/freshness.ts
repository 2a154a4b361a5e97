// Freshness as the monitor judges it (core's freshnessOf: fresh, at-risk, late), from the
// materializations the page already read; and the lag over time for the chart.
import { dataEnd, freshnessOf, keyWindow, type AssetDef } from '../core/index.ts';
import type { Materialization } from '../engine/index.ts';
import type { Freshness } from './api-types.ts';

/** The newest data, chosen as engine/freshness.ts does: the newest key for time partitions, else the newest commit. */
export function freshnessNow(asset: AssetDef, history: Materialization[] | undefined, now = Date.now()): Freshness {
  // no history: the table cannot be read, so its freshness is unknown (the error shows beside it)
  if (!history) return { status: 'unknown', lagMs: null, maxLagMs: asset.freshness?.maxLagMs ?? null };
  const byKey = !!asset.partitions && asset.partitions.kind !== 'static';
  let newest: { key: string; at: number } | undefined;
  for (const m of history) {
    const key = m.partition ?? '';
    if (!newest || (byKey ? key > newest.key || (key === newest.key && m.timestamp > newest.at) : m.timestamp > newest.at))
      newest = { key, at: m.timestamp };
  }
  const f = freshnessOf(asset, dataEnd(asset, newest?.key, newest?.at), now, newest?.key);
  return { status: f.status, lagMs: f.lagMs ?? null, maxLagMs: f.maxLagMs ?? null };
}

/** Time up to which a materialization's data reaches: its window's end (not after the commit), or its commit time. */
function dataTime(asset: AssetDef, m: Materialization): number {
  const p = asset.partitions;
  if (p && p.kind !== 'static' && m.partition) return Math.min(keyWindow(p, m.partition).end, m.timestamp);
  return m.timestamp;
}

/** Lag over time: it grows between commits and drops at each one that brings newer data. */
export function lagSeries(asset: AssetDef, history: Materialization[], now = Date.now(), maxPoints = 1_000): Array<[number, number]> {
  const sorted = [...history].sort((a, b) => a.timestamp - b.timestamp);
  const points: Array<[number, number]> = [];
  let newest = -Infinity;
  for (const m of sorted) {
    const t = m.timestamp;
    if (Number.isFinite(newest)) points.push([t, Math.max(0, t - newest)]);
    const d = dataTime(asset, m);
    if (d > newest) {
      newest = d;
      points.push([t, Math.max(0, t - newest)]);
    }
  }
  if (Number.isFinite(newest)) points.push([now, Math.max(0, now - newest)]);
  return points.slice(-maxPoints);
}
