// Public face of runtime/: the composition root. cli/, web/, tests and benchmarks build Freshet
// from these: the configuration, the project, Temporal connections, the warehouse and workers.
export {
  ConfigError,
  configSchema,
  describeConfig,
  loadConfig,
  SECRET_VARIABLES,
  type ConfigVariable,
  type FreshetConfig,
  type LogLevel,
  type WebConfig,
} from './config.ts';
export { controlContext } from './control.ts';
export { loadProject } from './project.ts';
export { connectClient, connectWorker } from './temporal.ts';
export { openWarehouse } from './warehouse.ts';
export {
  createWorker,
  installRuntime,
  reconcileOnStart,
  SHUTDOWN_FORCE_AFTER_GRACE_MS,
  workflowsPath,
  type WorkerOptions,
} from './worker.ts';
