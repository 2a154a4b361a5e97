// GET /api/info, /api/schedules, /api/streams: what the server is connected to, every asset's
// SLA and freshness, the streaming jobs. Schedules and streaming status come from modules that
// are still being written (schedules/, the streaming supervisor's query): until they exist the
// answers say so (`monitorAvailable`, `available`) rather than invent values.
import { Hono } from 'hono';
import type { Info, Schedules, StreamingJobs } from '../api-types.ts';
import type { WebContext } from '../context.ts';
import { freshnessOf } from '../freshness.ts';

export function metaRoutes(ctx: WebContext): Hono {
  const app = new Hono();

  app.get('/info', (c) => c.json<Info>({
    namespace: ctx.config.namespace,
    taskQueue: ctx.config.taskQueue,
    temporalUiUrl: ctx.temporalUiUrl,
    // the kind only: a warehouse URI can carry credentials
    warehouse: /^s3a?:\/\//.test(ctx.config.warehouse) ? 's3' : 'local',
    backfills: ctx.control !== undefined,
  }));

  app.get('/schedules', async (c) => {
    const assets = await Promise.all(ctx.graph.assets.map(async (a) => {
      const h = await ctx.health(a);
      return {
        asset: a.name,
        sla: a.freshness ? { maxLagMs: a.freshness.maxLagMs, computeBudgetMs: a.freshness.computeBudgetMs } : null,
        schedule: null,
        freshness: freshnessOf(a, h.latest),
      };
    }));
    return c.json<Schedules>({ assets, staleEvents: [], monitorAvailable: false });
  });

  app.get('/streams', (c) => c.json<StreamingJobs>({ jobs: [], available: false }));

  return app;
}
