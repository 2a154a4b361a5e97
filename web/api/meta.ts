// GET /api/info, /api/schedules, /api/streams: what the server is connected to, every asset's
// SLA, schedule and freshness with the stale events, the streaming jobs. Streaming status comes
// from the supervisor workflow's query and its shards' heartbeats (`available` is false without a client).
import { Hono } from 'hono';
import { streamStatus } from '../../control/streams.ts';
import type { Info, ScheduleRow, Schedules, StreamingJob, StreamingJobs } from '../api-types.ts';
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

  app.get('/streams', async (c) => {
    if (!ctx.control) return c.json<StreamingJobs>({ jobs: [], available: false });
    const { client, taskQueue } = ctx.control;
    const jobs: StreamingJob[] = [];
    for (const st of ctx.graph.streams) {
      const s = await streamStatus(client, taskQueue, st.name);
      if (!s) continue;
      // Worker deaths show as activity attempts; restarts by signal are counted by the workflow.
      const crashes = s.shardsStatus.reduce((n, sh) => n + sh.attempt - 1, 0);
      const metrics = s.shardsStatus.map((sh) => sh.heartbeat?.metrics).filter((m) => m !== undefined);
      jobs.push({
        name: st.name,
        status: s.workflowStatus === 'RUNNING' ? s.state : s.workflowStatus.toLowerCase(),
        eventsPerSecond: metrics.reduce((n, m) => n + m.eventsPerSecond, 0),
        watermarkLagMs: metrics.length ? Math.max(...metrics.map((m) => m.watermarkLagMs)) : 0,
        lastCheckpointAt: metrics.length ? Math.min(...metrics.map((m) => m.lastCheckpointAt)) : null,
        restarts: s.restarts + crashes,
      });
    }
    return c.json<StreamingJobs>({ jobs, available: true });
  });

  return app;
}
