// Backfills: preview, launch, list, follow (JSON or server-sent events), pause, resume,
// cancel, re-run failed. Every body is checked here before control/backfills.ts sees it.
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import * as control from '../../control/backfills.ts';
import type { ControlContext } from '../../control/backfills.ts';
import type { BackfillDetail, BackfillPreview, BackfillSummary } from '../api-types.ts';
import type { WebContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { backfillBody, backfillId, checkBackfill, emptyBody, findAsset, limitQuery } from '../input.ts';

const DONE = new Set(['cancelled', 'completed', 'completed_with_failures']);
const SSE_INTERVAL_MS = 1_000;

export function backfillRoutes(ctx: WebContext): Hono {
  const app = new Hono();
  const need = (): ControlContext => {
    if (!ctx.control) throw new HttpError(503, 'This server has no Temporal connection, so it cannot run backfills: start it with `freshet web` or `freshet dev`.');
    return ctx.control;
  };
  const request = async (c: Context) => checkBackfill(ctx.graph, backfillBody.parse(await jsonBody(c)));
  const id = (c: Context) => backfillId.parse(c.req.param('id'));

  app.post('/preview', async (c) => {
    const req = await request(c);
    return c.json<BackfillPreview>(await control.previewBackfill(need(), req));
  });

  app.post('/', async (c) => {
    const req = await request(c);
    return c.json(await control.startBackfill(need(), req), 201);
  });

  app.get('/', async (c) => {
    const { limit } = limitQuery.parse(c.req.query());
    return c.json<{ backfills: BackfillSummary[] }>({ backfills: await control.listBackfills(need(), limit) });
  });

  app.get('/:id', async (c) => c.json<BackfillDetail>(await detail(ctx, need(), id(c))));

  app.get('/:id/partitions/:asset', async (c) => {
    const a = findAsset(ctx.graph, c.req.param('asset'), 'asset');
    return c.json(await control.backfillPartitions(need(), id(c), a.name));
  });

  // Progress pushed once a second while it changes; closes when the backfill is over.
  app.get('/:id/events', async (c) => {
    const cc = need();
    const wid = id(c);
    const first = await detail(ctx, cc, wid); // a 404 here is still a plain JSON answer
    return streamSSE(c, async (stream) => {
      let closed = false;
      stream.onAbort(() => { closed = true; });
      let last = '';
      let current: BackfillDetail = first;
      for (;;) {
        const data = JSON.stringify(current);
        if (data !== last) await stream.writeSSE({ event: 'progress', data });
        last = data;
        if (closed || DONE.has(current.status)) break;
        await stream.sleep(SSE_INTERVAL_MS);
        if (closed) break;
        try {
          current = await detail(ctx, cc, wid);
        } catch (err) {
          await stream.writeSSE({ event: 'error', data: JSON.stringify({ error: (err as Error).message }) });
          break;
        }
      }
    });
  });

  const signals = { pause: control.pauseBackfill, resume: control.resumeBackfill, cancel: control.cancelBackfill } as const;
  for (const [verb, send] of Object.entries(signals)) {
    app.post(`/:id/${verb}`, async (c) => {
      emptyBody.parse(await jsonBody(c));
      const wid = id(c);
      await send(need(), wid);
      return c.json(await detail(ctx, need(), wid));
    });
  }

  // In place while the backfill runs; once it has ended, a new backfill of what failed.
  app.post('/:id/retry-failed', async (c) => {
    emptyBody.parse(await jsonBody(c));
    const { id: next } = await control.retryFailedBackfill(need(), id(c));
    return c.json(await detail(ctx, need(), next));
  });

  return app;
}

async function detail(ctx: WebContext, cc: ControlContext, id: string): Promise<BackfillDetail> {
  const progress = await control.backfillProgress(cc, id);
  const ui = ctx.temporalUiUrl;
  return {
    ...progress,
    temporalUrl: ui ? `${ui}/namespaces/${encodeURIComponent(ctx.config.namespace)}/workflows/${encodeURIComponent(id)}` : null,
  };
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new HttpError(400, 'The body is not valid JSON.', 'body');
  }
}
