// GET /api/info, /api/schedules, /api/streams: what the server is connected to, every asset's
// SLA, schedule and freshness with the stale events, the streaming jobs. Streaming status comes
// from the supervisor's query, not written yet: until then the answer says so (`available`).
import { Hono } from 'hono';
import type { Info, Schedules, StreamingJobs } from '../api-types.ts';
import type { WebContext } from '../context.ts';
import { freshnessNow } from '../freshness.ts';
import { allSchedules, monitorRunning, staleEvents } from '../schedules.ts';

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
    const [schedules, events, running] = await Promise.all([allSchedules(ctx), staleEvents(ctx), monitorRunning(ctx)]);
    const assets = await Promise.all(ctx.graph.assets.map(async (a) => ({
      asset: a.name,
      sla: a.freshness ? { maxLagMs: a.freshness.maxLagMs, computeBudgetMs: a.freshness.computeBudgetMs } : null,
      schedule: schedules.get(a.name) ?? null,
      freshness: freshnessNow(a, (await ctx.health(a)).history),
    })));
    return c.json<Schedules>({ assets, staleEvents: events, monitorRunning: running });
  });

  app.get('/streams', (c) => c.json<StreamingJobs>({ jobs: [], available: false }));

  return app;
}
