// Freshet's configuration: one typed object, read from the environment in this one place,
// validated, and passed down. A bad value fails at start with the variable's name and what is
// expected; every variable is documented in the README ("Configuration").
import path from 'node:path';
import { z } from 'zod';
import { parseDuration } from '../core/index.ts';
import type { EngineConfig } from '../engine/index.ts';
import type { S3Options } from '../storage/index.ts';

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface WebConfig {
  /** FRESHET_WEB_HOST, default 127.0.0.1 */
  host: string;
  /** FRESHET_WEB_PORT, default 8300; 0 picks a free port */
  port: number;
  /** FRESHET_TOKEN: required when host is not a loopback address (a secret) */
  token: string | undefined;
  /** FRESHET_TEMPORAL_UI: base URL of the Temporal UI, for links to workflow pages */
  temporalUiUrl: string | undefined;
  /** FRESHET_WEB_DIST: a prebuilt page to serve instead of building web/app */
  dist: string | undefined;
}

export interface FreshetConfig {
  /** host:port of the Temporal frontend (TEMPORAL_ADDRESS) */
  temporalAddress: string;
  /** no TEMPORAL_ADDRESS was given: `freshet dev` starts its own Temporal dev server */
  embeddedTemporal: boolean;
  /** TEMPORAL_NAMESPACE */
  namespace: string;
  /** task queue the workers poll; also prefixes workflow ids (FRESHET_TASK_QUEUE) */
  taskQueue: string;
  /** directory or s3://bucket/prefix holding one Delta table per asset (FRESHET_WAREHOUSE) */
  warehouse: string;
  /** module whose default export is the project's definitions (FRESHET_PROJECT) */
  project: string;
  /** how S3 warehouses are reached (FRESHET_S3_*, AWS_*) */
  s3: S3Options;
  /** DuckDB settings (FRESHET_DUCKDB_*, FRESHET_RANGE_BATCH) */
  engine: EngineConfig;
  /** activities one worker runs at once (FRESHET_WORKER_ACTIVITIES, default 4) */
  workerActivities: number;
  /** how often the freshness monitor checks (FRESHET_MONITOR_INTERVAL); default: from the SLAs */
  monitorIntervalMs: number | undefined;
  /** how long a worker stopped by SIGTERM lets its activities finish before it cancels them (FRESHET_SHUTDOWN_GRACE, default 30 s) */
  shutdownGraceMs: number;
  /** FRESHET_LOG_LEVEL, default WARN */
  logLevel: LogLevel;
  web: WebConfig;
}

/** A configuration variable Freshet reads, with what it expects. */
export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; message: string }>) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const text = (fallback: string) =>
  z
    .string()
    .trim()
    .min(1)
    .optional()
    .transform((v) => v ?? fallback);
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));
const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < min || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got '${v}'`,
        });
        return z.NEVER;
      }
      return n;
    });
const bool = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    ctx.addIssue({ code: 'custom', message: `expected true or false, got '${v}'` });
    return z.NEVER;
  });
const url = optionalText.refine((v) => v === undefined || URL.canParse(v), { message: 'expected a URL such as http://127.0.0.1:9000' });
const duration = optionalText.transform((v, ctx) => {
  if (v === undefined) return undefined;
  try {
    return parseDuration(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 30s, 5m or 1h, got '${v}'` });
    return z.NEVER;
  }
});
const memory = optionalText.refine((v) => v === undefined || /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(v), {
  message: 'expected an amount of memory such as 512MB or 4GB',
});
const hostPort = text('127.0.0.1:7233').refine((v) => /^[^\s:/]+:\d{1,5}$|^\[[0-9a-f:]+\]:\d{1,5}$/i.test(v), {
  message: 'expected host:port of the Temporal frontend, such as 127.0.0.1:7233',
});
const logLevel = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx): LogLevel => {
    const level = (v || 'WARN').toUpperCase();
    if (!['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(level)) {
      ctx.addIssue({ code: 'custom', message: `expected one of TRACE, DEBUG, INFO, WARN, ERROR, got '${v}'` });
      return z.NEVER;
    }
    return level as LogLevel;
  });

/** Every variable Freshet reads (the keys are the variable names). */
export const configSchema = z.object({
  TEMPORAL_ADDRESS: hostPort,
  TEMPORAL_NAMESPACE: text('default'),
  FRESHET_TASK_QUEUE: text('freshet').refine((v) => !/[\s']/.test(v), { message: 'expected a name without spaces or quotes' }),
  FRESHET_WAREHOUSE: optionalText,
  FRESHET_PROJECT: text('assets/index.ts'),
  FRESHET_S3_ENDPOINT: url,
  FRESHET_S3_REGION: optionalText,
  AWS_REGION: optionalText,
  AWS_ACCESS_KEY_ID: optionalText,
  AWS_SECRET_ACCESS_KEY: optionalText,
  FRESHET_S3_PATH_STYLE: bool,
  FRESHET_S3_CACHE: optionalText,
  FRESHET_DUCKDB_MEMORY: memory,
  FRESHET_DUCKDB_SPILL: optionalText,
  FRESHET_DUCKDB_THREADS: wholeNumber(1, 1024),
  FRESHET_RANGE_BATCH: wholeNumber(1, 10_000),
  FRESHET_WORKER_ACTIVITIES: wholeNumber(1, 10_000),
  FRESHET_MONITOR_INTERVAL: duration,
  FRESHET_SHUTDOWN_GRACE: duration,
  FRESHET_KAFKA_BROKERS: optionalText,
  FRESHET_LOG_LEVEL: logLevel,
  FRESHET_WEB_HOST: text('127.0.0.1'),
  FRESHET_WEB_PORT: wholeNumber(0, 65_535),
  FRESHET_TOKEN: optionalText,
  FRESHET_TEMPORAL_UI: url,
  FRESHET_WEB_DIST: optionalText,
});

export type ConfigVariable = keyof typeof configSchema.shape;

/** Variables whose values are secrets: never printed, logged or put in a workflow input. */
export const SECRET_VARIABLES: readonly ConfigVariable[] = ['AWS_SECRET_ACCESS_KEY', 'FRESHET_TOKEN'];

export const DEFAULT_WEB_PORT = 8300;
/** Long enough for a partition or two to finish; docker-compose's stop_grace_period must exceed it. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;

/** Reads and validates the configuration; `env` defaults to the process environment, `cwd` resolves relative paths. */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): FreshetConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })));
  }
  const v = parsed.data;
  const endpoint = v.FRESHET_S3_ENDPOINT;
  return {
    temporalAddress: v.TEMPORAL_ADDRESS,
    embeddedTemporal: !env.TEMPORAL_ADDRESS,
    namespace: v.TEMPORAL_NAMESPACE,
    taskQueue: v.FRESHET_TASK_QUEUE,
    warehouse:
      v.FRESHET_WAREHOUSE && /^[a-z][a-z0-9+.-]*:\/\//i.test(v.FRESHET_WAREHOUSE)
        ? v.FRESHET_WAREHOUSE
        : path.resolve(cwd, v.FRESHET_WAREHOUSE ?? '.freshet/warehouse'),
    project: path.resolve(cwd, v.FRESHET_PROJECT),
    s3: {
      endpoint,
      region: v.FRESHET_S3_REGION ?? v.AWS_REGION ?? 'us-east-1',
      accessKeyId: v.AWS_ACCESS_KEY_ID,
      secretAccessKey: v.AWS_SECRET_ACCESS_KEY,
      // MinIO and other S3-compatible servers at an endpoint want the bucket in the path.
      pathStyle: v.FRESHET_S3_PATH_STYLE ?? endpoint !== undefined,
      cacheDir: v.FRESHET_S3_CACHE,
    },
    engine: {
      memoryLimit: v.FRESHET_DUCKDB_MEMORY,
      spillDirectory: v.FRESHET_DUCKDB_SPILL,
      threads: v.FRESHET_DUCKDB_THREADS,
      rangeBatch: v.FRESHET_RANGE_BATCH,
    },
    workerActivities: v.FRESHET_WORKER_ACTIVITIES ?? 4,
    monitorIntervalMs: v.FRESHET_MONITOR_INTERVAL,
    shutdownGraceMs: v.FRESHET_SHUTDOWN_GRACE ?? DEFAULT_SHUTDOWN_GRACE_MS,
    logLevel: v.FRESHET_LOG_LEVEL,
    web: {
      host: v.FRESHET_WEB_HOST,
      port: v.FRESHET_WEB_PORT ?? DEFAULT_WEB_PORT,
      token: v.FRESHET_TOKEN,
      temporalUiUrl: v.FRESHET_TEMPORAL_UI,
      dist: v.FRESHET_WEB_DIST ? path.resolve(cwd, v.FRESHET_WEB_DIST) : undefined,
    },
  };
}

/** One variable as `freshet config` shows it: its value (secrets masked) and where it came from. */
export interface ConfigSource {
  variable: ConfigVariable;
  value: string;
  source: 'environment' | 'default';
}

/** Every variable Freshet reads, with the value in effect; secrets show as `***` (set) or nothing. */
export function describeConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): ConfigSource[] {
  const config = loadConfig(env, cwd);
  const effective: Record<ConfigVariable, unknown> = {
    TEMPORAL_ADDRESS: config.temporalAddress,
    TEMPORAL_NAMESPACE: config.namespace,
    FRESHET_TASK_QUEUE: config.taskQueue,
    FRESHET_WAREHOUSE: config.warehouse,
    FRESHET_PROJECT: config.project,
    FRESHET_S3_ENDPOINT: config.s3.endpoint,
    FRESHET_S3_REGION: config.s3.region,
    AWS_REGION: env.AWS_REGION,
    AWS_ACCESS_KEY_ID: config.s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: config.s3.secretAccessKey,
    FRESHET_S3_PATH_STYLE: config.s3.pathStyle,
    FRESHET_S3_CACHE: config.s3.cacheDir,
    FRESHET_DUCKDB_MEMORY: config.engine.memoryLimit,
    FRESHET_DUCKDB_SPILL: config.engine.spillDirectory,
    FRESHET_DUCKDB_THREADS: config.engine.threads,
    FRESHET_RANGE_BATCH: config.engine.rangeBatch,
    FRESHET_WORKER_ACTIVITIES: config.workerActivities,
    FRESHET_MONITOR_INTERVAL: config.monitorIntervalMs === undefined ? undefined : `${config.monitorIntervalMs} ms`,
    FRESHET_SHUTDOWN_GRACE: `${config.shutdownGraceMs} ms`,
    // the broker list the stack and compose hand to `freshet stream start --source kafka:...`
    FRESHET_KAFKA_BROKERS: env.FRESHET_KAFKA_BROKERS,
    FRESHET_LOG_LEVEL: config.logLevel,
    FRESHET_WEB_HOST: config.web.host,
    FRESHET_WEB_PORT: config.web.port,
    FRESHET_TOKEN: config.web.token,
    FRESHET_TEMPORAL_UI: config.web.temporalUiUrl,
    FRESHET_WEB_DIST: config.web.dist,
  };
  return (Object.keys(configSchema.shape) as ConfigVariable[]).map((variable) => {
    const value = effective[variable];
    const shown = value === undefined ? '' : SECRET_VARIABLES.includes(variable) ? '***' : String(value);
    return { variable, value: shown, source: env[variable]?.trim() ? 'environment' : 'default' };
  });
}
