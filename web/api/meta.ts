// GET /api/info, /api/schedules: what the server is connected to, every asset's SLA, schedule
// and freshness with the stale events. (The streaming jobs are in streams.ts.)
import { Hono } from 'hono';
import type { Info, ScheduleRow, Schedules } from '../api-types.ts';
import type { WebContext } from '../context.ts';
import { freshnessNow } from '../freshness.ts';
import { outdatedCount, unreadable } from '../health.ts';
import { allSchedules, monitorRunning, staleEvents } from '../schedules.ts';

export function metaRoutes(ctx: WebContext): Hono {
  const app = new Hono();

  app.get('/info', (c) =>
    c.json<Info>({
      namespace: ctx.config.namespace,
      taskQueue: ctx.config.taskQueue,
      temporalUiUrl: ctx.temporalUiUrl,
      // the kind only: a warehouse URI can carry credentials
      warehouse: /^s3a?:\/\//.test(ctx.config.warehouse) ? 's3' : 'local',
      backfills: ctx.control !== undefined,
    }),
  );

  app.get('/schedules', async (c) => {
    const [schedules, events, running] = await Promise.all([allSchedules(ctx), staleEvents(ctx), monitorRunning(ctx)]);
    const assets = await Promise.all(
      ctx.graph.assets.map(async (a): Promise<ScheduleRow> => {
        const row = {
          asset: a.name,
          sla: a.freshness ? { maxLagMs: a.freshness.maxLagMs, computeBudgetMs: a.freshness.computeBudgetMs } : null,
          schedule: schedules.get(a.name) ?? null,
        };
        // One unreadable table shows on its own row; the others answer as usual.
        return ctx.health(a).then(
          (h) => ({ ...row, freshness: freshnessNow(a, h.history), outdated: outdatedCount(h) }),
          (err: unknown) => ({
            ...row,
            freshness: freshnessNow(a, undefined),
            outdated: 0,
            error: unreadable(ctx, err),
          }),
        );
      }),
    );
    return c.json<Schedules>({ assets, staleEvents: events, monitorRunning: running });
  });

  return app;
}
