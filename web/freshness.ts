// Lag (age of the newest data) from the materializations, for the graph colors and the chart.
// The status (fresh / at-risk / stale) is the freshness monitor's call (schedules/); until it
// reports, the page says 'unknown' rather than guess with a rule of its own.
import { keyWindow, type AssetDef } from '../core/index.ts';
import type { Materialization } from '../engine/index.ts';
import type { Freshness } from './api-types.ts';

/** Time up to which a materialization's data reaches: its window's end, or its commit time. */
function dataTime(asset: AssetDef, m: Materialization): number {
  const p = asset.partitions;
  if (p && p.kind !== 'static' && m.partition) return Math.min(keyWindow(p, m.partition).end, m.timestamp);
  return m.timestamp;
}

export function freshnessOf(asset: AssetDef, latest: Map<string, Materialization>, now = Date.now()): Freshness {
  let newest = -Infinity;
  for (const m of latest.values()) newest = Math.max(newest, dataTime(asset, m));
  return {
    status: 'unknown',
    lagMs: Number.isFinite(newest) ? Math.max(0, now - newest) : null,
    maxLagMs: asset.freshness?.maxLagMs ?? null,
  };
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
