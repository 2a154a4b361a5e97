// The Nexmark event shape (persons, auctions and bids at 1:3:46; hot auctions and hot bidders;
// occasional delays) as a Freshet generator, and the per-entity queries of bench/stream.ts as
// streaming assets. Event time advances 10 000 events per second, Nexmark's default.
import { count, distinctCount, last, session, sliding, streamingAsset, tumbling } from '../core/streaming.ts';
import type { StreamingAsset, StreamingAssetInput } from '../core/streaming.ts';
import type { GeneratorContext } from '../stream/source-generator.ts';

export const EVENTS_PER_SECOND = 10_000; // Nexmark's default rate
const HOT_AUCTION_RATIO = 2;
const HOT_BIDDER_RATIO = 4;
const IN_FLIGHT_AUCTIONS = 100;
const ACTIVE_PEOPLE = 1_000;
/** Nexmark's occasional delay: 10% of events up to 3 s late */
export const DISORDER = { probability: 0.1, maxDelayMs: 3_000 };
/** a share of bids repeat the previous bid's id (a producer retry), for q18's dedup */
const DUPLICATE_RATE = 0.01;
const CHANNELS = ['apple', 'google', 'facebook', 'baidu'];

/** Event `index` of the stream: 1 person, 3 auctions, 46 bids in every 50. */
export function nexmarkEvent(ctx: GeneratorContext): Record<string, unknown> {
  const i = ctx.index;
  const epoch = Math.floor(i / 50);
  const offset = i % 50;
  const r = ctx.random;
  const lastPerson = epoch;
  const lastAuction = epoch * 3 + Math.min(offset, 3) - 1;
  if (offset === 0) return { type: 'person', id: epoch, name: `p${epoch}`, dateTime: ctx.time };
  if (offset < 4) {
    const seller =
      r() < 0.75 ? Math.floor(lastPerson / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO : Math.max(0, lastPerson - Math.floor(r() * ACTIVE_PEOPLE));
    return { type: 'auction', id: lastAuction, seller, category: Math.floor(r() * 5), dateTime: ctx.time };
  }
  const auction =
    Math.floor(r() * HOT_AUCTION_RATIO) > 0
      ? Math.floor(lastAuction / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO
      : Math.max(0, lastAuction - Math.floor(r() * IN_FLIGHT_AUCTIONS));
  const bidder =
    Math.floor(r() * HOT_BIDDER_RATIO) > 0
      ? Math.floor(lastPerson / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1
      : Math.max(0, lastPerson - Math.floor(r() * ACTIVE_PEOPLE));
  const id = r() < DUPLICATE_RATE && offset > 4 ? i - 1 : i;
  return {
    type: 'bid',
    id,
    auction,
    bidder,
    price: 100 + Math.floor(r() * 10_000),
    channel: CHANNELS[Math.floor(r() * CHANNELS.length)],
    dateTime: ctx.time,
  };
}

const isBid = (e: Record<string, unknown>) => e.type === 'bid';
const watermark = { maxOutOfOrderness: '4s' }; // Nexmark's SQL watermark: dateTime - 4 s

/** q5: bids per auction in a 10 s window sliding every 2 s (the hot-items count) */
const q5Input: StreamingAssetInput = {
  name: 'nexmark_q5',
  source: 'nexmark',
  key: 'auction',
  eventTime: 'dateTime',
  filter: isBid,
  window: sliding('10s', '2s'),
  aggregates: { bids: count() },
  watermark,
};

/** q11: bids per bidder session, 10 s gap */
const q11Input: StreamingAssetInput = {
  name: 'nexmark_q11',
  source: 'nexmark',
  key: 'bidder',
  eventTime: 'dateTime',
  filter: isBid,
  window: session('10s'),
  aggregates: { bids: count() },
  watermark,
};

/** q18: the last bid per (bidder, auction), duplicates dropped by bid id (per 10 s window) */
const q18Input: StreamingAssetInput = {
  name: 'nexmark_q18',
  source: 'nexmark',
  key: ['bidder', 'auction'],
  eventTime: 'dateTime',
  filter: isBid,
  window: tumbling('10s'),
  aggregates: { bids: count(), last_price: last('price', { type: 'long' }) },
  watermark,
  dedupBy: 'id',
};

/** q15-style: distinct bidders and auctions per channel (10 s windows stand in for days), by HyperLogLog */
const q15Input: StreamingAssetInput = {
  name: 'nexmark_q15',
  source: 'nexmark',
  key: 'channel',
  eventTime: 'dateTime',
  filter: isBid,
  window: tumbling('10s'),
  aggregates: { bids: count(), bidders: distinctCount('bidder'), auctions: distinctCount('auction') },
  watermark,
};

export const q5 = streamingAsset(q5Input);
export const q11 = streamingAsset(q11Input);
export const q18 = streamingAsset(q18Input);
export const q15 = streamingAsset(q15Input);
/** the benchmark's queries by name (job-child loads each by that export name) */
export const queries: Record<string, StreamingAsset> = { q5, q11, q18, q15 };
const inputs: Record<string, StreamingAssetInput> = { q5: q5Input, q11: q11Input, q18: q18Input, q15: q15Input };

/** Disorder of the latency runs' realtime generator: it stays under their 200 ms bound. */
export const LATENCY_DISORDER = { probability: 0.1, maxDelayMs: 150 };

/**
 * Each query with a 200 ms out-of-orderness bound, for the latency runs: with Nexmark's 4 s
 * bound every result would wait 4 s for the watermark, which measures the bound, not Freshet.
 */
export const latencyQueries: Record<string, StreamingAsset> = Object.fromEntries(
  Object.entries(inputs).map(([q, input]) => [
    q,
    streamingAsset({ ...input, name: `${input.name}_latency`, watermark: { maxOutOfOrderness: '200ms' } }),
  ]),
);
