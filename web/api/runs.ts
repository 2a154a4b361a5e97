// GET /api/runs (every materialization attempt, those running now first, filtered and paged), a partition's history of
// attempts and one attempt's log lines; read through engine/runs.ts, as `freshet logs` reads them.
import { Hono } from 'hono';
import { z } from 'zod';
import { isAttemptLogPath, RUN_STATUSES, RUN_TRIGGERS, type RunRow, type RunStatus, type RunTrigger } from '../../contract/runs.ts';
import { runningAttempts } from '../../control/runs.ts';
import { partitionRuns, readAttemptLog, runsPage } from '../../engine/index.ts';
import type { PartitionHistory, RunList, RunLogResponse } from '../api-types.ts';
import type { WebContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { checkPartitionKey, findAsset } from '../input.ts';

const pageQuery = {
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
};

const listQuery = z.object({
  ...pageQuery,
  asset: z.string().max(200).optional(),
  status: z.enum(RUN_STATUSES as [RunStatus, ...RunStatus[]]).optional(),
  trigger: z.enum(RUN_TRIGGERS as [RunTrigger, ...RunTrigger[]]).optional(),
});

const historyQuery = z.object({ ...pageQuery, key: z.string().max(1000).default('') });

export function runRoutes(ctx: WebContext): Hono {
  const app = new Hono();
  const link = temporalLink(ctx);

  app.get('/', async (c) => {
    const q = listQuery.parse(c.req.query());
    const assets = q.asset !== undefined ? [findAsset(ctx.graph, q.asset, 'asset')] : ctx.graph.assets;
    // attempts running now are Temporal's to tell: none without a client
    const temporal = q.status === undefined || q.status === 'running' ? ctx.control : undefined;
    const [sources, running] = await Promise.all([
      Promise.all(assets.map(async (a) => ({ asset: a.name, history: (await ctx.health(a)).history }))),
      temporal ? runningAttempts(temporal.client, temporal.taskQueue) : [],
    ]);
    const filter = { asset: q.asset, status: q.status, trigger: q.trigger };
    const page = await runsPage(ctx.warehouse, sources, filter, q.offset, q.limit, running);
    return c.json<RunList>({ ...page, runs: page.runs.map((r) => ({ ...r, temporalUrl: link(r) })) });
  });

  app.get('/:asset/history', async (c) => {
    const a = findAsset(ctx.graph, c.req.param('asset'), 'asset');
    const q = historyQuery.parse(c.req.query());
    const key = a.partitions ? checkPartitionKey(a, q.key) : '';
    const page = await partitionRuns(ctx.warehouse, { asset: a.name, history: (await ctx.health(a)).history }, key, q.offset, q.limit);
    return c.json<PartitionHistory>({ asset: a.name, key, ...page, runs: page.runs.map((r) => ({ ...r, temporalUrl: link(r) })) });
  });

  app.get('/:asset/log', async (c) => {
    const a = findAsset(ctx.graph, c.req.param('asset'), 'asset');
    const path = c.req.query('path') ?? '';
    // Only this asset's log objects: the path comes from the page, and the warehouse holds more than logs.
    if (!isAttemptLogPath(a.name, path)) throw new HttpError(400, `path: not a log object of asset '${a.name}'`, 'path');
    const log = await readAttemptLog(ctx.warehouse, path);
    if (!log) throw new HttpError(404, `No log was kept at ${path} (logs are written after the attempt, best-effort).`, 'path');
    return c.json<RunLogResponse>(log);
  });

  return app;
}

/** The Temporal UI's page of the very run that made an attempt. */
function temporalLink(ctx: WebContext): (r: RunRow) => string | null {
  const ui = ctx.temporalUiUrl?.replace(/\/+$/, '');
  const ns = encodeURIComponent(ctx.config.namespace);
  return (r) =>
    ui && r.workflowId && r.runId
      ? `${ui}/namespaces/${ns}/workflows/${encodeURIComponent(r.workflowId)}/${encodeURIComponent(r.runId)}/history`
      : null;
}
