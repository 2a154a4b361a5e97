// Bounded-out-of-orderness watermarks per source partition (Flink's forBoundedOutOfOrderness):
// a partition's watermark is its largest event time − bound − 1 ms; the job's watermark is the
// minimum over partitions, leaving out partitions idle (no events) for longer than the idle
// timeout, and never goes back. It also measures how late events really arrive, per partition.

import type { Calibration, PartitionCalibration } from '../contract/streaming.ts';

export const NO_WATERMARK = -Infinity;

/** Lateness histogram: bucket 0 is "in order", bucket b ≥ 1 holds lateness in [1.25^(b-1), 1.25^b) ms. */
const BUCKETS = 128;
const LOG_BASE = Math.log(1.25);

// The calibration travels in shard heartbeats: defined in contract/.
export type { Calibration, PartitionCalibration };

export interface WatermarkState {
  watermark: number;
  partitions: Array<{ partition: number; maxTime: number }>;
}

export class WatermarkTracker {
  /** the job's watermark: every event at or before it is expected to have arrived */
  watermark = NO_WATERMARK;
  private readonly index = new Map<number, number>();
  private ids: number[] = [];
  private maxTime: Float64Array<ArrayBuffer> = new Float64Array(0);
  private lastActive: Float64Array<ArrayBuffer> = new Float64Array(0);
  private idle: boolean[] = [];
  private hist: Float64Array[] = [];
  private maxLate: Float64Array<ArrayBuffer> = new Float64Array(0);
  /** the partition holding the minimum, or -1 when it must be searched for */
  private minAt = -1;

  constructor(
    readonly boundMs: number,
    readonly idleTimeoutMs: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Registers a partition this job reads; until it sends events or turns idle it holds the watermark back. */
  addPartition(partition: number, maxTime = NO_WATERMARK): number {
    const known = this.index.get(partition);
    if (known !== undefined) return known;
    const i = this.ids.length;
    this.ids.push(partition);
    this.index.set(partition, i);
    this.maxTime = grow(this.maxTime, NO_WATERMARK);
    this.maxTime[i] = maxTime;
    this.lastActive = grow(this.lastActive, 0);
    this.lastActive[i] = this.now();
    this.maxLate = grow(this.maxLate, 0);
    this.idle.push(false);
    this.hist.push(new Float64Array(BUCKETS));
    this.recompute();
    return i;
  }

  /** The dense index of a partition, registering it on first sight. */
  slot(partition: number): number {
    return this.index.get(partition) ?? this.addPartition(partition);
  }

  /** Per event: records its time on partition slot `i`. */
  observe(i: number, time: number): void {
    if (this.idle[i]) {
      // an idle partition that speaks is active again, and counts from this event on
      this.idle[i] = false;
      this.lastActive[i] = this.now();
      this.minAt = -1;
    }
    const max = this.maxTime[i];
    if (time > max) {
      this.maxTime[i] = time;
      this.hist[i][0]++;
      if (i === this.minAt || this.minAt === -1) this.recompute();
    } else {
      const late = max - time;
      const b = late < 1 ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(late) / LOG_BASE));
      this.hist[i][b]++;
      if (late > this.maxLate[i]) this.maxLate[i] = late;
    }
  }

  /** Per batch: marks the partitions that delivered events as active, and turns silent ones idle. */
  tick(activeSlots?: Iterable<number>): void {
    const now = this.now();
    if (activeSlots) for (const i of activeSlots) this.lastActive[i] = now;
    let changed = false;
    for (let i = 0; i < this.ids.length; i++) {
      const idle = this.idleTimeoutMs !== undefined && now - this.lastActive[i] >= this.idleTimeoutMs;
      if (idle !== this.idle[i]) {
        this.idle[i] = idle;
        changed = true;
      }
    }
    if (changed) this.recompute();
  }

  private recompute(): void {
    let min = Infinity;
    let at = -1;
    for (let i = 0; i < this.ids.length; i++) {
      if (this.idle[i]) continue;
      if (this.maxTime[i] < min) {
        min = this.maxTime[i];
        at = i;
      }
    }
    this.minAt = at;
    // all partitions idle (or none): hold the watermark where it is, as Flink does
    if (at === -1) return;
    const w = min - this.boundMs - 1;
    if (w > this.watermark) this.watermark = w;
  }

  isIdle(partition: number): boolean {
    const i = this.index.get(partition);
    return i !== undefined && this.idle[i];
  }

  state(): WatermarkState {
    return { watermark: this.watermark, partitions: this.ids.map((partition, i) => ({ partition, maxTime: this.maxTime[i] })) };
  }

  restore(state: WatermarkState): void {
    // a checkpoint's JSON header spells −Infinity (no event yet) as null
    const time = (t: number | null) => (typeof t === 'number' ? t : NO_WATERMARK);
    for (const p of state.partitions) {
      const i = this.slot(p.partition);
      this.maxTime[i] = time(p.maxTime);
    }
    this.watermark = time(state.watermark);
    this.recompute();
  }

  calibration(): Calibration {
    const partitions = this.ids.map((partition, i): PartitionCalibration => {
      const h = this.hist[i];
      let events = 0;
      for (const n of h) events += n;
      return {
        partition,
        events,
        outOfOrder: events - h[0],
        p50Ms: quantile(h, events, 0.5),
        p99Ms: quantile(h, events, 0.99),
        maxMs: this.maxLate[i],
      };
    });
    const recommendedMs = Math.max(
      0,
      ...this.ids.map((_, i) => {
        const h = this.hist[i];
        let events = 0;
        for (const n of h) events += n;
        return Math.min(this.maxLate[i], quantile(h, events, 0.999));
      }),
    );
    return { configuredMs: this.boundMs, recommendedMs: Math.ceil(recommendedMs), partitions };
  }
}

/** Upper edge of the bucket holding quantile q (so the figure errs late, never early). */
function quantile(h: Float64Array, total: number, q: number): number {
  if (total === 0) return 0;
  const want = q * total;
  let seen = 0;
  for (let b = 0; b < h.length; b++) {
    seen += h[b];
    if (seen >= want) return b === 0 ? 0 : Math.ceil(1.25 ** b);
  }
  return Infinity;
}

function grow(a: Float64Array, fill: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(a.length + 1);
  next.set(a);
  next[a.length] = fill;
  return next;
}
