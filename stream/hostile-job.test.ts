// A real job run (file source, Delta sink, checkpoints, a crash and a restore) survives hostile
// events: its windows equal DuckDB's over the valid events, and dead_letters holds exactly the
// invalid ones, each once, with its reason.
import fc from 'fast-check';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamingAsset } from '../core/streaming.ts';
import type { StreamingAssetInput } from '../core/streaming.ts';
import { loadSnapshot, readRows } from '../delta/index.ts';
import type { LocalStore } from '../storage/local.ts';
import type { ObjectStore } from '../storage/types.ts';
import { hostileEvent, jsonOf } from '../test/fixtures/hostile-events.ts';
import type { CanonicalPurchase } from '../test/fixtures/hostile-events.ts';
import { referenceWindows, sinkWindows } from '../test/stream-reference.ts';
import type { DeadLetterReason } from './decode.ts';
import { runStreamingJob } from './job.ts';
import { fileSource } from './source-file.ts';
import type { StreamSource } from './source.ts';
import { spendPerUserInput, tempStores } from '../test/support/stream/test-assets.ts';

const stores = tempStores('freshet-hostile');
afterAll(stores.cleanup);

const spendInput: StreamingAssetInput = { ...spendPerUserInput, name: 'spend_hostile' };
const SKEW = 5 * 60_000;

/** A source that dies after `polls` polls, like a killed worker. */
function dying(src: StreamSource, polls: number): StreamSource {
  let n = 0;
  return {
    ...src,
    async poll(max, wait) {
      if (++n > polls) throw new Error('worker killed');
      return src.poll(max, wait);
    },
  };
}

function run(store: LocalStore, source: StreamSource, input = spendInput) {
  return runStreamingJob({
    job: streamingAsset(input),
    store,
    sinkTable: store.at('sink'),
    source,
    checkpointIntervalMs: 0,
    compactEvery: 4,
    signal: new AbortController().signal,
    batchSize: 200,
  });
}

/** `n` valid purchases an hour behind the clock, up to 1.5 s out of order (the bound is 2 s: none is late). */
function purchases(n: number, now: number): CanonicalPurchase[] {
  const start = now - 3_600_000;
  return Array.from({ length: n }, (_, i) => ({
    id: `e${i}`,
    user_id: `u${(i * 7) % 13}`,
    amount: ((i * 37) % 1_000) / 100,
    ts: start + i * 40 - ((i * 5) % 4) * 500,
  }));
}

async function rowsOf(table: ObjectStore): Promise<Array<Record<string, unknown>>> {
  const snap = await loadSnapshot(table);
  return snap ? readRows(table, snap) : [];
}

async function expectReference(store: LocalStore, valid: CanonicalPurchase[], watermark: number) {
  const sink = await sinkWindows(store.at('sink'));
  expect(sink.doubled).toBe(0);
  const want = await referenceWindows(valid as Parameters<typeof referenceWindows>[0], watermark);
  expect(want.size).toBeGreaterThan(50);
  expect(sink.windows).toEqual(want);
}

describe('a streaming job and hostile events', () => {
  it('survives every kind of hostile event through a crash and a restore', async () => {
    const now = Date.now();
    const valid = purchases(3_000, now);
    const t = valid[0].ts;
    const hostile: Array<[string, DeadLetterReason]> = [
      ['{oops', 'invalid-json'],
      ['[1]', 'not-an-object'],
      ['"a string"', 'not-an-object'],
      [`{"id":"h1","user_id":"u1","amount":1,"ts":1e20}`, 'event-time'],
      [`{"id":"h2","user_id":"u1","amount":1,"ts":-5}`, 'event-time'],
      [`{"id":"h3","user_id":"u1","amount":1,"ts":${t}.5}`, 'event-time'],
      [`{"id":"h4","user_id":"u1","amount":1,"ts":1e400}`, 'event-time'],
      [`{"id":"h5","user_id":"u1","amount":1,"ts":"2026-01-01T10:00:00"}`, 'event-time'],
      [`{"id":"h6","user_id":"u1","amount":1,"ts":${now + 100 * 365 * 86_400_000}}`, 'future-skew'],
      [`{"id":"h7","user_id":"u1","amount":1,"ts":${now + 10 * 60_000}}`, 'future-skew'],
      [`{"id":"h8","user_id":{},"amount":1,"ts":${t}}`, 'key'],
      [`{"id":"h9","user_id":[1],"amount":1,"ts":${t}}`, 'key'],
      [`{"id":"h10","user_id":true,"amount":1,"ts":${t}}`, 'key'],
      [`{"id":"h11","user_id":12345678901234567890,"amount":1,"ts":${t}}`, 'key'],
      [`{"id":{},"user_id":"u1","amount":1,"ts":${t}}`, 'dedup-id'],
      [`{"id":"h13","user_id":"u1","amount":[5],"ts":${t}}`, 'field'],
      [`{"id":"h14","user_id":"u1","amount":true,"ts":${t}}`, 'field'],
      [`{"id":"h15","user_id":"u1","amount":{"v":5},"ts":${t}}`, 'field'],
      [`{"id":"h16","user_id":"u1","amount":"0x10","ts":${t}}`, 'field'],
      [`{"id":"h17","user_id":"u1","amount":1e400,"ts":${t}}`, 'field'],
    ];
    // hostile lines on both sides of the crash: the restored run must neither stop on them nor
    // dead-letter one twice
    const lines = valid.map((e) => JSON.stringify(e));
    hostile.forEach(([line], j) => lines.splice(50 + j * 60, 0, line));
    const store = await stores.make();
    const file = path.join(store.uri, 'events.jsonl');
    await fs.writeFile(file, `${lines.join('\n')}\n`);

    await expect(run(store, dying(fileSource(file, { chunkBytes: 8_192 }), 4))).rejects.toThrow('worker killed');
    const done = await run(store, fileSource(file, { chunkBytes: 8_192 }));
    expect(done.reason).toBe('source-exhausted');
    expect(done.metrics.restoredFrom).toBeGreaterThan(0);
    expect(done.metrics.watermark).toBeLessThan(now);
    expect(done.metrics.late).toBe(0);
    await expectReference(store, valid, done.metrics.watermark);

    const dead = await rowsOf(store.at('dead_letters'));
    expect(dead.map((d) => [d.raw, d.reason]).sort()).toEqual(hostile.map(([line, reason]) => [line, reason]).sort());
    for (const d of dead) expect(String(d.error).length).toBeGreaterThan(10);
    // status shows this run's dead letters by reason
    const thisRun: Record<string, number> = {};
    for (const d of dead)
      if (Number(d.checkpoint_id) > done.metrics.restoredFrom) thisRun[String(d.reason)] = (thisRun[String(d.reason)] ?? 0) + 1;
    expect(done.metrics.deadLettersByReason).toEqual(thisRun);
    expect(await rowsOf(store.at('late_events'))).toEqual([]);
  }, 120_000);

  it('survives any single hostile event: windows equal DuckDB over the others (property)', async () => {
    const now = Date.now();
    const valid = purchases(600, now);
    // events a file can hold: a value JSON cannot spell (NaN) would be written as null, a different event
    const one = fc
      .tuple(
        hostileEvent({ now, skewMs: SKEW, futureMarginMs: 10 * 60_000 }, 10_000, valid[300].ts),
        fc.integer({ min: 0, max: valid.length }),
      )
      .filter(([e]) => typeof jsonOf(e.record) === 'string');
    await fc.assert(
      fc.asyncProperty(one, async ([bad, at]) => {
        const lines = valid.map((e) => JSON.stringify(e));
        const line = JSON.stringify(bad.record);
        lines.splice(at, 0, line);
        const store = await stores.make();
        const file = path.join(store.uri, 'events.jsonl');
        await fs.writeFile(file, `${lines.join('\n')}\n`);
        const done = await run(store, fileSource(file));
        expect(done.reason).toBe('source-exhausted');
        await expectReference(store, valid, done.metrics.watermark);
        const dead = await rowsOf(store.at('dead_letters'));
        expect(dead.map((d) => [d.raw, d.reason])).toEqual([[line, bad.reason]]);
        expect(done.metrics.deadLettersByReason).toEqual({ [bad.reason!]: 1 });
      }),
      { numRuns: 6 },
    );
  }, 300_000);

  it('resets a checkpoint blinded by a far-future event before the fix, and computes windows again', async () => {
    // test/fixtures/stream-checkpoints/v1-blinded: the spend job after an event 100 years ahead;
    // its offset (401) is where this file's events start
    const fixture = path.join(import.meta.dirname, '../test/fixtures/stream-checkpoints/v1-blinded');
    const what = JSON.parse(await fs.readFile(path.join(fixture, 'what.json'), 'utf8')) as { t0: number; watermark: number };
    const store = await stores.make();
    await fs.cp(path.join(fixture, 'checkpoints'), path.join(store.uri, 'checkpoints'), { recursive: true });
    const after: CanonicalPurchase[] = Array.from({ length: 600 }, (_, i) => ({
      id: `n${i}`,
      user_id: `u${i % 5}`,
      amount: i % 10,
      ts: what.t0 + 40_000 + i * 100,
    }));
    const file = path.join(store.uri, 'events.jsonl');
    await fs.writeFile(file, `${'x'.repeat(400)}\n${after.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const input = { ...spendInput, name: 'ckpt_v1_blinded' };
    const done = await run(store, fileSource(file), input);
    expect(done.metrics.restoredFrom).toBe(1);
    expect(done.metrics.restoreReset).toEqual({ watermark: what.watermark, partitions: [0], panes: 1, keys: 1, ids: 1 });
    expect(done.metrics.late).toBe(0);
    expect(done.metrics.watermark).toBe(after[after.length - 1].ts - 2_001);
    await expectReference(store, after, done.metrics.watermark);
  }, 120_000);
});
