import fc from 'fast-check';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { workFields } from './activity-log.ts';
import { loadConfig } from './config.ts';
import { ApplicationFailure } from '@temporalio/common';
import { createLogger, loggerFor, sdkLogger, secretValues, type LoggerOptions } from './logger.ts';

/** A logger writing into memory, and the lines it wrote. */
function capture(opts: Partial<LoggerOptions> = {}) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ level: 'TRACE', format: 'json', name: 'freshet-test', destination, ...opts });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, text, lines };
}

/** Every string value in a parsed line, however deep (keys left out). */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

describe('the process logger', () => {
  it('writes one JSON object per line with level, ISO time, name and the fields given', () => {
    const { log, lines } = capture();
    log.info({ asset: 'clicks', partition: '2026-01-02' }, 'materialized');
    const [line] = lines();
    expect(line).toMatchObject({ level: 'info', name: 'freshet-test', asset: 'clicks', partition: '2026-01-02', msg: 'materialized' });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('drops lines below its level', () => {
    const { log, lines } = capture({ level: 'WARN' });
    log.info('not shown');
    log.warn('shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
  });

  it('redacts secret fields wherever they sit in the object', () => {
    const { log, text, lines } = capture();
    log.warn(
      {
        AWS_SECRET_ACCESS_KEY: 'aws-secret-1',
        FRESHET_TOKEN: 'web-token-2',
        token: 'web-token-3',
        s3: { secretAccessKey: 'aws-secret-4', region: 'eu-west-1' },
        config: { web: { token: 'web-token-5' } },
        headers: { authorization: 'Bearer web-token-6' },
      },
      'settings',
    );
    expect(text()).not.toMatch(/aws-secret|web-token/);
    expect(lines()[0]).toMatchObject({ token: '[Redacted]', s3: { secretAccessKey: '[Redacted]', region: 'eu-west-1' } });
  });

  it('scrubs the configured secret values from messages, errors and nested values (property)', () => {
    const secretArb = fc.stringMatching(/^[A-Za-z0-9+/]{8,40}$/);
    fc.assert(
      fc.property(secretArb, fc.string(), fc.string(), (secret, before, after) => {
        const { log, lines } = capture({ secrets: [secret] });
        const text = `${before}${secret}${after}`;
        log.error({ err: new Error(`connect failed: ${text}`), url: `http://u:${secret}@h`, list: [{ deep: text }] }, text);
        log.warn(text);
        log.warn({ err: new TypeError(text, { cause: new Error(text) }) }, 'with a cause');
        for (const line of lines()) {
          const { time: _t, pid: _p, hostname: _h, ...rest } = line;
          for (const s of strings(rest)) expect(s).not.toContain(secret);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the type of an error it scrubbed', () => {
    const { log, lines } = capture({ secrets: ['hunter2-value'] });
    log.error({ err: new RangeError('bad key hunter2-value') }, 'failed');
    expect(lines()[0].err).toMatchObject({ type: 'RangeError', message: 'bad key [Redacted]' });
  });

  it('takes the secrets from the configuration: FRESHET_TOKEN and AWS_SECRET_ACCESS_KEY never reach a line', () => {
    const env = { FRESHET_TOKEN: 'tok3n-value', AWS_SECRET_ACCESS_KEY: 'hunter2-value', FRESHET_LOG_FORMAT: 'json' };
    const config = loadConfig(env, '/work');
    expect(secretValues(config, env).sort()).toEqual(['hunter2-value', 'hunter2-value', 'tok3n-value', 'tok3n-value'].sort());
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const log = loggerFor({ ...config, logLevel: 'INFO' }, 'freshet-test', { destination, secrets: secretValues(config, env) });
    log.info(`S3 said: signature for hunter2-value did not match; token tok3n-value`);
    log.info({ config }, 'configuration');
    const out = chunks.join('');
    expect(out).toContain('signature for [Redacted]');
    expect(out).not.toMatch(/hunter2|tok3n/);
  });

  it('pretty format writes readable text, not JSON', () => {
    const { log, text } = capture({ format: 'pretty' });
    log.warn({ asset: 'clicks' }, 'slow partition');
    expect(text()).toMatch(/WARN.*slow partition/);
    expect(text()).toMatch(/asset: "clicks"/);
    expect(() => JSON.parse(text().split('\n')[0])).toThrow();
  });
});

describe("the Temporal SDK's logger over pino", () => {
  it('maps levels and names the run runId, without the task token', () => {
    const { log, lines } = capture({ level: 'DEBUG' });
    const sdk = sdkLogger(log);
    sdk.debug('Activity completed', {
      sdkComponent: 'worker',
      workflowId: 'freshet-backfill-1',
      workflowRunId: 'run-1',
      attempt: 2,
      taskToken: 'dG9rZW4=',
      asset: 'clicks',
      partition: '2026-01-02',
    });
    sdk.log('ERROR', 'boom');
    sdk.trace('below the level');
    const [first, second] = lines();
    expect(first).toMatchObject({
      level: 'debug',
      msg: 'Activity completed',
      workflowId: 'freshet-backfill-1',
      runId: 'run-1',
      attempt: 2,
      asset: 'clicks',
      partition: '2026-01-02',
    });
    expect(first).not.toHaveProperty('taskToken');
    expect(first).not.toHaveProperty('workflowRunId');
    expect(second).toMatchObject({ level: 'error', msg: 'boom' });
    expect(lines()).toHaveLength(2);
  });

  it.each([
    ['an ApplicationFailure', ApplicationFailure.nonRetryable('partition 2026-01-30 needs partitions of transactions', 'Error')],
    ['a plain Error', new Error('partition 2026-01-30 needs partitions of transactions')],
    ['an Error with a cause', new Error('partition 2026-01-30 needs partitions of transactions', { cause: new Error('ENOENT') })],
  ])("writes the message and stack of %s the SDK hands over as `error`, not '{}'", (_name, error) => {
    const { log, lines } = capture();
    sdkLogger(log).warn('Activity failed', { activityType: 'materializePartition', error });
    const [line] = lines();
    expect(line.error).toMatchObject({
      message: expect.stringMatching(/^partition 2026-01-30 needs partitions of transactions/) as unknown,
    });
    expect(String((line.error as { stack?: string }).stack)).toMatch(/needs partitions/);
  });
});

describe("an activity's log fields", () => {
  it.each([
    [
      { asset: 'clicks', partition: '2026-01-02', txnVersion: 1 },
      { asset: 'clicks', partition: '2026-01-02' },
    ],
    [
      { asset: 'clicks', partitions: ['2026-01-01', '2026-01-02', '2026-01-03'] },
      { asset: 'clicks', partition: '2026-01-01..2026-01-03', partitions: 3 },
    ],
    [
      { asset: 'clicks', partitions: [''] },
      { asset: 'clicks', partition: '', partitions: 1 },
    ],
    [
      { asset: 'spend', shard: { index: 2, count: 4 } },
      { asset: 'spend', shard: 2 },
    ],
    [{ assets: ['a'] }, {}],
    [undefined, {}],
    ['text', {}],
  ])('%j gives %j', (arg, fields) => {
    expect(workFields(arg)).toEqual(fields);
  });
});
