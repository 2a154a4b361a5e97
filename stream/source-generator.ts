// The synthetic source: deterministic events (event i of partition p is a pure function of
// seed, p and i), so a restore that seeks to an offset regenerates exactly what a crash lost.
// Rate, disorder, key skew and the event shape are configurable; `realtime` paces event time
// to the wall clock (freshet dev), otherwise it produces as fast as it is read (benchmarks).
import type { GeneratorSpec } from '../contract/streaming.ts';
import type { SourceBatch } from './batch.ts';
import type { StreamSource } from './source.ts';

export interface GeneratorContext {
  index: number;
  partition: number;
  /** event time assigned by the generator (ms), disorder included */
  time: number;
  /** a uniform number in [0, 1), seeded by (seed, partition, index) */
  random: () => number;
}

/** The JSON part (GeneratorSpec) is what a workflow carries; make and now are for code. */
export interface GeneratorOptions extends GeneratorSpec {
  /** builds an event; the default makes purchases: { id, user_id, amount, merchant, category, ts } */
  make?: (ctx: GeneratorContext) => Record<string, unknown>;
  now?: () => number;
}

const CATEGORIES = ['grocery', 'fuel', 'travel', 'dining', 'electronics', 'fashion', 'health', 'home'];

/** Purchases over 10 000 users (a tenth of them make half the purchases) and 500 merchants. */
export function purchase(ctx: GeneratorContext): Record<string, unknown> {
  const r = ctx.random;
  const hot = r() < 0.5;
  const user = hot ? Math.floor(r() * 1_000) : Math.floor(r() * 10_000);
  return {
    id: `${ctx.partition}-${ctx.index}`,
    user_id: `u${user}`,
    amount: Math.round(r() * 20_000) / 100,
    merchant: `m${Math.floor(r() * r() * 500)}`,
    category: CATEGORIES[Math.floor(r() * r() * CATEGORIES.length)],
    ts: ctx.time,
  };
}

/** splitmix32-style generator over a 32-bit state */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

export function generatorSource(opts: GeneratorOptions = {}): StreamSource {
  const partitions = opts.partitions ?? 1;
  const rate = opts.eventsPerSecond ?? 1_000;
  const now = opts.now ?? Date.now;
  const start = opts.startTime ?? (opts.realtime ? Math.floor(now() / 1000) * 1000 : 0);
  const make = opts.make ?? purchase;
  const seed = opts.seed ?? 1;
  const limit = opts.limit ?? Infinity;
  const disorder = opts.disorder;
  const next = new Map<number, number>();
  // one PRNG whose state is reset per event: no closure allocated per event
  let state = 0;
  const random = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
  const ctx: GeneratorContext = { index: 0, partition: 0, time: 0, random };
  let owned: number[] = [];

  return {
    name: 'generator',
    async open(from) {
      owned = [];
      for (let p = 0; p < partitions; p++) {
        owned.push(p);
        next.set(p, from[String(p)] ?? 0);
      }
      return owned;
    },
    async poll(max, waitMs) {
      const out: SourceBatch[] = [];
      let exhausted = 0;
      const per = Math.max(1, Math.floor(max / owned.length));
      let earliestWait = Infinity;
      for (let j = 0; j < owned.length; j++) {
        // a fixed partition order per poll keeps the interleaving a function of the offsets alone
        const p = owned[j];
        const first = next.get(p)!;
        let n = Math.min(per, limit - first);
        if (n <= 0) {
          exhausted++;
          continue;
        }
        if (opts.realtime) {
          // only events whose base time has come
          const due = Math.floor(((now() - start) * rate) / 1000) + 1 - first;
          if (due < n) {
            earliestWait = Math.min(earliestWait, Math.max(1, 1000 / rate));
            n = Math.max(0, due);
          }
        }
        if (n === 0) continue;
        const records = new Array<unknown>(n);
        for (let k = 0; k < n; k++) {
          const i = first + k;
          state = (Math.imul(seed, 0x2c1b3c6d) ^ Math.imul(p + 1, 0x297a2d39) ^ Math.imul(i, 0x632be5ab)) >>> 0;
          let time = start + Math.floor((i * 1000) / rate);
          // a delayed event arrives late, but never before the stream's first event (nor 1970, where event times start)
          if (disorder && random() < disorder.probability) time = Math.max(start, time - Math.floor(random() * disorder.maxDelayMs));
          ctx.index = i;
          ctx.partition = p;
          ctx.time = time;
          records[k] = make(ctx);
        }
        next.set(p, first + n);
        out.push({ partition: p, firstOffset: first, records, nextOffset: first + n, receivedAt: now() });
      }
      if (exhausted === owned.length) return null;
      if (out.length === 0 && earliestWait < Infinity) await new Promise((r) => setTimeout(r, Math.min(waitMs, earliestWait)));
      return out;
    },
    async close() {},
  };
}
