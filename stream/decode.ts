// Turns source records into the operator's columnar batch. A record that cannot be read (bad
// JSON, a key, time or number that is not one, an event time too far ahead of the worker's clock,
// a filter that throws) becomes a dead-letter record with the reason, before it touches any state:
// one bad event is set aside, never a reason for the job to stop or to compute a wrong row.
import { formatDuration } from '../core/duration.ts';
import type { StreamingAsset } from '../core/streaming.ts';
import type { CompiledAggregates } from './aggregates.ts';
import type { EventBatch, SourceBatch } from './batch.ts';
import { eventTimeError, eventTimeMs, identityError, isIdentity, isoText, numberValue, valueError, valueFits } from './event-fields.ts';
import type { DeadLetterReason } from '../contract/streaming.ts';

/** Why a record is a dead letter; `freshet stream status` counts them by this. */
// The reasons travel in shard heartbeats: defined in contract/.
export type { DeadLetterReason };

export interface DeadLetter {
  partition: number;
  offset: number;
  raw: string;
  reason: DeadLetterReason;
  error: string;
}

type Getter = (o: Record<string, unknown>) => unknown;

function getter(path: string): Getter {
  if (!path.includes('.')) return (o) => o[path];
  const parts = path.split('.');
  return (o) => {
    let v: unknown = o;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}

const utf8 = new TextDecoder();

/** Key strings for small integer ids, made once: equal keys then share one string object, whose
 *  hash V8 caches, so the state map's lookup compares pointers instead of hashing a fresh string. */
const INT_KEYS: string[] = [];
const INT_KEY_LIMIT = 1 << 22;

/** The key string of a value isIdentity accepted: a number and its decimal text are one key. */
export function keyString(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' && k >= 0 && k < INT_KEY_LIMIT && Number.isInteger(k)) {
    return INT_KEYS[k] ?? (INT_KEYS[k] = String(k));
  }
  return String(k);
}

/** The separator of a multi-field key's parts in the state map. */
const KEY_SEPARATOR = '\u001f';

/** A record's text for the dead-letter table; a record JSON cannot spell (a cycle, a BigInt) by String(). */
export function recordText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (raw instanceof Uint8Array) return utf8.decode(raw);
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}

export interface Decoder {
  /** Appends the records of `src` from index `from` to `batch` until it is full; returns the next index to read. */
  decode(src: SourceBatch, from: number, batch: EventBatch, dead: DeadLetter[]): number;
  /** records the filter skipped */
  filtered: number;
}

/** `now` is processing time: an event time further ahead of it than the asset's maxFutureSkew is a dead letter. */
export function makeDecoder(asset: StreamingAsset, c: CompiledAggregates, now: () => number = Date.now): Decoder {
  const keyGetters = asset.key.map(getter);
  const singleKey = keyGetters.length === 1 ? keyGetters[0] : null;
  const timeGet = getter(asset.eventTime);
  const idGet = asset.dedupBy ? getter(asset.dedupBy) : null;
  const numGet = c.numericFields.map(getter);
  const valGet = c.valueFields.map(getter);
  const valKinds = c.valueKinds;
  const filter = asset.filter;
  const skew = asset.maxFutureSkewMs;
  const self: Decoder = { filtered: 0, decode };

  function fail(dead: DeadLetter[], src: SourceBatch, i: number, raw: unknown, reason: DeadLetterReason, error: string): void {
    const offset = src.offsets ? src.offsets[i] : src.firstOffset + i;
    dead.push({ partition: src.partition, offset, raw: recordText(raw), reason, error });
  }

  function decode(src: SourceBatch, from: number, b: EventBatch, dead: DeadLetter[]): number {
    const records = src.records;
    // processing time, read once per batch: no event time may be further ahead of it than the
    // declared skew, and no event in the batch may move the watermark past it (operator.ts)
    const readAt = now();
    const latest = readAt + skew;
    b.readAt = readAt;
    let i = from;
    for (; i < records.length && b.size < b.capacity; i++) {
      const raw = records[i];
      let parsed: unknown = raw;
      if (typeof raw !== 'object' || raw === null || raw instanceof Uint8Array) {
        try {
          parsed = JSON.parse(raw instanceof Uint8Array ? utf8.decode(raw) : String(raw));
        } catch (e) {
          fail(dead, src, i, raw, 'invalid-json', `invalid JSON: ${(e as Error).message}`);
          continue;
        }
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        fail(dead, src, i, raw, 'not-an-object', 'event is not a JSON object');
        continue;
      }
      const o = parsed as Record<string, unknown>;
      if (filter) {
        let keep: boolean;
        try {
          keep = filter(o);
        } catch (e) {
          // the user's filter meeting an event it did not expect is that event's problem, not the job's
          fail(dead, src, i, raw, 'filter-error', `the asset's filter threw: ${(e as Error)?.message ?? String(e)}`);
          continue;
        }
        if (!keep) {
          self.filtered++;
          continue;
        }
      }
      const n = b.size;
      // key
      if (singleKey) {
        const k = singleKey(o);
        if (!isIdentity(k)) {
          fail(dead, src, i, raw, 'key', identityError(`key field '${asset.key[0]}'`, k));
          continue;
        }
        b.key[n] = keyString(k);
      } else {
        const parts: string[] = [];
        let bad = -1;
        for (let g = 0; g < keyGetters.length; g++) {
          const k = keyGetters[g](o);
          if (!isIdentity(k) || (typeof k === 'string' && k.includes(KEY_SEPARATOR))) {
            bad = g;
            break;
          }
          parts.push(keyString(k));
        }
        if (bad >= 0) {
          const k = keyGetters[bad](o);
          const what = `key field '${asset.key[bad]}'`;
          // the parts are joined by U+001F in the state: a part holding it could pose as another key
          fail(
            dead,
            src,
            i,
            raw,
            'key',
            isIdentity(k) ? `${what} contains the control character U+001F, which separates key fields` : identityError(what, k),
          );
          continue;
        }
        b.key[n] = parts.join(KEY_SEPARATOR);
        b.keyParts[n] = parts;
      }
      // event time
      const t = timeGet(o);
      const time = eventTimeMs(t);
      if (time !== time) {
        fail(dead, src, i, raw, 'event-time', eventTimeError(asset.eventTime, t));
        continue;
      }
      if (time > latest) {
        fail(dead, src, i, raw, 'future-skew', futureSkewError(time, readAt, skew));
        continue;
      }
      b.time[n] = time;
      if (idGet) {
        const id = idGet(o);
        if (!isIdentity(id)) {
          fail(dead, src, i, raw, 'dedup-id', identityError(`dedup field '${asset.dedupBy}'`, id));
          continue;
        }
        b.id[n] = typeof id === 'string' ? id : String(id);
      }
      let bad = -1;
      for (let f = 0; f < numGet.length; f++) {
        const x = numberValue(numGet[f](o));
        if (x === undefined) {
          bad = f;
          break;
        }
        b.nums[f][n] = x;
      }
      if (bad >= 0) {
        fail(dead, src, i, raw, 'field', valueError(c.numericFields[bad], 'numeric', c.numericUses[bad], numGet[bad](o)));
        continue;
      }
      for (let f = 0; f < valGet.length; f++) {
        const v = valGet[f](o);
        if (!valueFits(valKinds[f], v)) {
          bad = f;
          break;
        }
        b.vals[f][n] = v;
      }
      if (bad >= 0) {
        fail(dead, src, i, raw, 'field', valueError(c.valueFields[bad], valKinds[bad], c.valueUses[bad], valGet[bad](o)));
        continue;
      }
      b.partition[n] = src.partition;
      b.offset[n] = src.offsets ? src.offsets[i] : src.firstOffset + i;
      b.raw[n] = raw;
      b.size = n + 1;
    }
    return i;
  }
  return self;
}

function futureSkewError(time: number, readAt: number, skewMs: number): string {
  return (
    `event time ${isoText(time)} is ${formatAhead(time - readAt)} ahead of the worker's clock (${isoText(readAt)}), ` +
    `beyond watermark.maxFutureSkew (${formatDuration(skewMs)}): the producer's clock or the event's time is wrong. It never reached the state or the watermark; fix and re-send it`
  );
}

/** A rough span for a message: "3 min", "100 years". */
function formatAhead(ms: number): string {
  const units: Array<[string, number]> = [
    ['years', 365.25 * 86_400_000],
    ['days', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1_000],
  ];
  for (const [unit, size] of units) if (ms >= size) return `${Math.floor(ms / size)} ${unit}`;
  return `${ms} ms`;
}
