// The keyed event-time window operator. Per key: panes (one per slide, or one per session) and
// one timer. A window [end − size, end) fires when the watermark reaches end − 1 (Flink's
// EventTimeTrigger), checked after every event so results do not depend on batch boundaries.
// A late event still inside the allowed lateness updates its panes and re-fires the windows
// already emitted (revision + 1); beyond it the event goes to the late records with the reason.
// Panes are dropped once every window over them is past end − 1 + lateness; a key with nothing
// left is evicted once idle for the TTL.
import type { StreamingAsset } from '../core/streaming.ts';
import { addEvent, compileAggregates, encodePane, mergePane, newPane, paneBytes, paneResults } from './aggregates.ts';
import type { CompiledAggregates, Pane } from './aggregates.ts';
import type { EventBatch } from './batch.ts';
import { Deduplicator } from './dedup.ts';
import { isoText as iso } from './event-fields.ts';
import { TimerIndex } from './timers.ts';
import { NO_WATERMARK, WatermarkTracker } from './watermark.ts';
import type { WatermarkState } from './watermark.ts';
import type { RestoreReset } from '../contract/streaming.ts';

export interface WindowRow {
  keyParts: string[];
  windowStart: number;
  windowEnd: number;
  /** 0 when first fired; +1 each time a late event re-fires the window */
  revision: number;
  /** aggregate values in the asset's aggregate order */
  values: unknown[];
  /** the window's aggregate state, encoded, when the operator emits partials for a merge (salted shards) */
  partial?: Uint8Array;
}

export interface LateEvent {
  partition: number;
  offset: number;
  key: string;
  eventTime: number;
  watermark: number;
  reason: string;
  payload: unknown;
}

export interface SessionPane extends Pane {
  end: number;
  /** revision last emitted, −1 before the first firing */
  revision: number;
  pending: boolean;
}

/** What a checkpoint holds of one key: the rest of KeyState is rebuilt on restore. */
export interface StoredKey {
  key: string;
  parts: string[];
  /** sliding/tumbling: panes by start; sessions: SessionPane by start */
  panes: Pane[];
  lastSeen: number;
  /** sliding/tumbling: the largest window end this key has been fired up to */
  firedEnd: number;
  /** re-fired windows' last revisions (sliding/tumbling), by window end */
  revisions: Map<number, number> | null;
}

export interface KeyState extends StoredKey {
  /** the pane the last event went to (sliding/tumbling): most events hit it again */
  cur: Pane | null;
  /** earliest registered timer, Infinity when none */
  timer: number;
  /** window ends waiting to be re-fired */
  refire: number[] | null;
  dirty: boolean;
  evicted: boolean;
  /** the epoch of the incremental snapshot in progress while it still has to encode this key */
  snap: number;
  /** snapshots started before this key was created (a full snapshot encodes keys born before it) */
  born: number;
  /** the last snapshot epoch that encoded this key */
  done: number;
  /** hot-key pre-aggregation: this batch's partial for the pane `cur`, folded in before anything reads the panes */
  pre: Pane | null;
  /** the pre-aggregation segment in which this key last took an event the slow way (its `cur` is current) */
  preSeg: number;
}

/** What a snapshot holds, fixed when it starts (see WindowOperator.beginSnapshot). */
export interface SnapshotStart {
  /** keys evicted since the previous snapshot (none for a full one) */
  tombstones: string[];
  /** the keys to encode; pass each to takeForSnapshot first, as copy-on-write may have encoded it already */
  keys: Iterator<KeyState>;
  /** dedup ids: all of them (full) or those first seen since the previous snapshot, with their expiry */
  ids: Array<[string, number]>;
}

/** What restore dropped from a checkpoint blinded by a far-future event (see WindowOperator.restore). */
// Restore's report travels in shard heartbeats: defined in contract/.
export type { RestoreReset };

/** A checkpoint's state, decoded, for WindowOperator.restore. */
export interface RestoredState {
  watermark: WatermarkState;
  keys: Iterable<StoredKey>;
  ids: Map<string, number>;
}

export interface OperatorMetrics {
  events: number;
  late: number;
  duplicates: number;
  rows: number;
  refires: number;
  evictedKeys: number;
  /** events folded into a hot-key partial instead of the keyed state */
  preAggregated: number;
}

export interface OperatorOptions {
  /** processing time: partitions' idleness, and the bound on a restored checkpoint's event time */
  now?: () => number;
  /** overrides asset.hotKeys.preAggregate (tests and benchmarks) */
  preAggregate?: boolean;
  /** rows also carry their window's encoded state, for a merge across shards (sliding and tumbling) */
  emitPartials?: boolean;
}

export class WindowOperator {
  readonly asset: StreamingAsset;
  readonly aggs: CompiledAggregates;
  readonly tracker: WatermarkTracker;
  readonly dedup: Deduplicator | null;
  readonly keys = new Map<string, KeyState>();
  private readonly timers = new TimerIndex<KeyState>();
  private readonly refireKeys = new Set<KeyState>();
  private readonly scratch: Pane;
  private readonly session: boolean;
  private readonly size: number;
  private readonly slide: number;
  private readonly gap: number;
  private readonly lateness: number;
  private readonly ttl: number;
  /** how far before its end a window starts: the size, or the gap for sessions */
  private readonly windowReach: number;
  private readonly now: () => number;
  /** hot-key pre-aggregation (sliding and tumbling windows only) */
  readonly preAggregate: boolean;
  readonly emitPartials: boolean;
  /** bumped whenever pre-aggregated partials are folded in (before any firing): a key's fast path is valid within one segment */
  private seg = 0;
  private preKeys: KeyState[] = [];
  private prePool: Pane[] = [];
  /** keys changed since the last snapshot started, and keys evicted since then */
  private dirtyKeys: KeyState[] = [];
  private evictedKeys: string[] = [];
  /** ids first seen since the last snapshot started */
  private newIds: Array<[string, number]> = [];
  private rows: WindowRow[] = [];
  private late: LateEvent[] = [];
  /** the snapshot being encoded in slices (null when none); a full one holds every key born before it */
  private snapshot: { epoch: number; full: boolean; encode: (k: StoredKey) => void } | null = null;
  /** epochs grow per operator, so keys restored with born = 0 are older than any snapshot */
  private snapshotsStarted = 0;
  metrics: OperatorMetrics = { events: 0, late: 0, duplicates: 0, rows: 0, refires: 0, evictedKeys: 0, preAggregated: 0 };

  constructor(asset: StreamingAsset, opts: OperatorOptions = {}) {
    this.asset = asset;
    this.aggs = compileAggregates(asset.aggregates);
    this.tracker = new WatermarkTracker(asset.maxOutOfOrdernessMs, asset.idleTimeoutMs, opts.now);
    this.dedup = asset.dedupBy ? new Deduplicator(asset.dedupHorizonMs) : null;
    this.scratch = newPane(this.aggs, 0);
    const w = asset.window;
    this.session = w.kind === 'session';
    this.size = w.kind === 'session' ? 0 : w.sizeMs;
    this.slide = w.kind === 'sliding' ? w.slideMs : w.kind === 'tumbling' ? w.sizeMs : 0;
    this.gap = w.kind === 'session' ? w.gapMs : 0;
    this.lateness = asset.allowedLatenessMs;
    this.ttl = asset.ttlMs;
    this.windowReach = w.kind === 'session' ? w.gapMs : w.sizeMs;
    this.now = opts.now ?? Date.now;
    this.preAggregate = !this.session && (opts.preAggregate ?? asset.hotKeys?.preAggregate ?? false);
    this.emitPartials = opts.emitPartials ?? false;
  }

  get watermark(): number {
    return this.tracker.watermark;
  }

  /** Runs a decoded batch through dedup, lateness, the panes and any windows the watermark closes. */
  process(b: EventBatch): void {
    // the per-event loop touches only locals and monomorphic calls; rare paths live in methods
    const tracker = this.tracker;
    const timers = this.timers;
    const refireKeys = this.refireKeys;
    const dedup = this.dedup;
    const keys = this.keys;
    const session = this.session;
    const time = b.time;
    const keyCol = b.key;
    const partition = b.partition;
    const n = b.size;
    let lastPartition = -1;
    let slot = 0;
    let lastKey = '';
    let k: KeyState | undefined;
    let events = 0;
    const active: number[] = [];
    const pre = this.preAggregate;
    const aggs = this.aggs;
    const slide = this.slide;
    const size = this.size;
    const lateness = this.lateness;
    // an event ahead of the worker's clock (within the asset's maxFutureSkew) counts in its
    // window, but moves the watermark only up to the clock: no window closes before its end
    const cap = b.readAt;
    let folded = 0;
    for (let i = 0; i < n; i++) {
      const part = partition[i];
      if (part !== lastPartition) {
        lastPartition = part;
        slot = tracker.slot(part);
        active.push(slot);
      }
      const ts = time[i];
      if (dedup !== null && !this.offerId(dedup, b.id[i], ts)) continue;
      events++;
      const key = keyCol[i];
      if (k === undefined || key !== lastKey || k.evicted) {
        k = keys.get(key);
        lastKey = key;
      }
      const w = tracker.watermark;
      if (pre && k !== undefined && k.preSeg === this.seg) {
        // local pre-aggregation: an event for the pane this key's last event went to, in the same
        // segment (no firing since), that addSliding would only add to that pane: no lateness,
        // no re-fire, no window closed for the key since. It goes to the key's partial instead.
        const p = Math.floor(ts / slide) * slide;
        if (
          k.cur!.start === p &&
          p + size - 1 + lateness > w &&
          k.firedEnd < p + slide &&
          Math.floor((w + 1) / slide) * slide <= k.firedEnd
        ) {
          addEvent(aggs, k.pre ?? this.openPre(k, p), b.nums, b.vals, ts, i);
          folded++;
          if (ts > k.lastSeen) k.lastSeen = ts;
          tracker.observe(slot, ts < cap ? ts : cap);
          if (tracker.watermark >= timers.nextTime || refireKeys.size > 0) this.fire();
          continue;
        }
        if (k.pre !== null) this.flushPre(k);
      }
      const kept = session ? this.addSession(k, b, i, ts, w) : this.addSliding(k, b, i, ts, w);
      if (kept !== undefined) {
        k = kept;
        k.preSeg = this.seg;
      }
      tracker.observe(slot, ts < cap ? ts : cap);
      // late events re-fire at once, as Flink's EventTimeTrigger does, so every result is a
      // function of the event order alone and never of where a batch happened to end
      if (tracker.watermark >= timers.nextTime || refireKeys.size > 0) this.fire();
    }
    this.metrics.events += events;
    this.metrics.preAggregated += folded;
    tracker.tick(active);
    this.fire();
    if (dedup !== null) dedup.expire(tracker.watermark);
  }

  private openPre(k: KeyState, p: number): Pane {
    const pane = this.prePool.pop() ?? newPane(this.aggs, p);
    pane.start = p;
    k.pre = pane;
    this.preKeys.push(k);
    return pane;
  }

  /** Folds key k's partial into its pane and recycles the partial. */
  private flushPre(k: KeyState): void {
    const pane = k.pre!;
    k.pre = null;
    mergePane(this.aggs, k.cur!, pane, true, true);
    pane.nums.set(this.aggs.init);
    if (pane.objs) pane.objs.fill(null);
    if (pane.lasts) pane.lasts.fill(null);
    this.prePool.push(pane);
  }

  /** Folds every partial in and ends the segment: called before anything reads or drops panes. */
  private flushAllPre(): void {
    const list = this.preKeys;
    for (let j = 0; j < list.length; j++) if (list[j].pre !== null) this.flushPre(list[j]);
    list.length = 0;
    this.seg++;
  }

  private offerId(dedup: Deduplicator, id: string, ts: number): boolean {
    if (!dedup.offer(id, ts)) {
      this.metrics.duplicates++;
      return false;
    }
    this.newIds.push([id, ts + dedup.horizonMs]);
    return true;
  }

  /** Per-batch housekeeping when no events arrived: idle partitions may release the watermark. */
  idleTick(): void {
    this.tracker.tick();
    this.fire();
    if (this.dedup !== null) this.dedup.expire(this.tracker.watermark);
  }

  private newKey(b: EventBatch, i: number, ts: number): KeyState {
    const key = b.key[i];
    const k: KeyState = {
      key,
      parts: this.asset.key.length === 1 ? [key] : b.keyParts[i],
      panes: [],
      cur: null,
      lastSeen: ts,
      firedEnd: -Infinity,
      timer: Infinity,
      revisions: null,
      refire: null,
      dirty: false,
      evicted: false,
      snap: 0,
      born: this.snapshotsStarted,
      done: 0,
      pre: null,
      preSeg: -1,
    };
    this.keys.set(key, k);
    return k;
  }

  private markDirty(k: KeyState): void {
    if (!k.dirty) {
      k.dirty = true;
      this.dirtyKeys.push(k);
    }
  }

  private recordLate(b: EventBatch, i: number, ts: number, w: number, reason: string): void {
    this.metrics.late++;
    this.late.push({
      partition: b.partition[i],
      offset: b.offset[i],
      key: b.key[i],
      eventTime: ts,
      watermark: w,
      reason,
      payload: b.raw[i],
    });
  }

  private schedule(k: KeyState, t: number): void {
    if (t < k.timer) {
      k.timer = t;
      this.timers.add(t, k);
    }
  }

  // ---- sliding and tumbling ----

  private addSliding(k: KeyState | undefined, b: EventBatch, i: number, ts: number, w: number): KeyState | undefined {
    const slide = this.slide;
    const size = this.size;
    const p = Math.floor(ts / slide) * slide;
    // the last window over this event ends at p + size
    if (p + size - 1 + this.lateness <= w) {
      this.recordLate(
        b,
        i,
        ts,
        w,
        `event time ${iso(ts)} is beyond the allowed lateness (${this.lateness} ms) of its last window [${iso(p)}, ${iso(p + size)}) at watermark ${iso(w)}`,
      );
      return undefined;
    }
    if (k === undefined) k = this.newKey(b, i, ts);
    else this.beforeWrite(k);
    // every window the watermark has closed was fired the moment it closed (timers are checked
    // after each event), so this key is fired up to there even if it had no data in them
    const closed = Math.floor((w + 1) / slide) * slide;
    if (closed > k.firedEnd) k.firedEnd = closed;
    // windows over this pane already fired: re-fire those still within the lateness
    if (k.firedEnd >= p + slide) this.lateInto(k, p, w);
    let pane = k.cur;
    if (pane === null || pane.start !== p) {
      const panes = k.panes;
      let at = panes.length;
      while (at > 0 && panes[at - 1].start > p) at--;
      if (at > 0 && panes[at - 1].start === p) pane = panes[at - 1];
      else {
        pane = newPane(this.aggs, p);
        panes.splice(at, 0, pane);
        this.schedule(k, this.nextSlidingTime(k));
      }
      k.cur = pane;
    }
    addEvent(this.aggs, pane, b.nums, b.vals, ts, i);
    if (ts > k.lastSeen) k.lastSeen = ts;
    this.markDirty(k);
    return k;
  }

  /** A late event for pane p: queue the windows over p already passed for this key and not yet expired. */
  private lateInto(k: KeyState, p: number, w: number): void {
    const slide = this.slide;
    const last = Math.min(k.firedEnd, p + this.size);
    for (let end = p + slide; end <= last; end += slide) {
      if (end - 1 + this.lateness <= w) continue;
      const revisions = (k.revisions ??= new Map());
      if (!revisions.has(end)) {
        // panes are kept until all their windows expire, so a window that held a pane was emitted
        const start = end - this.size;
        const emitted = k.panes.some((q) => q.start >= start && q.start < end);
        revisions.set(end, emitted ? 0 : -1);
      }
      const refire = (k.refire ??= []);
      if (!refire.includes(end)) refire.push(end);
      this.refireKeys.add(k);
    }
  }

  /** Emits the window ending at `end` for key k. */
  private emitSliding(k: KeyState, end: number, revision: number): boolean {
    const start = end - this.size;
    const panes = k.panes;
    let only: Pane | undefined;
    let n = 0;
    for (const q of panes) {
      if (q.start >= start && q.start < end) {
        n++;
        only = q;
      }
    }
    if (n === 0) return false;
    let acc = only!;
    if (n > 1) {
      acc = this.resetScratch();
      for (const q of panes) if (q.start >= start && q.start < end) mergePane(this.aggs, acc, q, true);
    }
    const row: WindowRow = { keyParts: k.parts, windowStart: start, windowEnd: end, revision, values: paneResults(this.aggs, acc) };
    if (this.emitPartials) row.partial = encodePane(this.aggs, acc);
    this.rows.push(row);
    this.metrics.rows++;
    return true;
  }

  private wakeSliding(k: KeyState, w: number): void {
    this.beforeWrite(k);
    const slide = this.slide;
    const size = this.size;
    const panes = k.panes;
    // normal firing: window ends in (firedEnd, w + 1] that hold a pane
    const upTo = Math.floor((w + 1) / slide) * slide;
    if (panes.length > 0 && upTo > k.firedEnd) {
      let end = Math.max(k.firedEnd + slide, panes[0].start + slide);
      const lastEnd = Math.min(upTo, panes[panes.length - 1].start + size);
      // only window ends over a pane are visited: panes far apart in event time (a replay with a
      // gap of years) would otherwise cost one step per slide in between
      let j = 0;
      while (end <= lastEnd) {
        while (j < panes.length && panes[j].start < end - size) j++;
        if (j === panes.length) break;
        if (panes[j].start >= end) {
          end = panes[j].start + slide;
          continue;
        }
        this.emitSliding(k, end, 0);
        end += slide;
      }
      k.firedEnd = upTo;
      this.markDirty(k);
    } else if (upTo > k.firedEnd) {
      k.firedEnd = upTo;
    }
    // drop panes no window can use any more
    let drop = 0;
    while (drop < panes.length && panes[drop].start + size - 1 + this.lateness <= w) drop++;
    if (drop > 0) {
      panes.splice(0, drop);
      this.markDirty(k);
    }
    if (k.revisions) {
      for (const end of k.revisions.keys()) if (end - 1 + this.lateness <= w) k.revisions.delete(end);
      if (k.revisions.size === 0) k.revisions = null;
    }
    this.rescheduleSliding(k, w);
  }

  private rescheduleSliding(k: KeyState, w: number): void {
    const panes = k.panes;
    k.timer = Infinity;
    if (panes.length === 0) {
      this.scheduleEviction(k, w);
      return;
    }
    this.schedule(k, this.nextSlidingTime(k));
  }

  /** When key k next needs the watermark: its next window end − 1, or its oldest pane's expiry. */
  private nextSlidingTime(k: KeyState): number {
    const panes = k.panes;
    const nextEnd = Math.max(k.firedEnd + this.slide, panes[0].start + this.slide);
    const fire = nextEnd <= panes[panes.length - 1].start + this.size ? nextEnd - 1 : Infinity;
    const cleanup = panes[0].start + this.size - 1 + this.lateness;
    return Math.min(fire, cleanup);
  }

  // ---- sessions ----

  private addSession(k: KeyState | undefined, b: EventBatch, i: number, ts: number, w: number): KeyState | undefined {
    const gap = this.gap;
    const lateness = this.lateness;
    const start = ts;
    const end = ts + gap;
    // live sessions this event touches (Flink merges windows that intersect or touch)
    let first = -1;
    let count = 0;
    if (k) {
      const s = k.panes as SessionPane[];
      for (let j = 0; j < s.length; j++) {
        const q = s[j];
        if (q.end - 1 + lateness <= w) continue;
        if (q.start <= end && q.end >= start) {
          if (first === -1) first = j;
          count++;
        } else if (q.start > end) break;
      }
    }
    if (count === 0 && end - 1 + lateness <= w) {
      this.recordLate(
        b,
        i,
        ts,
        w,
        `event time ${iso(ts)} opens a session [${iso(start)}, ${iso(end)}) beyond the allowed lateness (${lateness} ms) at watermark ${iso(w)}`,
      );
      return undefined;
    }
    if (k === undefined) k = this.newKey(b, i, ts);
    else this.beforeWrite(k);
    const sessions = k.panes as SessionPane[];
    let target: SessionPane;
    if (count === 0) {
      target = { ...newPane(this.aggs, start), end, revision: -1, pending: true };
      let at = sessions.length;
      while (at > 0 && sessions[at - 1].start > start) at--;
      sessions.splice(at, 0, target);
    } else {
      // merge every touched live session into the first one
      target = sessions[first];
      const merged: SessionPane[] = [];
      for (let j = first + 1; j < sessions.length; j++) {
        const q = sessions[j];
        if (q.end - 1 + lateness <= w) continue;
        if (q.start <= end && q.end >= start) merged.push(q);
      }
      for (const q of merged) {
        mergePane(this.aggs, target, q, true);
        target.end = Math.max(target.end, q.end);
        target.revision = Math.max(target.revision, q.revision);
        sessions.splice(sessions.indexOf(q), 1);
      }
      target.start = Math.min(target.start, start);
      target.end = Math.max(target.end, end);
      target.pending = true;
    }
    addEvent(this.aggs, target, b.nums, b.vals, ts, i);
    if (ts > k.lastSeen) k.lastSeen = ts;
    this.markDirty(k);
    if (target.end - 1 <= w) {
      // the session had closed: a late event within the lateness re-fires it now
      this.refireKeys.add(k);
    }
    this.schedule(k, target.end - 1);
    return k;
  }

  private wakeSession(k: KeyState, w: number): void {
    this.beforeWrite(k);
    const sessions = k.panes as SessionPane[];
    let changed = false;
    for (const s of sessions) {
      if (s.pending && s.end - 1 <= w) {
        s.revision += 1;
        s.pending = false;
        if (s.revision > 0) this.metrics.refires++;
        this.rows.push({
          keyParts: k.parts,
          windowStart: s.start,
          windowEnd: s.end,
          revision: s.revision,
          values: paneResults(this.aggs, s),
        });
        this.metrics.rows++;
        changed = true;
      }
    }
    let drop = 0;
    for (let j = sessions.length - 1; j >= 0; j--) {
      if (sessions[j].end - 1 + this.lateness <= w && !sessions[j].pending) {
        sessions.splice(j, 1);
        drop++;
      }
    }
    if (changed || drop > 0) this.markDirty(k);
    k.timer = Infinity;
    if (sessions.length === 0) {
      this.scheduleEviction(k, w);
      return;
    }
    let next = Infinity;
    for (const s of sessions) next = Math.min(next, s.pending ? s.end - 1 : s.end - 1 + this.lateness);
    this.schedule(k, next);
  }

  // ---- firing, eviction ----

  /** Fires every timer the watermark has reached, and the re-fires late events asked for. */
  fire(): void {
    if (this.preAggregate) this.flushAllPre();
    const w = this.tracker.watermark;
    for (const k of this.refireKeys) {
      if (k.evicted) continue;
      if (this.session) this.wakeSession(k, w);
      else this.refireSliding(k, w);
    }
    this.refireKeys.clear();
    for (;;) {
      const due = this.timers.popDue(w);
      if (!due) break;
      for (const k of due.keys) {
        if (k.evicted || k.timer !== due.time) continue;
        if (k.panes.length === 0 && k.lastSeen + this.ttl <= w) {
          this.evict(k);
          continue;
        }
        if (this.session) this.wakeSession(k, w);
        else this.wakeSliding(k, w);
      }
    }
  }

  private refireSliding(k: KeyState, w: number): void {
    this.beforeWrite(k);
    const ends = k.refire;
    k.refire = null;
    if (!ends) return;
    ends.sort((a, b) => a - b);
    for (const end of ends) {
      if (end - 1 + this.lateness <= w) continue;
      const revision = (k.revisions!.get(end) ?? -1) + 1;
      if (this.emitSliding(k, end, revision)) {
        k.revisions!.set(end, revision);
        if (revision > 0) this.metrics.refires++;
      }
    }
    this.markDirty(k);
  }

  private scheduleEviction(k: KeyState, w: number): void {
    const at = k.lastSeen + this.ttl;
    if (at <= w) this.evict(k);
    else this.schedule(k, at);
  }

  private evict(k: KeyState): void {
    this.beforeWrite(k);
    k.evicted = true;
    this.keys.delete(k.key);
    this.evictedKeys.push(k.key);
    this.metrics.evictedKeys++;
  }

  private resetScratch(): Pane {
    const s = this.scratch;
    s.nums.set(this.aggs.init);
    if (s.objs) s.objs.fill(null);
    if (s.lasts) s.lasts.fill(null);
    return s;
  }

  // ---- snapshots (checkpoint.ts encodes what these hand out) ----

  /**
   * Fixes what a snapshot holds: the keys to encode (every live key, or those changed since the
   * previous snapshot), the keys evicted since then, and the dedup ids. Until endSnapshot(), a key
   * the snapshot has yet to encode is passed to `encode` before it changes (copy-on-write), so the
   * snapshot is the state as of this call however long the encoding takes.
   */
  beginSnapshot(full: boolean, encode: (k: StoredKey) => void): SnapshotStart {
    if (this.snapshot !== null) throw new Error('a snapshot of this job is already being written');
    const epoch = ++this.snapshotsStarted;
    let keys: Iterator<KeyState>;
    if (full) {
      // nothing is touched per key here: a key is pending while born < epoch and done !== epoch
      keys = this.keys.values();
    } else {
      const changed = this.dirtyKeys.filter((k) => !k.evicted);
      for (const k of changed) {
        k.dirty = false;
        k.snap = epoch;
      }
      keys = changed.values();
    }
    const start: SnapshotStart = {
      tombstones: full ? [] : this.evictedKeys,
      keys,
      ids: full && this.dedup ? Array.from(this.dedup.entries()) : this.newIds,
    };
    this.dirtyKeys = [];
    this.evictedKeys = [];
    this.newIds = [];
    this.snapshot = { epoch, full, encode };
    return start;
  }

  /** Whether the snapshot in progress has yet to encode key k; if so k counts as encoded from now on. */
  takeForSnapshot(k: KeyState): boolean {
    const s = this.snapshot;
    if (s === null) return false;
    if (k.snap !== s.epoch && !(s.full && k.born < s.epoch && k.done !== s.epoch)) return false;
    k.snap = 0;
    k.done = s.epoch;
    k.dirty = false;
    return true;
  }

  endSnapshot(): void {
    this.snapshot = null;
  }

  /** Copy-on-write: called before any change to a key that already existed. */
  private beforeWrite(k: KeyState): void {
    if (this.snapshot !== null && this.takeForSnapshot(k)) this.snapshot.encode(k);
  }

  /**
   * Loads a checkpoint's state into this fresh operator: watermark, keys (with their timers), dedup
   * ids. A checkpoint whose event time is beyond processing time + maxFutureSkew was blinded by a
   * far-future event before event times were bounded: kept, its watermark would send every event
   * until then to the late events. Restore resets it (see RestoreReset) and says so.
   */
  restore(state: RestoredState): RestoreReset | null {
    const limit = this.now() + this.asset.maxFutureSkewMs;
    const saved = state.watermark;
    const blinded = saved.partitions.filter((p) => p.maxTime > limit).map((p) => p.partition);
    const reset: RestoreReset | null =
      saved.watermark > limit || blinded.length > 0 ? { watermark: saved.watermark, partitions: blinded, panes: 0, keys: 0, ids: 0 } : null;
    if (reset === null) {
      this.tracker.restore(saved);
    } else {
      // the watermark before the far-future event is not recorded: blinded partitions start
      // over from their next event (until then they hold the watermark back, like a new partition)
      const partitions = saved.partitions.map((p) => (p.maxTime > limit ? { partition: p.partition, maxTime: NO_WATERMARK } : p));
      this.tracker.restore({ watermark: NO_WATERMARK, partitions });
    }
    for (const stored of state.keys) {
      if (reset !== null && !this.resetKey(stored, limit, reset)) continue;
      this.restoreKey(stored);
    }
    if (this.dedup) {
      let ids = state.ids;
      if (reset !== null) {
        const horizon = this.dedup.horizonMs;
        ids = new Map([...ids].filter(([, until]) => until - horizon <= limit));
        reset.ids = state.ids.size - ids.size;
      }
      this.dedup.restore(ids);
      this.dedup.expire(this.tracker.watermark);
    }
    return reset;
  }

  /** Drops what a blinded checkpoint holds of key k beyond `limit`; false when nothing of the key is left. */
  private resetKey(k: StoredKey, limit: number, reset: RestoreReset): boolean {
    const before = k.panes.length;
    // a pane or session whose newest event is beyond the limit holds the far-future events
    k.panes = this.session ? k.panes.filter((p) => (p as SessionPane).end - this.gap <= limit) : k.panes.filter((p) => p.start <= limit);
    reset.panes += before - k.panes.length;
    if (k.panes.length === 0 && (before > 0 || k.lastSeen > limit)) {
      reset.keys++;
      return false;
    }
    // windows the blinded watermark fired early are emitted again once the new watermark passes them
    if (k.firedEnd > limit) k.firedEnd = -Infinity;
    if (k.lastSeen > limit) k.lastSeen = limit;
    if (k.revisions) {
      for (const end of k.revisions.keys()) if (end - this.windowReach > limit) k.revisions.delete(end);
      if (k.revisions.size === 0) k.revisions = null;
    }
    return true;
  }

  private restoreKey(s: StoredKey): void {
    const k: KeyState = {
      key: s.key,
      parts: s.parts,
      panes: s.panes,
      lastSeen: s.lastSeen,
      firedEnd: s.firedEnd,
      revisions: s.revisions,
      cur: null,
      timer: Infinity,
      refire: null,
      dirty: false,
      evicted: false,
      snap: 0,
      born: 0,
      done: 0,
      pre: null,
      preSeg: -1,
    };
    this.keys.set(k.key, k);
    const w = this.tracker.watermark;
    if (this.session) {
      let next = Infinity;
      for (const p of k.panes as SessionPane[]) next = Math.min(next, p.pending ? p.end - 1 : p.end - 1 + this.lateness);
      if (next === Infinity) this.scheduleEviction(k, w);
      else this.schedule(k, next);
    } else {
      this.rescheduleSliding(k, w);
    }
  }

  /** Takes the rows and late events produced so far. */
  drain(): { rows: WindowRow[]; late: LateEvent[] } {
    const out = { rows: this.rows, late: this.late };
    this.rows = [];
    this.late = [];
    return out;
  }

  /** Approximate bytes of keyed state (panes, key entries, dedup ids). */
  stateBytes(): number {
    let bytes = 0;
    for (const k of this.keys.values()) {
      bytes += 96 + 2 * k.key.length;
      for (const p of k.panes) bytes += paneBytes(p);
    }
    if (this.dedup) bytes += this.dedup.size * 64;
    return bytes;
  }
}
