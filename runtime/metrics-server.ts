// A worker's own small HTTP server for Prometheus: GET /metrics and nothing else. Bound to
// 127.0.0.1 unless FRESHET_METRICS_HOST says otherwise; off loopback, with FRESHET_TOKEN set, a
// scrape must send it (Authorization: Bearer, as Prometheus' `authorization` setting does).
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { isLoopback, sameSecret } from './access.ts';
import type { Metrics } from './metrics.ts';

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  host: string;
  /** 0: a free port */
  port: number;
  token?: string;
  /** the variables that set host and port, named in errors */
  variables?: { host: string; port: string };
}

export async function serveMetrics(metrics: Metrics, opts: MetricsServerOptions): Promise<MetricsServer> {
  const vars = opts.variables ?? { host: 'FRESHET_METRICS_HOST', port: 'FRESHET_METRICS_PORT' };
  const token = !isLoopback(opts.host) ? opts.token : undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: this server answers GET /metrics only.\n');
      return;
    }
    const given = req.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (token && (given === undefined || !sameSecret(given, token))) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('This endpoint needs Authorization: Bearer $FRESHET_TOKEN.\n');
      return;
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`Metrics could not be collected: ${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`The metrics port ${opts.port} on ${opts.host} is taken: set ${vars.port} to another port, or to 0 for any free one.`)
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
            ? new Error(`The metrics host '${opts.host}' is not an address of this machine: set ${vars.host} (default 127.0.0.1).`)
            : err,
      ),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  // it never keeps a process alive on its own: the worker's run does
  server.unref();
  const port = (server.address() as AddressInfo).port;
  const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  return {
    url: `http://${shown}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port free on 127.0.0.1 now, for a server that must be told its port up front (the SDK's exporter). */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
