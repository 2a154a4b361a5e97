// GET /api/streams, /api/streams/:name and POST /api/streams/:name/stop|restart: the streaming
// jobs as `freshet stream status` shows them (the same control functions), each shard's metrics
// history for the job page's charts, and the two actions, checked like every other POST.
import type { Context } from 'hono';
import { Hono } from 'hono';
import { closest } from 'fastest-levenshtein';
import { restartStream, stopStream, streamHistory, streamStatus, type StreamStatus } from '../../control/streams.ts';
import { formatDuration, type AssetGraph, type StreamingAsset, type WindowSpec } from '../../core/index.ts';
import type { StreamingJob, StreamingJobDetail, StreamingJobs, StreamNode, StreamShard } from '../api-types.ts';
import type { WebContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { emptyBody, jsonBody } from '../input.ts';

export function streamRoutes(ctx: WebContext): Hono {
  const app = new Hono();
  const need = () => {
    if (!ctx.control)
      throw new HttpError(
        503,
        'This server has no Temporal connection, so it cannot see or operate streaming jobs: start it with `freshet web` or `freshet dev`.',
      );
    return ctx.control;
  };

  app.get('/', async (c) => {
    if (!ctx.control) return c.json<StreamingJobs>({ jobs: [], available: false });
    const { client, taskQueue } = ctx.control;
    const jobs = await Promise.all(ctx.graph.streams.map(async (st) => job(ctx, st, await streamStatus(client, taskQueue, st.name))));
    return c.json<StreamingJobs>({ jobs, available: true });
  });

  app.get('/:name', async (c) => {
    const st = findStream(ctx.graph, c.req.param('name'));
    const { client, taskQueue } = need();
    const [s, history] = await Promise.all([streamStatus(client, taskQueue, st.name), streamHistory(ctx.warehouse, st.name)]);
    return c.json<StreamingJobDetail>({
      ...job(ctx, st, s),
      description: st.description ?? null,
      source: st.source,
      sink: st.name,
      key: st.key,
      window: describeWindow(st.window),
      history,
    });
  });

  // Only a running job can be stopped or restarted: a signal to an ended workflow would fail
  // with Temporal's words, or worse, reach nothing the user meant.
  const actions = { stop: stopStream, restart: restartStream } as const;
  for (const [verb, send] of Object.entries(actions)) {
    app.post(`/:name/${verb}`, async (c: Context) => {
      emptyBody.parse(await jsonBody(c));
      const st = findStream(ctx.graph, c.req.param('name') ?? '');
      const { client, taskQueue } = need();
      const before = await streamStatus(client, taskQueue, st.name);
      if (!before || before.workflowStatus !== 'RUNNING') {
        throw new HttpError(
          409,
          `Streaming job '${st.name}' is not running (${before ? before.workflowStatus.toLowerCase() : 'never started'}), so there is nothing to ${verb}: start it with \`freshet stream start ${st.name}\`.`,
          'name',
        );
      }
      await send(client, taskQueue, st.name);
      return c.json<StreamingJob>(job(ctx, st, await streamStatus(client, taskQueue, st.name)), 202);
    });
  }

  return app;
}

/** Every streaming asset as the lineage graph draws it: its source stream, itself, its sink table. */
export function streamNodes(graph: AssetGraph): StreamNode[] {
  return graph.streams.map((st) => ({ name: st.name, description: st.description ?? '', source: st.source, sink: st.name }));
}

function findStream(graph: AssetGraph, name: string): StreamingAsset {
  const st = graph.streams.find((x) => x.name === name);
  if (st) return st;
  const names = graph.streams.map((x) => x.name);
  const hint = names.length ? ` Did you mean '${closest(name, names)}'?` : ' This project declares none.';
  throw new HttpError(404, `Unknown streaming asset '${name.slice(0, 100)}'.${hint}`, 'name');
}

function job(ctx: WebContext, st: StreamingAsset, s: StreamStatus | undefined): StreamingJob {
  const shards = (s?.shardsStatus ?? []).map((sh): StreamShard => ({
    shard: sh.shard ?? null,
    attempt: sh.attempt,
    phase: sh.heartbeat?.phase ?? null,
    checkpointId: sh.heartbeat?.checkpointId ?? null,
    stateKeys: sh.heartbeat?.metrics?.stateKeys ?? null,
    eventsPerSecond: sh.heartbeat?.metrics?.eventsPerSecond ?? null,
    watermarkLagMs: sh.heartbeat?.metrics?.watermarkLagMs ?? null,
    late: sh.heartbeat?.metrics?.late ?? null,
    deadLetters: sh.heartbeat?.metrics?.deadLetters ?? null,
    worker: sh.worker ?? null,
    pid: sh.heartbeat?.pid ?? null,
    lastHeartbeatAt: sh.lastHeartbeatAt ?? null,
    lastFailure: sh.lastFailure ?? null,
  }));
  const metrics = (s?.shardsStatus ?? []).map((sh) => sh.heartbeat?.metrics).filter((m) => m !== undefined);
  // Worker deaths show as activity attempts; restarts by signal are counted by the workflow.
  const crashes = shards.reduce((n, sh) => n + sh.attempt - 1, 0);
  const ui = ctx.temporalUiUrl;
  return {
    name: st.name,
    status: !s
      ? 'not started'
      : s.workflowStatus === 'RUNNING'
        ? (s.state ?? 'running (state unknown: no worker answered)')
        : s.workflowStatus.toLowerCase(),
    eventsPerSecond: metrics.reduce((n, m) => n + m.eventsPerSecond, 0),
    watermarkLagMs: metrics.length ? Math.max(...metrics.map((m) => m.watermarkLagMs)) : 0,
    lastCheckpointAt: metrics.length ? Math.min(...metrics.map((m) => m.lastCheckpointAt)) : null,
    restarts: (s?.restarts ?? 0) + crashes,
    restartsBySignal: s?.restarts ?? 0,
    sourceKind: s?.source ?? null,
    workflowId: s?.workflowId ?? null,
    workflowStatus: s?.workflowStatus ?? null,
    startedAt: s?.startedAt ?? null,
    shardCount: s?.shards ?? shards.length,
    shards,
    liveUnavailable: s?.liveUnavailable ?? null,
    temporalUrl:
      s && ui ? `${ui}/namespaces/${encodeURIComponent(ctx.config.namespace)}/workflows/${encodeURIComponent(s.workflowId)}` : null,
  };
}

function describeWindow(w: WindowSpec): string {
  const s = formatDuration;
  if (w.kind === 'tumbling') return `tumbling ${s(w.sizeMs)}`;
  if (w.kind === 'sliding') return `sliding ${s(w.sizeMs)} every ${s(w.slideMs)}`;
  return `session, gap ${s(w.gapMs)}`;
}
