// The Hono app: security first, then the API under /api, then the built page (any other GET
// answers with index.html so the page's router handles deep links).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { assetRoutes } from './api/assets.ts';
import { backfillRoutes } from './api/backfills.ts';
import { metaRoutes } from './api/meta.ts';
import { scheduleRoutes } from './api/schedules.ts';
import { runRoutes } from './api/runs.ts';
import { streamRoutes } from './api/streams.ts';
import type { Logger, Metrics } from '../runtime/index.ts';
import type { WebContext } from './context.ts';
import { toResponse } from './errors.ts';
import { jsonPostsOnly, loopbackHostCheck, tokenAuth } from './security.ts';

export const MAX_BODY_BYTES = 64 * 1024;

export interface AppOptions {
  /** required on every API call when set */
  token?: string;
  /** bound to a loopback address: check the Host header */
  loopback: boolean;
  /** the built page; undefined serves the API alone */
  distDir?: string;
  /** served at GET /metrics (Prometheus text), behind the token like the API */
  metrics?: Metrics;
  /** where internal errors are logged (default: stderr) */
  logger?: Logger;
}

export function createApp(ctx: WebContext, opts: AppOptions): Hono {
  const app = new Hono();
  const logger = opts.logger;
  app.onError((err, c) =>
    toResponse(err, c, logger && ((e) => logger.error({ err: e, method: c.req.method, path: c.req.path }, 'request failed'))),
  );
  app.notFound((c) => c.json({ error: `No such endpoint: ${c.req.method} ${c.req.path}` }, 404));

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"], // uPlot and React set element styles
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
      },
    }),
  );
  if (opts.loopback) app.use('*', loopbackHostCheck());
  if (opts.token) app.use('*', tokenAuth(opts.token));
  app.use('/api/*', jsonPostsOnly());
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: `The body is larger than ${MAX_BODY_BYTES / 1024} KiB.`, field: 'body' }, 413),
    }),
  );

  app.route('/api/assets', assetRoutes(ctx));
  app.route('/api/backfills', backfillRoutes(ctx));
  app.route('/api/schedules', scheduleRoutes(ctx));
  app.route('/api/runs', runRoutes(ctx));
  app.route('/api/streams', streamRoutes(ctx));
  app.route('/api', metaRoutes(ctx));
  app.all('/api/*', (c) => c.json({ error: `No such endpoint: ${c.req.method} ${c.req.path}` }, 404));
  const metrics = opts.metrics;
  if (metrics) app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType }));

  if (opts.distDir) {
    const dist = opts.distDir;
    const index = readFileSync(path.join(dist, 'index.html'), 'utf8');
    // Vite's hashed bundles: cached for good; a missing one is a 404, not the page.
    app.use('/static/*', async (c, next) => {
      await next();
      if (c.res.status === 200) c.header('Cache-Control', 'public, max-age=31536000, immutable');
    });
    app.use('/static/*', serveStatic({ root: dist }));
    app.get('/static/*', (c) => c.text('Not found', 404));
    app.get('*', (c) => {
      c.header('Cache-Control', 'no-cache');
      return c.html(index);
    });
  } else {
    app.get('/', (c) => c.text('Freshet API: the page was not built for this server.'));
  }
  return app;
}
