// Activities of the freshness monitor: measure every asset's lag, and record late events.
import { Context } from '@temporalio/activity';
import { DEFAULT_BACKFILL_CONCURRENCY, type BackfillRequest } from '../contract/backfill.ts';
import type { FreshnessCheck, FreshnessEvent } from '../contract/freshness.ts';
import { freshnessEventPath } from '../contract/layout.ts';
import { lastCompleteKey } from '../core/index.ts';
import { freshnessReport } from '../engine/index.ts';
import type { ActivityDeps } from './materialize.ts';

export function createFreshnessActivities(deps: ActivityDeps) {
  return {
    async checkFreshness(): Promise<FreshnessCheck[]> {
      const now = Date.now();
      const report = await freshnessReport(deps.graph, deps.warehouse, now);
      return report.map((f) => {
        if (f.status !== 'late' && f.status !== 'never') return f;
        const asset = deps.graph.get(f.asset);
        const request: BackfillRequest = {
          assets: [asset.name],
          downstream: false,
          upstream: true,
          concurrency: DEFAULT_BACKFILL_CONCURRENCY,
        };
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
      Context.current().log.warn('freshness changed', { ...event });
      await deps.warehouse.put(freshnessEventPath(event.at, event.asset), JSON.stringify(event));
    },
  };
}
