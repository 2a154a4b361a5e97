// Hot keys: events/s of the window operator (decode + process, one core) on a skewed stream,
// with and without local pre-aggregation (hotKeys.preAggregate), and a check that both give
// the same rows. Records are generated up front so only the operator is timed.
//
//   node --import tsx bench/stream-hotkeys.ts        (BENCH_EVENTS=1000000 BENCH_HOT=0.5 BENCH_KEYS=1000)
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { count, distinctCount, frequency, last, max, sliding, streamingAsset, sum } from '../core/streaming.ts';
import type { AggregateSpec } from '../core/streaming.ts';
import type { SourceBatch } from '../stream/batch.ts';
import { newEventBatch } from '../stream/batch.ts';
import { makeDecoder } from '../stream/decode.ts';
import { WindowOperator } from '../stream/operator.ts';
import type { WindowRow } from '../stream/operator.ts';
import { generatorSource } from '../stream/source-generator.ts';
import type { GeneratorContext } from '../stream/source-generator.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const HOT = Number(process.env.BENCH_HOT ?? 0.5);
const RUNS = 2;
const COLD_KEYS = Number(process.env.BENCH_KEYS ?? 1_000);

/** HOT of the events on user 'hot', the rest over BENCH_KEYS users (default 1 000); 10 000 events per second of event time. */
function skewed(ctx: GeneratorContext): Record<string, unknown> {
  const r = ctx.random;
  const user = r() < HOT ? 'hot' : `u${Math.floor(r() * COLD_KEYS)}`;
  return {
    id: ctx.index,
    user_id: user,
    amount: Math.floor(r() * 10_000),
    merchant: `m${Math.floor(r() * 500)}`,
    category: `c${Math.floor(r() * r() * 8)}`,
    ts: ctx.time,
  };
}

const SETS: Record<string, Record<string, AggregateSpec>> = {
  count_sum_max: { n: count(), spend: sum('amount'), top: max('amount') },
  sketches: { n: count(), merchants: distinctCount('merchant'), cats: frequency('category'), last_merchant: last('merchant') },
};

async function records(): Promise<SourceBatch[]> {
  const src = generatorSource({
    eventsPerSecond: 10_000,
    limit: N,
    disorder: { probability: 0.1, maxDelayMs: 3_000 },
    make: skewed,
    seed: 3,
  });
  await src.open({});
  const out: SourceBatch[] = [];
  for (let b = await src.poll(4096, 0); b; b = await src.poll(4096, 0)) out.push(...b);
  return out;
}

function runOnce(aggregates: Record<string, AggregateSpec>, input: SourceBatch[], preAggregate: boolean) {
  const asset = streamingAsset({
    name: 'hot',
    source: 's',
    key: 'user_id',
    eventTime: 'ts',
    window: sliding('10s', '2s'),
    aggregates,
    watermark: { maxOutOfOrderness: '3s' },
    allowedLateness: '2s',
    dedupBy: 'id',
  });
  const op = new WindowOperator(asset, { preAggregate });
  const dec = makeDecoder(asset, op.aggs);
  const b = newEventBatch(4096, op.aggs.numericFields.length, op.aggs.valueFields.length);
  const rows: WindowRow[] = [];
  const started = performance.now();
  for (const sb of input) {
    let at = 0;
    while (at < sb.records.length) {
      b.size = 0;
      at = dec.decode(sb, at, b, []);
      op.process(b);
    }
    const out = op.drain();
    for (const r of out.rows) rows.push(r);
  }
  const seconds = (performance.now() - started) / 1000;
  return { eventsPerSecond: N / seconds, rows, folded: op.metrics.preAggregated / op.metrics.events };
}

async function main(): Promise<void> {
  const input = await records();
  const results: Record<string, unknown> = {};
  for (const [name, aggs] of Object.entries(SETS)) {
    const best = { off: 0, on: 0 };
    let same = true;
    let folded = 0;
    for (let i = 0; i < RUNS; i++) {
      const off = runOnce(aggs, input, false);
      const on = runOnce(aggs, input, true);
      best.off = Math.max(best.off, off.eventsPerSecond);
      best.on = Math.max(best.on, on.eventsPerSecond);
      folded = on.folded;
      same &&= JSON.stringify(on.rows) === JSON.stringify(off.rows);
    }
    results[name] = {
      events_per_s_without: Math.round(best.off),
      events_per_s_with: Math.round(best.on),
      speedup: Number((best.on / best.off).toFixed(3)),
      share_pre_aggregated: Number(folded.toFixed(3)),
      same_rows: same,
    };
    console.error('[bench/stream-hotkeys]', name, results[name]);
  }
  const out = {
    events: N,
    hot_share: HOT,
    cold_keys: COLD_KEYS,
    window: "sliding('10s', '2s')",
    results,
    node: process.version,
    at: new Date().toISOString(),
  };
  await fs.writeFile(path.join(here, 'results', 'stream-hotkeys.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out, null, 2));
}

await main();
