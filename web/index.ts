// Public face of web/: the HTTP API and the page, started by `freshet web` and `freshet dev`.
import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics, type FreshetConfig, type Logger, type Metrics } from '../runtime/index.ts';
import type { AssetGraph } from '../core/index.ts';
import { ensureFrontEnd } from './build.ts';
import { createContext } from './context.ts';
import { registerWebMetrics } from './metrics.ts';
import { isLoopback } from './security.ts';
import { createApp } from './server.ts';

export { createApp } from './server.ts';
export { createContext } from './context.ts';
export { ensureFrontEnd } from './build.ts';

export interface WebServerOptions {
  config: FreshetConfig;
  graph: AssetGraph;
  /** without it the page is read-only (no backfills) */
  client?: Client;
  /** default config.web.port (FRESHET_WEB_PORT or 8300); 0 picks a free port */
  port?: number;
  /** default config.web.host (FRESHET_WEB_HOST or 127.0.0.1) */
  host?: string;
  /** default config.web.token (FRESHET_TOKEN); required when host is not a loopback address */
  token?: string;
  /** base URL of the Temporal UI, for links to workflow pages (default config.web.temporalUiUrl) */
  temporalUiUrl?: string;
  /** false serves the API alone, without building the page */
  page?: boolean;
  log?: (msg: string) => void;
  /** the process's metrics, served at /metrics with the web's own series added (default: a registry of its own) */
  metrics?: Metrics;
  /** the process's logger, for internal errors (default: stderr) */
  logger?: Logger;
}

export interface WebServer {
  /** http://host:port: what to print and log */
  url: string;
  /** the url with ?token=... when a token is needed: a secret, printed once at start (signInLine) and never logged */
  signInUrl: string | undefined;
  port: number;
  stop(): Promise<void>;
}

/** The one line that shows the token, for the terminal that started the server; undefined without a token. */
export function signInLine(web: WebServer): string | undefined {
  return web.signInUrl && `sign in once at ${web.signInUrl} (it holds FRESHET_TOKEN, a secret: keep it out of logs, chats and tickets)`;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const web = opts.config.web;
  const host = opts.host ?? web.host;
  const port = opts.port ?? web.port;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`The web port must be a number from 0 to 65535 (--port or FRESHET_WEB_PORT), got '${opts.port}'.`);
  const token = opts.token ?? web.token;
  const loopback = isLoopback(host);
  if (!loopback && !token) {
    throw new Error(
      `The web server would listen on ${host}, reachable from other machines: set FRESHET_TOKEN to a secret (e.g. FRESHET_TOKEN=$(openssl rand -hex 16)), or use FRESHET_WEB_HOST=127.0.0.1.`,
    );
  }
  const distDir = opts.page === false ? undefined : (web.dist ?? (await ensureFrontEnd({ log: opts.log })));
  const ctx = createContext({
    config: opts.config,
    graph: opts.graph,
    client: opts.client,
    temporalUiUrl: opts.temporalUiUrl ?? web.temporalUiUrl ?? null,
  });
  const metrics = opts.metrics ?? createMetrics();
  registerWebMetrics(ctx, metrics.registry);
  const app = createApp(ctx, { token, loopback, distDir, metrics, logger: opts.logger });
  // Read the logs now, not on the first page view (100,000 partitions take a moment).
  for (const a of opts.graph.assets) ctx.health(a).catch(() => {});

  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`Port ${port} on ${host} is taken: set FRESHET_WEB_PORT to another port.`) : err),
    );
  });
  // Idle keep-alive connections close on the client's side first (undici and browsers wait ~4 s,
  // load balancers 60 s): a server closing at the same moment as a reused request fails it.
  const http = server as Server;
  http.keepAliveTimeout = 65_000;
  http.headersTimeout = 66_000;
  const actual = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${actual}`,
    signInUrl: token ? `http://${shown}:${actual}/?token=${encodeURIComponent(token)}` : undefined,
    port: actual,
    stop: async () => {
      await ctx.planner?.close();
      await new Promise<void>((resolve) => {
        // SSE streams stay open: close them so stop() does not wait for the browser.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}
