// Backfills: preview, launch, list, follow (JSON or server-sent events), pause, resume,
// cancel, re-run failed. Every body is checked here before control/backfills.ts sees it.
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import * as control from '../../control/backfills.ts';
import type { ControlContext } from '../../control/backfills.ts';
import { isFinalBackfillStatus, type BackfillDetail, type BackfillPreview, type BackfillSummary } from '../api-types.ts';
import type { WebContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { createFeeds } from '../progress-feed.ts';
import { backfillBody, backfillId, checkBackfill, emptyBody, findAsset, jsonBody, limitQuery, pathParam, retryBody } from '../input.ts';

const SSE_INTERVAL_MS = 1_000;
/** progress streams one client address may hold open (a browser opens at most 6 per site anyway) */
export const MAX_STREAMS_PER_CLIENT = 16;

export function backfillRoutes(ctx: WebContext): Hono {
  const app = new Hono();
  const need = (): ControlContext => {
    if (!ctx.control)
      throw new HttpError(
        503,
        'This server has no Temporal connection, so it cannot run backfills: start it with `freshet web` or `freshet dev`.',
      );
    return ctx.control;
  };
  const request = async (c: Context) => checkBackfill(ctx.graph, backfillBody.parse(await jsonBody(c)));
  const id = (c: Context) => pathParam(backfillId, c.req.param('id'), 'id');

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

  // Progress pushed once a second while it changes; closes when the backfill is over. One
  // poller per backfill serves every page following it.
  const feeds = createFeeds((wid) => detail(ctx, need(), wid), {
    intervalMs: SSE_INTERVAL_MS,
    done: (d) => isFinalBackfillStatus(d.status),
  });
  const streams = new Map<string, number>();
  app.get('/:id/events', async (c) => {
    need();
    const wid = id(c);
    const who = clientAddress(c);
    const open = streams.get(who) ?? 0;
    if (open >= MAX_STREAMS_PER_CLIENT) {
      throw new HttpError(
        429,
        `This client already has ${MAX_STREAMS_PER_CLIENT} progress streams open, the most one client may: close other backfill pages, or poll GET /api/backfills/{id} instead.`,
      );
    }
    streams.set(who, open + 1);
    const done = () => {
      const n = (streams.get(who) ?? 1) - 1;
      if (n > 0) streams.set(who, n);
      else streams.delete(who);
    };
    const feed = feeds.follow(wid);
    try {
      await feed.current; // a 404 here is still a plain JSON answer
    } catch (err) {
      done();
      throw err;
    }
    return streamSSE(c, async (stream) => {
      try {
        await new Promise<void>((resolve) => {
          let last = '';
          let writes: Promise<unknown> = Promise.resolve();
          const unsubscribe = feed.subscribe(
            (data) => {
              // the first value can arrive twice (read, then followed while it ends): send it once
              if (data === last) return;
              last = data;
              writes = writes.then(() => stream.writeSSE({ event: 'progress', data }));
            },
            (err) => {
              if (err) writes = writes.then(() => stream.writeSSE({ event: 'error', data: JSON.stringify({ error: err.message }) }));
              void writes.then(() => resolve());
            },
          );
          stream.onAbort(() => {
            unsubscribe();
            resolve();
          });
        });
      } finally {
        done();
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

  // In place while the backfill runs; once it has ended, a new backfill of what failed or was cancelled.
  app.post('/:id/retry-failed', async (c) => {
    const { requestId } = retryBody.parse(await jsonBody(c));
    const { id: next } = await control.retryFailedBackfill(need(), id(c), requestId);
    return c.json(await detail(ctx, need(), next));
  });

  return app;
}

async function detail(ctx: WebContext, cc: ControlContext, id: string): Promise<BackfillDetail> {
  const progress = await control.backfillProgress(cc, id);
  const ui = ctx.temporalUiUrl;
  return {
    ...progress,
    // re-runs start once a backfill has ended: no list query each second while it runs
    reruns: isFinalBackfillStatus(progress.status) ? await control.listReruns(cc, id) : [],
    temporalUrl: ui ? `${ui}/namespaces/${encodeURIComponent(ctx.config.namespace)}/workflows/${encodeURIComponent(id)}` : null,
  };
}

/** The peer's address; behind a proxy every client shares the proxy's, and so its limit. */
function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // app.request() in tests: no socket
  }
}
