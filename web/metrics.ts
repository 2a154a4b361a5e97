// The web process's own series: freshness lag per asset and the partitions of running backfills
// by state, from what the page already reads (the health cache, the backfill list). A scrape
// reuses values at most REFRESH_MS old and never waits more than WAIT_MS for new ones, so a slow
// warehouse or Temporal makes the numbers older, never the scrape hang.
import { Gauge, type Registry } from 'prom-client';
import { backfillProgress } from '../control/backfills.ts';
import { isFinalBackfillStatus, TASK_STATES } from '../contract/backfill.ts';
import type { WebContext } from './context.ts';
import { freshnessNow } from './freshness.ts';
import type { Materialization } from '../engine/index.ts';

const REFRESH_MS = 10_000;
const WAIT_MS = 3_000;

export function registerWebMetrics(ctx: WebContext, registry: Registry): void {
  const registers = [registry];
  // The lag grows with the clock: only the histories are cached, the lag is taken at each scrape.
  const histories = refreshing(async () => {
    const out = new Map<string, Materialization[] | undefined>();
    await Promise.all(
      ctx.graph.assets.map(async (a) => {
        out.set(
          a.name,
          await ctx.health(a).then(
            (h) => h.history,
            () => undefined,
          ),
        );
      }),
    );
    return out;
  });
  new Gauge({
    name: 'freshet_freshness_lag_seconds',
    help: "Now minus the time the asset's newest data reaches, as the freshness monitor judges it; no sample while its table cannot be read",
    labelNames: ['asset'],
    registers,
    async collect() {
      const byAsset = await histories();
      this.reset();
      const now = Date.now();
      for (const a of ctx.graph.assets) {
        const history = byAsset?.get(a.name);
        if (!history) continue;
        const f = freshnessNow(a, history, now);
        if (f.lagMs !== null) this.set({ asset: a.name }, f.lagMs / 1000);
      }
    },
  });
  new Gauge({
    name: 'freshet_freshness_max_lag_seconds',
    help: "The asset's freshness SLA (maxLag): alert when freshet_freshness_lag_seconds is above it",
    labelNames: ['asset'],
    registers,
    collect() {
      this.reset();
      for (const a of ctx.graph.assets) if (a.freshness) this.set({ asset: a.name }, a.freshness.maxLagMs / 1000);
    },
  });

  const running = refreshing(async () => {
    const control = ctx.control;
    if (!control) return [];
    const list = (await ctx.recentBackfills()).filter((b) => !isFinalBackfillStatus(b.status));
    return Promise.all(list.map((b) => backfillProgress(control, b.id).catch(() => undefined)));
  });
  new Gauge({
    name: 'freshet_backfill_partitions',
    help: 'Partitions of the running backfills, by asset and state (pending, running, materialized, skipped, failed, cancelled)',
    labelNames: ['asset', 'state'],
    registers,
    async collect() {
      const progress = (await running()) ?? [];
      this.reset();
      const sums = new Map<string, Record<string, number>>();
      for (const p of progress) {
        for (const a of p?.assets ?? []) {
          const sum = sums.get(a.asset) ?? Object.fromEntries(TASK_STATES.map((s) => [s, 0]));
          for (const s of TASK_STATES) sum[s] += a.counts[s] ?? 0;
          sums.set(a.asset, sum);
        }
      }
      for (const [asset, sum] of sums) for (const s of TASK_STATES) this.set({ asset, state: s }, sum[s]);
    },
  });
  new Gauge({
    name: 'freshet_backfills_running',
    help: 'Backfill workflows running on this task queue (among the 50 newest)',
    registers,
    async collect() {
      const progress = await running();
      if (progress) this.set(progress.length);
    },
  });
}

/** `read` at most once per REFRESH_MS, shared by concurrent callers; the last value when a new one takes over WAIT_MS. */
function refreshing<T>(read: () => Promise<T>): () => Promise<T | undefined> {
  let last: { at: number; value: T } | undefined;
  let inflight: Promise<T | undefined> | undefined;
  return async () => {
    if (last && Date.now() - last.at < REFRESH_MS) return last.value;
    inflight ??= read()
      .then(
        (value) => {
          last = { at: Date.now(), value };
          return value;
        },
        () => last?.value,
      )
      .finally(() => {
        inflight = undefined;
      });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), WAIT_MS);
    });
    try {
      return (await Promise.race([inflight, late])) ?? last?.value;
    } finally {
      clearTimeout(timer);
    }
  };
}
