// A worker process's logs and metrics, made once at start: the logger from the configuration,
// one metrics registry, the Temporal SDK's own metrics on a free loopback port appended to it,
// and (for `freshet worker`) the small /metrics server on FRESHET_METRICS_HOST:PORT.
import type { FreshetConfig } from './config.ts';
import { loggerFor, type Logger } from './logger.ts';
import { freeLoopbackPort, serveMetrics } from './metrics-server.ts';
import { createMetrics, sdkMetricsSource, type Metrics } from './metrics.ts';
import type { RuntimeOptions } from './worker.ts';

export interface ProcessMetrics {
  logger: Logger;
  metrics: Metrics;
  /** for installRuntime: the logger and where the SDK serves its metrics */
  runtime: RuntimeOptions;
  /** the /metrics URL when served here */
  url: string | undefined;
  close(): Promise<void>;
}

export async function startProcessMetrics(config: FreshetConfig, name: string, opts: { serve: boolean }): Promise<ProcessMetrics> {
  const logger = loggerFor(config, name);
  const metrics = createMetrics();
  const server = opts.serve ? await serveMetrics(metrics, { ...config.metrics, token: config.web.token }) : undefined;
  // The SDK's exporter is told its address up front; it stays on loopback, read through ours.
  const sdkAddress = `127.0.0.1:${await freeLoopbackPort()}`;
  metrics.append(sdkMetricsSource(sdkAddress));
  return {
    logger,
    metrics,
    runtime: { logger, sdkMetricsAddress: sdkAddress },
    url: server?.url,
    close: async () => server?.close(),
  };
}
