// Public face of runtime/: the composition root. cli/, web/, tests and benchmarks build Freshet
// from these: the configuration, the project, Temporal connections, the warehouse and workers.
export {
  ConfigError,
  configSchema,
  describeConfig,
  loadConfig,
  parseWorkerQueues,
  SECRET_VARIABLES,
  useConfigFile,
  type ConfigFile,
  type ConfigFileValues,
  type ConfigSource,
  type ConfigVariable,
  type FreshetConfig,
  type LogFormat,
  type LogLevel,
  type WebConfig,
} from './config.ts';
export { defineConfig, loadConfigFile } from './config-file.ts';
export type { TemporalConnection } from './temporal-config.ts';
export { controlContext } from './control.ts';
export { loadProject } from './project.ts';
export { connectClient, connectionOptions, connectWorker } from './temporal.ts';
export { openWarehouse } from './warehouse.ts';
export {
  createWorker,
  installRuntime,
  reconcileOnStart,
  workflowsPath,
  type RuntimeOptions,
  type WorkerGroup,
  type WorkerOptions,
} from './worker.ts';
export { createLogger, loggerFor, sdkLogger, type Logger } from './logger.ts';
export { createMetrics, sdkMetricsSource, type Metrics } from './metrics.ts';
export { freeLoopbackPort, serveMetrics, type MetricsServer } from './metrics-server.ts';
export { startProcessMetrics, type ProcessMetrics } from './process-metrics.ts';
export { describeServed, scheduledReserve, servedQueues, type ServedQueue } from './worker-queues.ts';
