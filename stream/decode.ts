// Turns source records into the operator's columnar batch. A record that cannot be read (bad
// JSON, missing key, unreadable time or number) becomes a dead-letter record with the reason.
import type { StreamingAsset } from '../core/streaming.ts';
import type { CompiledAggregates } from './aggregates.ts';
import type { EventBatch, SourceBatch } from './batch.ts';

export interface DeadLetter {
  partition: number;
  offset: number;
  raw: string;
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

export function keyString(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' && k >= 0 && k < INT_KEY_LIMIT && Number.isInteger(k)) {
    return INT_KEYS[k] ?? (INT_KEYS[k] = String(k));
  }
  return String(k);
}

export interface Decoder {
  /** Appends the records of `src` from index `from` to `batch` until it is full; returns the next index to read. */
  decode(src: SourceBatch, from: number, batch: EventBatch, dead: DeadLetter[]): number;
  /** records the filter skipped */
  filtered: number;
}

export function makeDecoder(asset: StreamingAsset, c: CompiledAggregates): Decoder {
  const keyGetters = asset.key.map(getter);
  const singleKey = keyGetters.length === 1 ? keyGetters[0] : null;
  const timeGet = getter(asset.eventTime);
  const idGet = asset.dedupBy ? getter(asset.dedupBy) : null;
  const numGet = c.numericFields.map(getter);
  const valGet = c.valueFields.map(getter);
  const filter = asset.filter;
  const self: Decoder = { filtered: 0, decode };

  function fail(dead: DeadLetter[], src: SourceBatch, i: number, raw: unknown, error: string): void {
    const offset = src.offsets ? src.offsets[i] : src.firstOffset + i;
    const text = typeof raw === 'string' ? raw : raw instanceof Uint8Array ? utf8.decode(raw) : JSON.stringify(raw) ?? String(raw);
    dead.push({ partition: src.partition, offset, raw: text, error });
  }

  function decode(src: SourceBatch, from: number, b: EventBatch, dead: DeadLetter[]): number {
    const records = src.records;
    let i = from;
    for (; i < records.length && b.size < b.capacity; i++) {
      const raw = records[i];
      let o: Record<string, unknown>;
      if (typeof raw === 'object' && raw !== null && !(raw instanceof Uint8Array)) {
        o = raw as Record<string, unknown>;
      } else {
        try {
          const parsed: unknown = JSON.parse(raw instanceof Uint8Array ? utf8.decode(raw) : String(raw));
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
            fail(dead, src, i, raw, 'event is not a JSON object');
            continue;
          }
          o = parsed as Record<string, unknown>;
        } catch (e) {
          fail(dead, src, i, raw, `invalid JSON: ${(e as Error).message}`);
          continue;
        }
      }
      if (filter && !filter(o)) {
        self.filtered++;
        continue;
      }
      const n = b.size;
      // key
      if (singleKey) {
        const k = singleKey(o);
        if (k === undefined || k === null || k === '') {
          fail(dead, src, i, raw, `key field '${asset.key[0]}' is missing`);
          continue;
        }
        b.key[n] = keyString(k);
      } else {
        const parts: string[] = [];
        let missing = -1;
        for (let g = 0; g < keyGetters.length; g++) {
          const k = keyGetters[g](o);
          if (k === undefined || k === null || k === '') { missing = g; break; }
          parts.push(keyString(k));
        }
        if (missing >= 0) {
          fail(dead, src, i, raw, `key field '${asset.key[missing]}' is missing`);
          continue;
        }
        b.key[n] = parts.join('\u001f');
        b.keyParts[n] = parts;
      }
      // event time
      const t = timeGet(o);
      const time = typeof t === 'number' ? t : typeof t === 'string' ? (/^\d+$/.test(t) ? Number(t) : Date.parse(t)) : NaN;
      if (!Number.isFinite(time)) {
        fail(dead, src, i, raw, `event time field '${asset.eventTime}' is ${t === undefined ? 'missing' : `not epoch milliseconds or an ISO-8601 time: ${JSON.stringify(t)}`}`);
        continue;
      }
      b.time[n] = time;
      if (idGet) {
        const id = idGet(o);
        if (id === undefined || id === null || id === '') {
          fail(dead, src, i, raw, `dedup field '${asset.dedupBy}' is missing`);
          continue;
        }
        b.id[n] = typeof id === 'string' ? id : String(id);
      }
      let bad = -1;
      for (let f = 0; f < numGet.length; f++) {
        const v = numGet[f](o);
        let x: number;
        if (typeof v === 'number') x = v;
        else if (v === undefined || v === null) x = NaN;
        else if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) x = Number(v);
        else { bad = f; break; }
        b.nums[f][n] = x;
      }
      if (bad >= 0) {
        fail(dead, src, i, raw, `field '${c.numericFields[bad]}' is not a number: ${JSON.stringify(numGet[bad](o))}`);
        continue;
      }
      for (let f = 0; f < valGet.length; f++) b.vals[f][n] = valGet[f](o);
      b.partition[n] = src.partition;
      b.offset[n] = src.offsets ? src.offsets[i] : src.firstOffset + i;
      b.raw[n] = raw;
      b.size = n + 1;
    }
    return i;
  }
  return self;
}
