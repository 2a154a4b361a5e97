import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, describeConfig, loadConfig, type ConfigVariable } from './config.ts';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env, '/work');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
};

describe('configuration', () => {
  it('gives the embedded defaults with no variable set', () => {
    const c = loadConfig({}, '/work');
    expect(c).toMatchObject({
      temporalAddress: '127.0.0.1:7233',
      embeddedTemporal: true,
      namespace: 'default',
      taskQueue: 'freshet',
      warehouse: path.resolve('/work', '.freshet/warehouse'),
      project: path.resolve('/work', 'assets/index.ts'),
      workerActivities: 4,
      logLevel: 'WARN',
      monitorIntervalMs: undefined,
      shutdownGraceMs: 30_000,
      s3: { region: 'us-east-1', pathStyle: false },
      web: { host: '127.0.0.1', port: 8300, token: undefined },
    });
  });

  it('reads every variable into its typed field', () => {
    const c = loadConfig(
      {
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_NAMESPACE: 'features',
        FRESHET_TASK_QUEUE: 'fq',
        FRESHET_WAREHOUSE: 's3://bucket/wh',
        FRESHET_PROJECT: 'proj/index.ts',
        FRESHET_S3_ENDPOINT: 'http://127.0.0.1:9000',
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'id',
        AWS_SECRET_ACCESS_KEY: 'secret',
        FRESHET_DUCKDB_MEMORY: '4GB',
        FRESHET_DUCKDB_THREADS: '2',
        FRESHET_RANGE_BATCH: '32',
        FRESHET_WORKER_ACTIVITIES: '8',
        FRESHET_MONITOR_INTERVAL: '30s',
        FRESHET_SHUTDOWN_GRACE: '2m',
        FRESHET_LOG_LEVEL: 'info',
        FRESHET_WEB_HOST: '0.0.0.0',
        FRESHET_WEB_PORT: '0',
        FRESHET_TOKEN: 't0k',
      },
      '/work',
    );
    expect(c).toMatchObject({
      temporalAddress: 'temporal.internal:7233',
      embeddedTemporal: false,
      namespace: 'features',
      taskQueue: 'fq',
      warehouse: 's3://bucket/wh',
      project: path.resolve('/work', 'proj/index.ts'),
      s3: { endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', accessKeyId: 'id', secretAccessKey: 'secret', pathStyle: true },
      engine: { memoryLimit: '4GB', threads: 2, rangeBatch: 32 },
      workerActivities: 8,
      monitorIntervalMs: 30_000,
      shutdownGraceMs: 120_000,
      logLevel: 'INFO',
      web: { host: '0.0.0.0', port: 0, token: 't0k' },
    });
    expect(loadConfig({ FRESHET_S3_ENDPOINT: 'http://h:9000', FRESHET_S3_PATH_STYLE: 'false' }).s3.pathStyle).toBe(false);
  });

  it.each<[ConfigVariable, string, RegExp]>([
    ['TEMPORAL_ADDRESS', 'localhost', /host:port/],
    ['TEMPORAL_ADDRESS', 'http://x:7233', /host:port/],
    ['FRESHET_TASK_QUEUE', "a queue's", /without spaces or quotes/],
    ['FRESHET_S3_ENDPOINT', 'not a url', /URL/],
    ['FRESHET_S3_PATH_STYLE', 'maybe', /true or false.*'maybe'/],
    ['FRESHET_DUCKDB_MEMORY', 'lots', /amount of memory/],
    ['FRESHET_DUCKDB_THREADS', '0', /whole number from 1/],
    ['FRESHET_DUCKDB_THREADS', '1.5', /whole number/],
    ['FRESHET_RANGE_BATCH', '-3', /whole number/],
    ['FRESHET_WORKER_ACTIVITIES', 'four', /whole number.*'four'/],
    ['FRESHET_MONITOR_INTERVAL', 'soon', /duration/],
    ['FRESHET_SHUTDOWN_GRACE', '30', /duration such as 30s/],
    ['FRESHET_LOG_LEVEL', 'loud', /TRACE, DEBUG, INFO, WARN, ERROR/],
    ['FRESHET_WEB_PORT', '70000', /0 to 65535/],
    ['FRESHET_WEB_PORT', 'http', /whole number/],
    ['FRESHET_TEMPORAL_UI', 'ui', /URL/],
  ])('refuses %s=%j, naming the variable and what is expected', (variable, value, expected) => {
    const problems = problemsOf({ [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0].variable).toBe(variable);
    expect(problems[0].message).toMatch(expected);
  });

  it('reports every bad variable at once', () => {
    const problems = problemsOf({ FRESHET_WEB_PORT: 'x', FRESHET_LOG_LEVEL: 'y', FRESHET_DUCKDB_THREADS: 'z' });
    expect(problems.map((p) => p.variable).sort()).toEqual(['FRESHET_DUCKDB_THREADS', 'FRESHET_LOG_LEVEL', 'FRESHET_WEB_PORT']);
  });

  it('never puts a secret in its error message', () => {
    const err = (() => {
      try {
        loadConfig({ AWS_SECRET_ACCESS_KEY: 'hunter2', FRESHET_TOKEN: 'tok3n', FRESHET_WEB_PORT: 'bad' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/FRESHET_WEB_PORT/);
    expect(err?.message).not.toMatch(/hunter2|tok3n/);
  });

  it('describes the configuration in effect: sources, values, secrets masked', () => {
    const rows = describeConfig({ FRESHET_WEB_PORT: '9000', AWS_SECRET_ACCESS_KEY: 'hunter2', FRESHET_TOKEN: 'tok3n' }, '/work');
    const row = (v: string) => rows.find((r) => r.variable === v);
    expect(rows.map((r) => r.variable)).toEqual(Object.keys(configSchema.shape));
    expect(row('FRESHET_WEB_PORT')).toEqual({ variable: 'FRESHET_WEB_PORT', value: '9000', source: 'environment' });
    expect(row('TEMPORAL_ADDRESS')).toEqual({ variable: 'TEMPORAL_ADDRESS', value: '127.0.0.1:7233', source: 'default' });
    expect(row('AWS_SECRET_ACCESS_KEY')).toEqual({ variable: 'AWS_SECRET_ACCESS_KEY', value: '***', source: 'environment' });
    expect(row('FRESHET_TOKEN')?.value).toBe('***');
    expect(JSON.stringify(rows)).not.toMatch(/hunter2|tok3n/);
  });

  it('documents every variable it reads in the README', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const missing = Object.keys(configSchema.shape).filter((v) => !readme.includes(`\`${v}\``));
    expect(missing).toEqual([]);
  });
});
