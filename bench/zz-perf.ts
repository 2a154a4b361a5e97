import { count, sliding, streamingAsset } from '/work/main/core/streaming.ts';
import { newEventBatch } from '/work/main/stream/batch.ts';
import { makeDecoder } from '/work/main/stream/decode.ts';
import { WindowOperator } from '/work/main/stream/operator.ts';
import { generatorSource } from '/work/main/stream/source-generator.ts';
const asset = streamingAsset({ name: 'q5', source: 'bids', key: 'auction', eventTime: 'ts', window: sliding('10s', '2s'), aggregates: { bids: count() }, watermark: { maxOutOfOrderness: '1s' } });
const N = 5_000_000;
const src = generatorSource({ eventsPerSecond: 100_000, limit: N, make: (c) => ({ auction: (c.random() < 0.5 ? 1000 : Math.floor(c.random() * 10000)), ts: c.time }) });
await src.open({});
const op = new WindowOperator(asset);
const dec = makeDecoder(asset, op.aggs);
const b = newEventBatch(4096, 0, 0);
let t0 = performance.now(); let genMs = 0; let n = 0; let rows = 0;
for (;;) {
  const g0 = performance.now();
  const batches = await src.poll(4096, 0);
  genMs += performance.now() - g0;
  if (!batches) break;
  for (const sb of batches) { let at = 0; while (at < sb.records.length) { b.size = 0; at = dec.decode(sb, at, b, []); op.process(b); n += b.size; } }
  rows += op.drain().rows.length;
}
const ms = performance.now() - t0;
console.log({ n, ms: Math.round(ms), genMs: Math.round(genMs), perS: Math.round(n / ms * 1000), rows, keys: op.keys.size });
