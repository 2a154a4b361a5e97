import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { kafkaClient } from '../stream/kafka-client.ts';
import { makeTlsFiles } from '../test/support/tls-files.ts';
import { ConfigError, configSchema, describeConfig, loadConfig, SECRET_VARIABLES, type ConfigVariable } from './config.ts';

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
      workerQueues: ['scheduled', 'backfill'],
      workerSlots: 4,
      logLevel: 'WARN',
      logFormat: undefined,
      metrics: { host: '127.0.0.1', port: 0 },
      monitorIntervalMs: undefined,
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
        FRESHET_WORKER_QUEUES: 'backfill',
        FRESHET_WORKER_SLOTS: '8',
        FRESHET_MONITOR_INTERVAL: '30s',
        FRESHET_LOG_LEVEL: 'info',
        FRESHET_LOG_FORMAT: 'JSON',
        FRESHET_METRICS_HOST: '0.0.0.0',
        FRESHET_METRICS_PORT: '9464',
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
      workerQueues: ['backfill'],
      workerSlots: 8,
      monitorIntervalMs: 30_000,
      logLevel: 'INFO',
      logFormat: 'json',
      metrics: { host: '0.0.0.0', port: 9464 },
      web: { host: '0.0.0.0', port: 0, token: 't0k' },
    });
    expect(loadConfig({ FRESHET_S3_ENDPOINT: 'http://h:9000', FRESHET_S3_PATH_STYLE: 'false' }).s3.pathStyle).toBe(false);
  });

  it.each<[ConfigVariable, string, RegExp]>([
    ['TEMPORAL_ADDRESS', 'localhost', /host:port/],
    ['TEMPORAL_ADDRESS', 'http://x:7233', /host:port/],
    ['FRESHET_TASK_QUEUE', "a queue's", /without spaces or quotes/],
    ['FRESHET_TASK_QUEUE', 'features-backfill', /not ending in '-backfill'/],
    ['FRESHET_WORKER_QUEUES', 'scheduled,batch', /scheduled, backfill.*'scheduled,batch'/],
    ['FRESHET_WORKER_QUEUES', 'backfill,backfill', /each once/],
    ['FRESHET_WORKER_QUEUES', ',', /one or more of scheduled, backfill/],
    ['FRESHET_WORKER_SLOTS', '0', /whole number from 1/],
    ['FRESHET_S3_ENDPOINT', 'not a url', /URL/],
    ['FRESHET_S3_PATH_STYLE', 'maybe', /true or false.*'maybe'/],
    ['FRESHET_DUCKDB_MEMORY', 'lots', /amount of memory/],
    ['FRESHET_DUCKDB_THREADS', '0', /whole number from 1/],
    ['FRESHET_DUCKDB_THREADS', '1.5', /whole number/],
    ['FRESHET_RANGE_BATCH', '-3', /whole number/],
    ['FRESHET_WORKER_ACTIVITIES', 'four', /whole number.*'four'/],
    ['FRESHET_MONITOR_INTERVAL', 'soon', /duration/],
    ['FRESHET_LOG_LEVEL', 'loud', /TRACE, DEBUG, INFO, WARN, ERROR/],
    ['FRESHET_LOG_FORMAT', 'xml', /expected json or pretty, got 'xml'/],
    ['FRESHET_LOG_FORMAT', 'text', /json or pretty/],
    ['FRESHET_METRICS_PORT', '65536', /0 to 65535/],
    ['FRESHET_METRICS_PORT', ':9464', /whole number/],
    ['FRESHET_WEB_PORT', '70000', /0 to 65535/],
    ['FRESHET_WEB_PORT', 'http', /whole number/],
    ['FRESHET_TEMPORAL_UI', 'ui', /URL/],
    ['TEMPORAL_TLS', 'sometimes', /true or false.*'sometimes'/],
    ['TEMPORAL_CONFIG_FILE', '/nonexistent/temporal.toml', /no file at \/nonexistent\/temporal\.toml/],
    ['TEMPORAL_PROFILE', 'cloud', /profile 'cloud' asked for, but there is no temporal\.toml.*TEMPORAL_CONFIG_FILE/],
    ['FRESHET_KAFKA_BROKERS', 'kafka', /host:port.*'kafka' is not host:port/],
    ['FRESHET_KAFKA_BROKERS', 'a:9092,,b:9092', /host:port/],
    ['FRESHET_KAFKA_SASL_MECHANISM', 'gssapi', /one of plain, scram-sha-256, scram-sha-512, got 'gssapi'/],
    ['FRESHET_KAFKA_TLS', 'sometimes', /true or false/],
    ['FRESHET_KAFKA_TLS_CA', '/nonexistent/ca.pem', /no file at \/nonexistent\/ca\.pem/],
  ])('refuses %s=%j, naming the variable and what is expected', (variable, value, expected) => {
    const problems = problemsOf({ [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0].variable).toBe(variable);
    expect(problems[0].message).toMatch(expected);
  });

  it('reads the worker queues in any order and spacing, and FRESHET_WORKER_ACTIVITIES as the old name of FRESHET_WORKER_SLOTS', () => {
    expect(loadConfig({ FRESHET_WORKER_QUEUES: ' backfill , scheduled ' }).workerQueues).toEqual(['scheduled', 'backfill']);
    expect(loadConfig({ FRESHET_WORKER_QUEUES: 'scheduled' }).workerQueues).toEqual(['scheduled']);
    expect(loadConfig({ FRESHET_WORKER_ACTIVITIES: '6' }).workerSlots).toBe(6);
    expect(loadConfig({ FRESHET_WORKER_ACTIVITIES: '6', FRESHET_WORKER_SLOTS: '6' }).workerSlots).toBe(6);
    const problems = problemsOf({ FRESHET_WORKER_ACTIVITIES: '6', FRESHET_WORKER_SLOTS: '8' });
    expect(problems).toEqual([
      { variable: 'FRESHET_WORKER_ACTIVITIES', message: expect.stringMatching(/old name of FRESHET_WORKER_SLOTS.*6 and 8/) },
    ]);
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

  it('documents every variable it reads in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const missing = Object.keys(configSchema.shape).filter((v) => !readme.includes(`\`${v}\``));
    expect(missing).toEqual([]);
    // and the other way: each variable in the README's configuration table is one the schema reads
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    const tabled = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
    expect(tabled.length).toBeGreaterThan(40);
    expect(tabled.filter((v) => !(v in configSchema.shape))).toEqual([]);
  });
});

const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('no error');
};

describe('Kafka settings', () => {
  it('reads brokers, client id, SASL and TLS into the connection the workers hand to kafkajs', () => {
    const tls = makeTlsFiles('kafka');
    const c = loadConfig(
      {
        FRESHET_KAFKA_BROKERS: ' k1:9092 , k2:9093',
        FRESHET_KAFKA_CLIENT_ID: 'features',
        FRESHET_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        FRESHET_KAFKA_SASL_USERNAME: 'svc',
        FRESHET_KAFKA_SASL_PASSWORD: 'pa55',
        FRESHET_KAFKA_TLS_CA: path.basename(tls.cert),
      },
      tls.dir,
    );
    expect(c.kafka).toEqual({
      brokers: ['k1:9092', 'k2:9093'],
      clientId: 'features',
      sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 'pa55' },
      tls: { ca: tls.certPem },
    });
    expect(loadConfig({}).kafka).toEqual({ clientId: 'freshet-stream' });
    expect(loadConfig({ FRESHET_KAFKA_TLS: 'yes' }).kafka.tls).toEqual({});
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'])(
    'refuses SASL %s without a password or username, naming the one missing',
    (mechanism) => {
      const noPassword = errorOf(() => loadConfig({ FRESHET_KAFKA_SASL_MECHANISM: mechanism, FRESHET_KAFKA_SASL_USERNAME: 'svc' }));
      expect(noPassword.problems).toEqual([
        { variable: 'FRESHET_KAFKA_SASL_PASSWORD', message: `required with FRESHET_KAFKA_SASL_MECHANISM=${mechanism}` },
      ]);
      const noUser = errorOf(() => loadConfig({ FRESHET_KAFKA_SASL_MECHANISM: mechanism, FRESHET_KAFKA_SASL_PASSWORD: 'pa55' }));
      expect(noUser.problems.map((p) => p.variable)).toEqual(['FRESHET_KAFKA_SASL_USERNAME']);
      expect(noUser.message).not.toContain('pa55');
    },
  );

  it('refuses credentials without a mechanism, and a CA with TLS switched off', () => {
    expect(errorOf(() => loadConfig({ FRESHET_KAFKA_SASL_PASSWORD: 'pa55' })).problems).toEqual([
      {
        variable: 'FRESHET_KAFKA_SASL_MECHANISM',
        message: 'a SASL password is set but no mechanism: set it to plain, scram-sha-256, scram-sha-512',
      },
    ]);
    const tls = makeTlsFiles('kafka-off');
    expect(errorOf(() => loadConfig({ FRESHET_KAFKA_TLS: 'false', FRESHET_KAFKA_TLS_CA: tls.cert })).problems[0].variable).toBe(
      'FRESHET_KAFKA_TLS_CA',
    );
    // a key is not a CA certificate
    expect(errorOf(() => loadConfig({ FRESHET_KAFKA_TLS_CA: tls.key })).problems).toEqual([
      { variable: 'FRESHET_KAFKA_TLS_CA', message: `${tls.key} does not hold a PEM certificate` },
    ]);
  });

  it("gives kafkajs the source's brokers or else the configured ones, and says which variable to set when neither is there", () => {
    expect(kafkaClient({ brokers: ['k1:9092'] }, ['src:9092']).brokers).toEqual(['src:9092']);
    expect(kafkaClient({ brokers: ['k1:9092'] }, undefined).brokers).toEqual(['k1:9092']);
    expect(() => kafkaClient({}, [])).toThrow(/FRESHET_KAFKA_BROKERS/);
  });
});

describe('secrets', () => {
  it('lists every secret variable', () => {
    expect([...SECRET_VARIABLES].sort()).toEqual(
      ['AWS_SECRET_ACCESS_KEY', 'FRESHET_KAFKA_SASL_PASSWORD', 'FRESHET_TOKEN', 'TEMPORAL_API_KEY', 'TEMPORAL_TLS_CLIENT_KEY_DATA'].sort(),
    );
  });

  it('keeps every secret out of JSON and console views of the configuration', () => {
    const tls = makeTlsFiles('secrets');
    const c = loadConfig({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_API_KEY: 'api-k3y-value',
      TEMPORAL_TLS_CLIENT_CERT_PATH: tls.cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: tls.key,
      FRESHET_KAFKA_SASL_MECHANISM: 'plain',
      FRESHET_KAFKA_SASL_USERNAME: 'svc',
      FRESHET_KAFKA_SASL_PASSWORD: 'sasl-pa55-value',
      AWS_SECRET_ACCESS_KEY: 'aws-s3cret-value',
      FRESHET_TOKEN: 'web-t0ken-value',
    });
    // the values are there for the connections...
    expect(c.temporal.apiKey).toBe('api-k3y-value');
    expect(c.kafka.sasl?.password).toBe('sasl-pa55-value');
    expect([c.s3.secretAccessKey, c.web.token]).toEqual(['aws-s3cret-value', 'web-t0ken-value']);
    const keyBody = tls.keyPem.split('\n')[1];
    expect(Buffer.from((c.temporal.tls as { clientCertPair: { key: Uint8Array } }).clientCertPair.key).toString()).toContain(keyBody);
    // ...and in no view of the configuration
    for (const view of [
      JSON.stringify(c),
      inspect(c, { depth: 10 }),
      JSON.stringify(describeConfig({ TEMPORAL_API_KEY: 'api-k3y-value', TEMPORAL_ADDRESS: 'h:1' })),
    ]) {
      expect(view).not.toMatch(/api-k3y-value|sasl-pa55-value|aws-s3cret-value|web-t0ken-value/);
      expect(view).not.toContain(keyBody);
    }
  });
});

describe('where values come from', () => {
  it('takes a variable from the environment over freshet.config.ts over the default, and says which (property)', () => {
    const port = fc.integer({ min: 0, max: 65_535 }).map(String);
    fc.assert(
      fc.property(fc.option(port, { nil: undefined }), fc.option(port, { nil: undefined }), (fromEnv, fromFile) => {
        const file = { path: '/work/freshet.config.ts', values: fromFile === undefined ? {} : { FRESHET_WEB_PORT: fromFile } };
        const env = fromEnv === undefined ? {} : { FRESHET_WEB_PORT: fromEnv };
        expect(loadConfig(env, '/work', file).web.port).toBe(Number(fromEnv ?? fromFile ?? 8300));
        const row = describeConfig(env, '/work', file).find((r) => r.variable === 'FRESHET_WEB_PORT');
        expect(row?.source).toBe(fromEnv !== undefined ? 'environment' : fromFile !== undefined ? 'freshet.config.ts' : 'default');
      }),
    );
  });

  it('names freshet.config.ts and the key when a value from it is bad', () => {
    const file = { path: '/work/freshet.config.ts', values: { FRESHET_WEB_PORT: 'http' } };
    const err = errorOf(() => loadConfig({}, '/work', file));
    expect(err.problems).toEqual([
      { variable: 'FRESHET_WEB_PORT', message: "expected a whole number from 0 to 65535, got 'http' (set in /work/freshet.config.ts)" },
    ]);
    // a cross-variable problem too
    const sasl = errorOf(() =>
      loadConfig({}, '/work', { ...file, values: { FRESHET_KAFKA_SASL_MECHANISM: 'plain', FRESHET_KAFKA_SASL_USERNAME: 'u' } }),
    );
    expect(sasl.problems).toEqual([
      { variable: 'FRESHET_KAFKA_SASL_PASSWORD', message: 'required with FRESHET_KAFKA_SASL_MECHANISM=plain' },
    ]);
    // the environment fixes a bad file value
    expect(loadConfig({ FRESHET_WEB_PORT: '9000' }, '/work', file).web.port).toBe(9000);
  });

  it('leaves reading configuration variables to runtime/: no other production module reads one from process.env', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const production = [
      'activities',
      'cli',
      'contract',
      'control',
      'core',
      'delta',
      'engine',
      'runtime',
      'schedules',
      'services',
      'storage',
      'stream',
      'web',
      'workflows',
    ];
    const known = new Set(Object.keys(configSchema.shape));
    const reads: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory() && e.name !== 'node_modules') walk(p);
        else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.test.ts')) {
          for (const m of readFileSync(p, 'utf8').matchAll(/process\.env(?:\.([A-Z0-9_]+)|\[['"]([A-Z0-9_]+)['"]\])/g)) {
            if (known.has(m[1] ?? m[2])) reads.push(`${path.relative(root, p)}: ${m[1] ?? m[2]}`);
          }
        }
      }
    };
    for (const d of production) walk(path.join(root, d));
    expect(reads).toEqual([]);
  });
});
