// Freshet's configuration: one typed object, read from the environment (over an optional
// freshet.config.ts, over a temporal.toml profile for the Temporal connection) in this one place,
// validated, and passed down. A bad value fails at start with the variable's name and what is
// expected; every variable is documented in the README ("Configuration").
//
// Adding a variable: one entry in configSchema (wrap it in secret(...) if it is one), the typed
// field in FreshetConfig, and the line in loadConfig that fills it; `freshet config` shows it
// (from the schema's parsed value unless `shown` in resolveConfig says otherwise), and the README
// test insists it is documented.
import path from 'node:path';
import { inspect } from 'node:util';
import { z } from 'zod';
import { parseDuration } from '../core/index.ts';
import { BACKFILL_QUEUE_SUFFIX, QUEUE_KINDS, type QueueKind } from '../contract/queues.ts';
import type { EngineConfig } from '../engine/index.ts';
import type { S3Options } from '../storage/index.ts';
import type { KafkaConnection, KafkaSaslMechanism } from '../stream/kafka-client.ts';
import { readPemFile } from './pem-file.ts';
import { HOST_PORT_EXPECTED, isHostPort, resolveTemporal, type TemporalConnection } from './temporal-config.ts';

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type LogFormat = 'json' | 'pretty';

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
  /** host:port of the Temporal frontend (TEMPORAL_ADDRESS, or the temporal.toml profile's address) */
  temporalAddress: string;
  /** no address was given (variable or profile): `freshet dev` starts its own Temporal dev server */
  embeddedTemporal: boolean;
  /** TEMPORAL_NAMESPACE, or the profile's namespace */
  namespace: string;
  /** TLS, API key and gRPC headers for Temporal (TEMPORAL_TLS_*, TEMPORAL_API_KEY, the profile); holds secrets */
  temporal: TemporalConnection;
  /** Kafka brokers, client id, SASL and TLS for streaming sources (FRESHET_KAFKA_*); holds secrets */
  kafka: KafkaConnection;
  /** base name of the task queues (contract/queues.ts); also prefixes workflow ids (FRESHET_TASK_QUEUE) */
  taskQueue: string;
  /** directory or s3://bucket/prefix holding one Delta table per asset (FRESHET_WAREHOUSE) */
  warehouse: string;
  /** module whose default export is the project's definitions (FRESHET_PROJECT) */
  project: string;
  /** how S3 warehouses are reached (FRESHET_S3_*, AWS_*) */
  s3: S3Options;
  /** DuckDB settings (FRESHET_DUCKDB_*, FRESHET_RANGE_BATCH) and Spark's (FRESHET_SPARK_*) */
  engine: EngineConfig;
  /** the queues `freshet worker` serves (FRESHET_WORKER_QUEUES, default both) */
  workerQueues: QueueKind[];
  /** activity slots of a worker (FRESHET_WORKER_SLOTS, alias FRESHET_WORKER_ACTIVITIES; default 4):
   * how runtime/worker-queues.ts shares them between the queues */
  workerSlots: number;
  /** how often the freshness monitor checks (FRESHET_MONITOR_INTERVAL); default: from the SLAs */
  monitorIntervalMs: number | undefined;
  /** how long a worker stopped by SIGTERM lets its activities finish before it cancels them (FRESHET_SHUTDOWN_GRACE, default 30 s) */
  shutdownGraceMs: number;
  /** FRESHET_LOG_LEVEL, default WARN */
  logLevel: LogLevel;
  /** FRESHET_LOG_FORMAT; undefined: pretty when stderr is a terminal, JSON lines otherwise */
  logFormat: LogFormat | undefined;
  /** where `freshet worker` serves /metrics (FRESHET_METRICS_HOST, default 127.0.0.1; FRESHET_METRICS_PORT, default 0: a free port) */
  metrics: { host: string; port: number };
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
const sparkMaster = optionalText.refine((v) => v === undefined || /^(local(\[(\d+|\*)(,\d+)?\])?|spark:\/\/.+|yarn|k8s:\/\/.+)$/.test(v), {
  message: 'expected a Spark master: local[2], spark://host:7077, yarn or k8s://https://host:443',
});
const sparkConf = optionalText.transform((v, ctx) => {
  if (v === undefined) return undefined;
  const conf: Record<string, string> = {};
  for (const pair of v.split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    if (eq < 0 || !key.startsWith('spark.')) {
      ctx.addIssue({ code: 'custom', message: `expected spark.key=value[,spark.key=value...]; '${pair.trim()}' is not one` });
      return z.NEVER;
    }
    conf[key] = pair.slice(eq + 1).trim();
  }
  return conf;
});
const hostPort = optionalText.refine((v) => v === undefined || isHostPort(v), { message: HOST_PORT_EXPECTED });
const brokerList = optionalText.transform((v, ctx) => {
  if (v === undefined) return undefined;
  const brokers = v.split(',').map((b) => b.trim());
  const bad = brokers.filter((b) => !isHostPort(b));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected host:port[,host:port...], such as kafka1:9092,kafka2:9092; '${bad.join("', '")}' is not host:port`,
    });
    return z.NEVER;
  }
  return brokers;
});
const oneOf = <T extends string>(values: readonly T[]) =>
  optionalText.transform((v, ctx): T | undefined => {
    if (v === undefined) return undefined;
    const found = values.find((x) => x === v.toLowerCase());
    if (found === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}, got '${v}'` });
      return z.NEVER;
    }
    return found;
  });
/** Marks a variable as a secret: masked by `freshet config`, never in a message, log or workflow input. */
const secret = <T extends z.ZodType>(schema: T): T => schema.meta({ secret: true });
const SASL_MECHANISMS: readonly KafkaSaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];
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
const logFormat = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx): LogFormat | undefined => {
    if (!v) return undefined;
    const format = v.toLowerCase();
    if (format !== 'json' && format !== 'pretty') {
      ctx.addIssue({ code: 'custom', message: `expected json or pretty, got '${v}'` });
      return z.NEVER;
    }
    return format;
  });

/** A comma-separated list of queue kinds, each once; `check` also serves `freshet worker --queues`. */
export function parseWorkerQueues(v: string | undefined): { queues: QueueKind[] } | { error: string } {
  if (v === undefined || v.trim() === '') return { queues: [...QUEUE_KINDS] };
  const given = v.split(',').map((s) => s.trim());
  const bad = given.filter((q) => !(QUEUE_KINDS as readonly string[]).includes(q));
  if (bad.length || given.length !== new Set(given).size)
    return { error: `expected one or more of ${QUEUE_KINDS.join(', ')}, comma-separated, each once; got '${v}'` };
  // in the canonical order, so the log line and the slot split do not depend on how it was written
  return { queues: QUEUE_KINDS.filter((q) => given.includes(q)) };
}

const workerQueues = z
  .string()
  .optional()
  .transform((v, ctx): QueueKind[] => {
    const r = parseWorkerQueues(v);
    if ('error' in r) {
      ctx.addIssue({ code: 'custom', message: r.error });
      return z.NEVER;
    }
    return r.queues;
  });

/** Every variable Freshet reads (the keys are the variable names). */
export const configSchema = z.object({
  // Temporal: envconfig reads these over the temporal.toml profile (runtime/temporal-config.ts)
  TEMPORAL_ADDRESS: hostPort,
  TEMPORAL_NAMESPACE: optionalText,
  TEMPORAL_PROFILE: optionalText,
  TEMPORAL_CONFIG_FILE: optionalText,
  TEMPORAL_API_KEY: secret(optionalText),
  TEMPORAL_TLS: bool,
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalText,
  TEMPORAL_TLS_CLIENT_CERT_DATA: optionalText,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalText,
  TEMPORAL_TLS_CLIENT_KEY_DATA: secret(optionalText),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalText,
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  FRESHET_TASK_QUEUE: text('freshet')
    .refine((v) => !/[\s']/.test(v), { message: 'expected a name without spaces or quotes' })
    .refine((v) => !v.endsWith(BACKFILL_QUEUE_SUFFIX), {
      message: `expected a name not ending in '${BACKFILL_QUEUE_SUFFIX}' (Freshet adds that for the backfill queue)`,
    }),
  FRESHET_WAREHOUSE: optionalText,
  FRESHET_PROJECT: text('assets/index.ts'),
  FRESHET_S3_ENDPOINT: url,
  FRESHET_S3_REGION: optionalText,
  AWS_REGION: optionalText,
  AWS_ACCESS_KEY_ID: optionalText,
  AWS_SECRET_ACCESS_KEY: secret(optionalText),
  FRESHET_S3_PATH_STYLE: bool,
  FRESHET_S3_CACHE: optionalText,
  FRESHET_DUCKDB_MEMORY: memory,
  FRESHET_DUCKDB_SPILL: optionalText,
  FRESHET_DUCKDB_THREADS: wholeNumber(1, 1024),
  FRESHET_RANGE_BATCH: wholeNumber(1, 10_000),
  FRESHET_SPARK_MASTER: sparkMaster,
  FRESHET_SPARK_SUBMIT: optionalText,
  FRESHET_SPARK_CONF: sparkConf,
  FRESHET_WORKER_QUEUES: workerQueues,
  FRESHET_WORKER_SLOTS: wholeNumber(1, 10_000),
  FRESHET_WORKER_ACTIVITIES: wholeNumber(1, 10_000),
  FRESHET_MONITOR_INTERVAL: duration,
  FRESHET_SHUTDOWN_GRACE: duration,
  FRESHET_LOG_LEVEL: logLevel,
  FRESHET_LOG_FORMAT: logFormat,
  FRESHET_METRICS_HOST: text('127.0.0.1'),
  FRESHET_METRICS_PORT: wholeNumber(0, 65_535),
  FRESHET_WEB_HOST: text('127.0.0.1'),
  FRESHET_WEB_PORT: wholeNumber(0, 65_535),
  FRESHET_TOKEN: secret(optionalText),
  FRESHET_TEMPORAL_UI: url,
  FRESHET_WEB_DIST: optionalText,
  FRESHET_KAFKA_BROKERS: brokerList,
  FRESHET_KAFKA_CLIENT_ID: text('freshet-stream'),
  FRESHET_KAFKA_SASL_MECHANISM: oneOf(SASL_MECHANISMS),
  FRESHET_KAFKA_SASL_USERNAME: optionalText,
  FRESHET_KAFKA_SASL_PASSWORD: secret(optionalText),
  FRESHET_KAFKA_TLS: bool,
  FRESHET_KAFKA_TLS_CA: optionalText,
  FRESHET_CONFIG: optionalText,
});

export type ConfigVariable = keyof typeof configSchema.shape;

/** What freshet.config.ts may set: the variables, as strings or as the numbers and booleans they stand for. */
export type ConfigFileValues = { [K in ConfigVariable]?: z.input<(typeof configSchema.shape)[K]> | number | boolean };

/** Variables whose values are secrets: never printed, logged or put in a workflow input. */
export const SECRET_VARIABLES: readonly ConfigVariable[] = (Object.keys(configSchema.shape) as ConfigVariable[]).filter(
  (k) => configSchema.shape[k].meta()?.secret === true,
);

export const DEFAULT_WEB_PORT = 8300;
/** Long enough for a partition or two to finish; docker-compose's stop_grace_period must exceed it. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;

/** A freshet.config.ts as loaded at start (runtime/config-file.ts): its path and its values as text. */
export interface ConfigFile {
  path: string;
  values: Partial<Record<ConfigVariable, string>>;
}

let startFile: ConfigFile | undefined;

/** Sets the freshet.config.ts that loadConfig() lays under the environment (the CLI does this once, at start). */
export function useConfigFile(file: ConfigFile | undefined): void {
  startFile = file;
}

/** Where a value in effect came from. */
export type ConfigSourceKind = 'environment' | 'freshet.config.ts' | 'temporal.toml profile' | 'default';

interface Resolved {
  config: FreshetConfig;
  source: (variable: ConfigVariable) => { source: ConfigSourceKind; origin?: string };
  /** the value in effect, for `freshet config` */
  value: (variable: ConfigVariable) => unknown;
}

const isSet = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

function resolveConfig(env: Record<string, string | undefined>, cwd: string, file: ConfigFile | undefined): Resolved {
  // env > freshet.config.ts > (for Temporal) the temporal.toml profile > defaults; a blank variable counts as unset
  const fromFile = (k: ConfigVariable) => !isSet(env[k]) && isSet(file?.values[k]);
  const input: Partial<Record<ConfigVariable, string>> = {};
  for (const k of Object.keys(configSchema.shape) as ConfigVariable[]) input[k] = fromFile(k) ? file!.values[k] : env[k];
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const variable = String(i.path[0]) as ConfigVariable;
        return { variable, message: fromFile(variable) ? `${i.message} (set in ${file!.path})` : i.message };
      }),
    );
  }
  const v = parsed.data;
  const temporal = resolveTemporal(v, env, cwd);
  const kafka = resolveKafka(v, cwd);
  const problems = [...temporal.problems, ...kafka.problems].map((p) => {
    const variable = p.variable as ConfigVariable;
    return fromFile(variable) ? { ...p, message: `${p.message} (set in ${file!.path})` } : p;
  });
  if (problems.length > 0) throw new ConfigError(problems);

  // FRESHET_WORKER_ACTIVITIES is the name from before the queues were split; both may be set only alike.
  if (
    v.FRESHET_WORKER_SLOTS !== undefined &&
    v.FRESHET_WORKER_ACTIVITIES !== undefined &&
    v.FRESHET_WORKER_SLOTS !== v.FRESHET_WORKER_ACTIVITIES
  ) {
    throw new ConfigError([
      {
        variable: 'FRESHET_WORKER_ACTIVITIES',
        message: `is the old name of FRESHET_WORKER_SLOTS, and the two disagree (${v.FRESHET_WORKER_ACTIVITIES} and ${v.FRESHET_WORKER_SLOTS}); unset FRESHET_WORKER_ACTIVITIES`,
      },
    ]);
  }
  const endpoint = v.FRESHET_S3_ENDPOINT;
  const config: FreshetConfig = {
    temporalAddress: temporal.address ?? '127.0.0.1:7233',
    embeddedTemporal: temporal.address === undefined,
    namespace: temporal.namespace ?? 'default',
    temporal: maskedView(temporal.connection, maskTemporal),
    kafka: maskedView(kafka.connection, maskKafka),
    taskQueue: v.FRESHET_TASK_QUEUE,
    warehouse:
      v.FRESHET_WAREHOUSE && /^[a-z][a-z0-9+.-]*:\/\//i.test(v.FRESHET_WAREHOUSE)
        ? v.FRESHET_WAREHOUSE
        : path.resolve(cwd, v.FRESHET_WAREHOUSE ?? '.freshet/warehouse'),
    project: path.resolve(cwd, v.FRESHET_PROJECT),
    s3: maskedView(
      {
        endpoint,
        region: v.FRESHET_S3_REGION ?? v.AWS_REGION ?? 'us-east-1',
        accessKeyId: v.AWS_ACCESS_KEY_ID,
        secretAccessKey: v.AWS_SECRET_ACCESS_KEY,
        // MinIO and other S3-compatible servers at an endpoint want the bucket in the path.
        pathStyle: v.FRESHET_S3_PATH_STYLE ?? endpoint !== undefined,
        cacheDir: v.FRESHET_S3_CACHE,
      },
      maskS3,
    ),
    engine: {
      memoryLimit: v.FRESHET_DUCKDB_MEMORY,
      spillDirectory: v.FRESHET_DUCKDB_SPILL,
      threads: v.FRESHET_DUCKDB_THREADS,
      rangeBatch: v.FRESHET_RANGE_BATCH,
      spark: {
        ...(v.FRESHET_SPARK_MASTER ? { master: v.FRESHET_SPARK_MASTER } : {}),
        ...(v.FRESHET_SPARK_SUBMIT ? { submit: path.resolve(cwd, v.FRESHET_SPARK_SUBMIT) } : {}),
        ...(v.FRESHET_SPARK_CONF ? { conf: v.FRESHET_SPARK_CONF } : {}),
      },
    },
    workerQueues: v.FRESHET_WORKER_QUEUES,
    workerSlots: v.FRESHET_WORKER_SLOTS ?? v.FRESHET_WORKER_ACTIVITIES ?? 4,
    monitorIntervalMs: v.FRESHET_MONITOR_INTERVAL,
    shutdownGraceMs: v.FRESHET_SHUTDOWN_GRACE ?? DEFAULT_SHUTDOWN_GRACE_MS,
    logLevel: v.FRESHET_LOG_LEVEL,
    logFormat: v.FRESHET_LOG_FORMAT,
    metrics: { host: v.FRESHET_METRICS_HOST, port: v.FRESHET_METRICS_PORT ?? 0 },
    web: maskedView(
      {
        host: v.FRESHET_WEB_HOST,
        port: v.FRESHET_WEB_PORT ?? DEFAULT_WEB_PORT,
        token: v.FRESHET_TOKEN,
        temporalUiUrl: v.FRESHET_TEMPORAL_UI,
        dist: v.FRESHET_WEB_DIST ? path.resolve(cwd, v.FRESHET_WEB_DIST) : undefined,
      },
      maskWeb,
    ),
  };

  // Where `freshet config` shows something other than the schema's parsed value: defaults
  // applied here, resolved paths, values a profile gave.
  const tls = config.temporal.tls;
  const shown: Partial<Record<ConfigVariable, unknown>> = {
    TEMPORAL_ADDRESS: config.temporalAddress,
    TEMPORAL_NAMESPACE: config.namespace,
    TEMPORAL_TLS: tls !== undefined && tls !== false,
    FRESHET_WAREHOUSE: config.warehouse,
    FRESHET_PROJECT: config.project,
    FRESHET_S3_REGION: config.s3.region,
    FRESHET_S3_PATH_STYLE: config.s3.pathStyle,
    FRESHET_WORKER_QUEUES: config.workerQueues.join(','),
    FRESHET_WORKER_SLOTS: config.workerSlots,
    FRESHET_LOG_FORMAT: config.logFormat ?? 'pretty on a terminal, else json',
    FRESHET_METRICS_PORT: config.metrics.port,
    FRESHET_MONITOR_INTERVAL: config.monitorIntervalMs === undefined ? undefined : `${config.monitorIntervalMs} ms`,
    FRESHET_WEB_PORT: config.web.port,
    FRESHET_WEB_DIST: config.web.dist,
    FRESHET_KAFKA_BROKERS: config.kafka.brokers?.join(','),
    FRESHET_SHUTDOWN_GRACE: `${config.shutdownGraceMs} ms`,
    FRESHET_KAFKA_TLS: config.kafka.tls !== undefined,
  };
  const profiled = temporal.fromProfile as Partial<Record<ConfigVariable, string>>;
  return {
    config,
    source: (k) => {
      if (isSet(env[k])) return { source: 'environment' };
      if (fromFile(k)) return { source: 'freshet.config.ts', origin: file!.path };
      if (profiled[k] !== undefined && temporal.profile) {
        return { source: 'temporal.toml profile', origin: `profile '${temporal.profile.name}' in ${temporal.profile.file}` };
      }
      return { source: 'default' };
    },
    value: (k) => (k in shown ? shown[k] : (v[k] ?? profiled[k])),
  };
}

/** Reads and validates the configuration: `env` (default the process environment) over `file` (default the
 * freshet.config.ts loaded at start, if any); `cwd` resolves relative paths. Throws a ConfigError naming every bad variable. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
  file: ConfigFile | undefined = startFile,
): FreshetConfig {
  return resolveConfig(env, cwd, file).config;
}

function resolveKafka(v: z.output<typeof configSchema>, cwd: string) {
  const problems: Array<{ variable: ConfigVariable; message: string }> = [];
  const connection: KafkaConnection = { clientId: v.FRESHET_KAFKA_CLIENT_ID };
  if (v.FRESHET_KAFKA_BROKERS) connection.brokers = v.FRESHET_KAFKA_BROKERS;
  const mechanism = v.FRESHET_KAFKA_SASL_MECHANISM;
  const [username, password] = [v.FRESHET_KAFKA_SASL_USERNAME, v.FRESHET_KAFKA_SASL_PASSWORD];
  if (mechanism) {
    const needs = `required with FRESHET_KAFKA_SASL_MECHANISM=${mechanism}`;
    if (username === undefined) problems.push({ variable: 'FRESHET_KAFKA_SASL_USERNAME', message: needs });
    if (password === undefined) problems.push({ variable: 'FRESHET_KAFKA_SASL_PASSWORD', message: needs });
    if (username !== undefined && password !== undefined) connection.sasl = { mechanism, username, password };
  } else if (username !== undefined || password !== undefined) {
    problems.push({
      variable: 'FRESHET_KAFKA_SASL_MECHANISM',
      message: `a SASL ${username !== undefined ? 'username' : 'password'} is set but no mechanism: set it to ${SASL_MECHANISMS.join(', ')}`,
    });
  }
  const ca = v.FRESHET_KAFKA_TLS_CA;
  if (v.FRESHET_KAFKA_TLS === false && ca !== undefined) {
    problems.push({ variable: 'FRESHET_KAFKA_TLS_CA', message: 'is set while FRESHET_KAFKA_TLS=false: unset one of them' });
  } else if (ca !== undefined) {
    const read = readPemFile(path.resolve(cwd, ca), 'certificate');
    if ('problem' in read) problems.push({ variable: 'FRESHET_KAFKA_TLS_CA', message: read.problem });
    else connection.tls = { ca: read.data.toString('utf8') };
  } else if (v.FRESHET_KAFKA_TLS) {
    connection.tls = {};
  }
  return { connection, problems };
}

/** Gives `obj` a JSON and console view with its secrets masked, so logging a config cannot leak them. */
function maskedView<T extends object>(obj: T, mask: (o: T) => unknown): T {
  Object.defineProperty(obj, 'toJSON', { value: () => mask(obj), enumerable: false });
  Object.defineProperty(obj, inspect.custom, { value: () => mask(obj), enumerable: false });
  return obj;
}
const maskTemporal = (c: TemporalConnection) => ({
  ...c,
  apiKey: c.apiKey === undefined ? undefined : '***',
  tls: typeof c.tls === 'object' && c.tls.clientCertPair ? { ...c.tls, clientCertPair: { crt: '(certificate)', key: '***' } } : c.tls,
});
const maskKafka = (c: KafkaConnection) => ({ ...c, sasl: c.sasl && { ...c.sasl, password: '***' } });
const maskS3 = (c: S3Options) => ({ ...c, secretAccessKey: c.secretAccessKey === undefined ? undefined : '***' });
const maskWeb = (c: WebConfig) => ({ ...c, token: c.token === undefined ? undefined : '***' });

/** One variable as `freshet config` shows it: its value (secrets masked) and where it came from. */
export interface ConfigSource {
  variable: ConfigVariable;
  value: string;
  source: ConfigSourceKind;
  /** the file (and profile) a value came from */
  origin?: string;
}

/** Every variable Freshet reads, with the value in effect; secrets show as `***` (set) or nothing. */
export function describeConfig(
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
  file: ConfigFile | undefined = startFile,
): ConfigSource[] {
  const resolved = resolveConfig(env, cwd, file);
  return (Object.keys(configSchema.shape) as ConfigVariable[]).map((variable) => {
    const value = resolved.value(variable);
    const shown = value === undefined || value === '' ? '' : SECRET_VARIABLES.includes(variable) ? '***' : String(value);
    return { variable, value: shown, ...resolved.source(variable) };
  });
}
