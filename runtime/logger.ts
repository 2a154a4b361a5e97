// The process logs of `freshet worker`, `web` and `dev`: one pino logger made from the
// configuration, JSON lines or pretty text on stderr (stdout stays the commands' own output),
// secrets redacted. It is also the Temporal SDK's logger (sdkLogger), so the SDK's lines, the
// workflows' `log` (through the SDK's deterministic sink) and the activities' `Context.log`
// come out the same way, each with its workflowId, runId and attempt.
import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { captureLogLine } from '../activities/run-log.ts';
import { SECRET_VARIABLES, type FreshetConfig, type LogFormat } from './config.ts';

export type { Logger };

const REDACTED = '[Redacted]';
/** Fields that hold a secret wherever they appear in a log object (besides the variables' own names). */
const SECRET_FIELDS = ['secretAccessKey', 'sessionToken', 'token', 'password', 'apiKey', 'authorization', 'cookie'];
/** Secrets this short would blank out ordinary words; none of Freshet's real ones is. */
const MIN_SECRET_LENGTH = 4;

export interface LoggerOptions {
  level: FreshetConfig['logLevel'];
  /** default: pretty when stderr is a terminal, JSON lines otherwise */
  format?: LogFormat;
  /** values that must never be written, wherever they turn up (an error message, a URL) */
  secrets?: Array<string | undefined>;
  /** where lines go (default stderr); tests pass a stream to read them back */
  destination?: NodeJS.WritableStream;
  /** `name` on every line, e.g. freshet-worker */
  name?: string;
}

/** The configuration's secret values: what the logger scrubs from every line. */
export function secretValues(config: FreshetConfig, env: Record<string, string | undefined> = process.env): string[] {
  const fromEnv = SECRET_VARIABLES.map((v) => env[v]);
  return [config.s3.secretAccessKey, config.web.token, ...fromEnv].filter((s): s is string => !!s);
}

/** The process's logger, from the configuration. */
export function loggerFor(config: FreshetConfig, name: string, opts: Partial<LoggerOptions> = {}): Logger {
  return createLogger({ level: config.logLevel, format: config.logFormat, secrets: secretValues(config), name, ...opts });
}

export function createLogger(opts: LoggerOptions): Logger {
  const format = opts.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const scrub = scrubber(opts.secrets ?? []);
  const destination =
    format === 'pretty'
      ? pretty({
          destination: opts.destination ?? 2,
          sync: true,
          colorize: !opts.destination && !!process.stderr.isTTY,
          // UTC, as the JSON lines: a log never depends on the machine's time zone
          translateTime: "UTC:yyyy-mm-dd'T'HH:MM:ss.l'Z'",
          ignore: 'pid,hostname',
        })
      : (opts.destination ?? pino.destination({ fd: 2, sync: true }));
  return pino(
    {
      name: opts.name,
      level: opts.level.toLowerCase(),
      timestamp: pino.stdTimeFunctions.isoTime,
      // The SDK hands its errors over as `error` (pino serializes only `err` by default): without
      // this an error's message and stack, which are not enumerable, would be written as `{}`.
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      redact: {
        paths: [...SECRET_FIELDS, ...SECRET_VARIABLES].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
        censor: REDACTED,
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => scrub(obj) as Record<string, unknown>,
        bindings: (b) => scrub(b) as Record<string, unknown>,
      },
      hooks: {
        // the message itself, and a message given as the only argument
        logMethod(args, method) {
          return method.apply(this, args.map((a) => scrub(a)) as Parameters<typeof method>);
        },
        // The finished JSON line, redacted and scrubbed: a running materialization attempt keeps its own (activities/run-log.ts).
        streamWrite(line) {
          captureLogLine(line);
          return line;
        },
      },
    },
    destination,
  );
}

/** Replaces every secret value inside strings, errors, arrays and plain objects. */
function scrubber(secrets: Array<string | undefined>): (value: unknown) => unknown {
  const list = [...new Set(secrets.filter((s): s is string => !!s && s.length >= MIN_SECRET_LENGTH))];
  if (list.length === 0) return (v) => v;
  const text = (s: string) => (list.some((x) => s.includes(x)) ? list.reduce((t, x) => t.split(x).join(REDACTED), s) : s);
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return text(v);
    if (v === null || typeof v !== 'object' || depth > 8) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v instanceof Error) {
      // still an instance of its class, so pino's error serializer names its type
      const copy = Object.create(Object.getPrototypeOf(v) as object) as Error & Record<string, unknown>;
      for (const [k, x] of Object.entries(v)) copy[k] = walk(x, depth + 1);
      copy.message = text(v.message);
      if (v.stack) copy.stack = text(v.stack);
      if (v.cause !== undefined) copy.cause = walk(v.cause, depth + 1);
      return copy;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
  };
  return (v) => walk(v, 0);
}

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The Temporal SDK's Logger interface over pino (Runtime.install({ logger })). */
export function sdkLogger(log: Logger): SdkLogger {
  const write = (level: SdkLogLevel, message: string, meta?: LogMetadata) => {
    log[PINO_LEVEL[level] ?? 'info'](meta ? sdkFields(meta) : {}, message);
  };
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}

/** The SDK's metadata with Freshet's names: runId for the workflow's run, no task token (long, and a capability). */
function sdkFields(meta: LogMetadata): Record<string, unknown> {
  const { workflowRunId, taskToken: _token, ...rest } = meta as Record<string, unknown>;
  return workflowRunId === undefined ? rest : { ...rest, runId: workflowRunId };
}
