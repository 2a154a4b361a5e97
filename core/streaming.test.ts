import { describe, expect, it } from 'vitest';
import {
  aggregateOutputType,
  count,
  distinctCount,
  frequency,
  last,
  sliding,
  session,
  streamingAsset,
  sum,
  topK,
  tumbling,
} from './streaming.ts';

const base = {
  name: 'purchases_last_5m',
  source: 'transactions',
  key: 'user_id',
  eventTime: 'ts',
  window: sliding('5m', '1m'),
  aggregates: { purchases: count(), spend: sum('amount') },
};

describe('window constructors', () => {
  it('parse durations', () => {
    expect(sliding('5m', '1m')).toEqual({ kind: 'sliding', sizeMs: 300_000, slideMs: 60_000 });
    expect(tumbling('1m')).toEqual({ kind: 'tumbling', sizeMs: 60_000 });
    expect(session('30s')).toEqual({ kind: 'session', gapMs: 30_000 });
  });
  it('refuse slides that do not tile the window, and say what would', () => {
    expect(() => sliding('5m', '2m')).toThrow(/whole multiple of the slide.*sliding\('5m', '100s'\)/);
    expect(() => sliding('1m', '5m')).toThrow(/slide is longer than the window/);
    expect(() => tumbling('0s')).toThrow(/longer than 0/);
    expect(() => session('soon')).toThrow(/'soon'.*'500ms'/);
  });
});

describe('aggregate constructors', () => {
  it('carry defaults and output types', () => {
    expect(distinctCount('merchant')).toEqual({ kind: 'distinctCount', field: 'merchant', precision: 12 });
    expect(frequency('category')).toMatchObject({ epsilon: 0.01, delta: 0.01, top: 10 });
    expect(aggregateOutputType(count())).toBe('long');
    expect(aggregateOutputType(sum('x'))).toBe('double');
    expect(aggregateOutputType(last('x', { type: 'long' }))).toBe('long');
    expect(aggregateOutputType(topK('genre', 5))).toBe('string');
  });
  it('name the bad argument', () => {
    expect(() => sum('')).toThrow(/sum\(""\).*sum\('amount'\)/);
    expect(() => distinctCount('m', { precision: 30 })).toThrow(/precision must be a whole number from 4 to 16/);
    expect(() => frequency('c', { epsilon: 2 })).toThrow(/epsilon must be between 0 and 1/);
    expect(() => topK('g', 10, { maxBytes: 100 })).toThrow(/at least 640 bytes/);
  });
});

describe('streamingAsset', () => {
  it('normalizes the declaration and derives ttl and dedup horizon', () => {
    const a = streamingAsset({
      ...base,
      watermark: { maxOutOfOrderness: '30s', idleTimeout: '1m' },
      allowedLateness: '10s',
      dedupBy: 'id',
    });
    expect(a).toMatchObject({
      kind: 'streaming',
      key: ['user_id'],
      source: 'transactions',
      maxOutOfOrdernessMs: 30_000,
      idleTimeoutMs: 60_000,
      allowedLatenessMs: 10_000,
      ttlMs: 340_000,
      dedupHorizonMs: 340_000,
      dedupBy: 'id',
    });
    expect(streamingAsset({ ...base, source: { name: 'tx' }, key: ['a', 'b'] })).toMatchObject({
      source: 'tx',
      key: ['a', 'b'],
      idleTimeoutMs: undefined,
    });
  });
  it('bounds event time ahead of the clock: maxFutureSkew, 5 minutes unless declared', () => {
    expect(streamingAsset(base).maxFutureSkewMs).toBe(300_000);
    expect(streamingAsset({ ...base, watermark: { maxFutureSkew: '30s' } }).maxFutureSkewMs).toBe(30_000);
    expect(streamingAsset({ ...base, watermark: { maxFutureSkew: '0s' } }).maxFutureSkewMs).toBe(0);
    expect(() => streamingAsset({ ...base, watermark: { maxFutureSkew: 'soon' } })).toThrow(/watermark.maxFutureSkew: Duration 'soon'/);
    expect(() => streamingAsset({ ...base, watermark: { maxFutureSkw: '1m' } as never })).toThrow(
      /watermark.maxFutureSkw is not an option; use maxOutOfOrderness, idleTimeout, maxFutureSkew/,
    );
  });
  it('names the field and the fix for each mistake', () => {
    expect(() => streamingAsset({ ...base, name: 'Bad-Name' })).toThrow(/name must start with a lowercase letter/);
    expect(() => streamingAsset({ ...base, source: '' })).toThrow(/source is missing/);
    expect(() => streamingAsset({ ...base, key: [] })).toThrow(/key is missing/);
    expect(() => streamingAsset({ ...base, eventTime: '' })).toThrow(/eventTime must name an event field/);
    expect(() => streamingAsset({ ...base, aggregates: {} })).toThrow(/aggregates is empty/);
    expect(() => streamingAsset({ ...base, aggregates: { window_start: count() } })).toThrow(/clashes/);
    expect(() => streamingAsset({ ...base, watermark: { maxOutOfOrderness: '30 seconds' } })).toThrow(
      /watermark.maxOutOfOrderness: Duration '30 seconds'/,
    );
    expect(() => streamingAsset({ ...base, ttl: '1m' })).toThrow(/ttl '1m' is shorter than the window/);
    expect(() => streamingAsset({ ...base, window: undefined as never })).toThrow(/window is missing/);
  });
});
