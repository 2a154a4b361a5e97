// Activities of the freshness monitor: measure every asset's lag, and record stale events.
import { FRESHNESS_EVENTS_PREFIX, lastCompleteKey, type Freshness } from '../core/index.ts';
import { freshnessReport } from '../engine/index.ts';
import type { BackfillRequest } from '../workflows/backfill-types.ts';
import type { ActivityDeps } from './materialize.ts';

export interface FreshnessCheck extends Freshness {
  /** for a stale asset: the run that brings it back (newest partitions missed, upstream included) */
  catchUp?: BackfillRequest;
}

export interface FreshnessEvent {
  at: number;
  asset: string;
  from: string;
  to: string;
  lagMs: number | undefined;
  catchUpWorkflowId?: string;
}


export function createFreshnessActivities(deps: ActivityDeps) {
  return {
    async checkFreshness(): Promise<FreshnessCheck[]> {
      const now = Date.now();
      const report = await freshnessReport(deps.graph, deps.warehouse, now);
      return report.map((f) => {
        if (f.status !== 'stale' && f.status !== 'never') return f;
        const asset = deps.graph.get(f.asset);
        const request: BackfillRequest = { assets: [asset.name], downstream: false, upstream: true, concurrency: 4 };
        const def = asset.partitions;
        if (def && def.kind !== 'static') {
          // Everything after the newest materialized partition, up to the newest complete one.
          const last = lastCompleteKey(def, now);
          if (last === undefined) return f;
          const first = f.newest || last;
          return { ...f, catchUp: { ...request, from: first > last ? last : first, to: last } };
        }
        return { ...f, catchUp: { ...request, latest: true } };
      });
    },

    /** One object per event under the warehouse's _freshet/ folder, plus a structured log line. */
    async recordFreshnessEvent(event: FreshnessEvent): Promise<void> {
      console.log(JSON.stringify({ level: 'warn', msg: 'freshness changed', ...event }));
      const name = `${FRESHNESS_EVENTS_PREFIX}${new Date(event.at).toISOString().replace(/[:.]/g, '-')}-${event.asset}.json`;
      await deps.warehouse.put(name, JSON.stringify(event));
    },
  };
}
