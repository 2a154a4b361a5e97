// A partition's fetched records as they cross from the Kafka thread (kafka-thread.ts) to the job:
// the values in one buffer that is transferred, not copied, with their bounds, instead of one
// object per record that the structured clone would copy one by one.
import { isAscii } from 'node:buffer';
import type { KafkaMessage } from 'kafkajs';
import type { SourceBatch } from './batch.ts';

/** One partition's records: value i is bytes [starts[i], ends[i]) of data; starts[i] = -1 for a null value. */
export interface PackedBatch {
  type: 'batch';
  partition: number;
  firstOffset: number;
  /** per-record offsets when they are not consecutive (compaction, transaction markers); else null */
  offsets: Float64Array | null;
  /** the values, and between them whatever lay between them in the fetch response (record headers) */
  data: ArrayBuffer;
  starts: Int32Array;
  ends: Int32Array;
  /** every value is ASCII: one byte is one character */
  ascii: boolean;
  receivedAt: number;
}

/** The records of `messages` from offset `expected` on, packed; null when none is. */
export function packBatch(partition: number, messages: KafkaMessage[], expected: number, receivedAt: number): PackedBatch | null {
  let from = 0;
  while (from < messages.length && Number(messages[from].offset) < expected) from++;
  const n = messages.length - from;
  if (n === 0) return null;
  const firstOffset = Number(messages[from].offset);
  // offsets increase: they are consecutive exactly when the last is first + n - 1
  const consecutive = Number(messages[messages.length - 1].offset) === firstOffset + n - 1;
  const offsets = consecutive ? null : new Float64Array(n);
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  // Uncompressed, kafkajs's values are views of the fetch response in order: one copy of the span
  // they cover costs less than a copy per value. Otherwise (compressed batches) each is copied.
  let region: ArrayBufferLike | undefined;
  let lo = -1;
  let hi = -1;
  let inOrder = true;
  let bytes = 0;
  let ascii = true;
  for (let i = from; i < messages.length; i++) {
    const v = messages[i].value;
    if (v === null) continue;
    bytes += v.length;
    if (ascii && !isAscii(v)) ascii = false;
    if (!inOrder) continue;
    if (lo < 0) {
      region = v.buffer;
      lo = v.byteOffset;
    } else if (v.buffer !== region || v.byteOffset < hi) inOrder = false;
    hi = v.byteOffset + v.length;
  }
  let data: ArrayBuffer;
  if (inOrder && region) {
    // a view of a fresh ArrayBuffer holding just the span, which can be transferred
    data = new Uint8Array(region, lo, hi - lo).slice().buffer;
    for (let i = 0; i < n; i++) {
      const m = messages[from + i];
      if (offsets) offsets[i] = Number(m.offset);
      const v = m.value;
      starts[i] = v === null ? -1 : v.byteOffset - lo;
      ends[i] = v === null ? -1 : v.byteOffset - lo + v.length;
    }
  } else {
    data = new ArrayBuffer(bytes);
    const into = new Uint8Array(data);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const m = messages[from + i];
      if (offsets) offsets[i] = Number(m.offset);
      const v = m.value;
      if (v === null) {
        starts[i] = -1;
        ends[i] = -1;
        continue;
      }
      into.set(v, at);
      starts[i] = at;
      at += v.length;
      ends[i] = at;
    }
  }
  return { type: 'batch', partition, firstOffset, offsets, data, starts, ends, ascii, receivedAt };
}

/**
 * A thread's packed batch as the job reads it (null for a null value). An all-ASCII batch (the
 * usual JSON) is decoded to text once, byte for character (latin1), and each record is a slice
 * of it, which costs less than a decode per record; otherwise each record is a view of its bytes,
 * decoded on its own, so that one record's invalid UTF-8 stays that record's.
 */
export function unpackBatch(b: PackedBatch): SourceBatch {
  const n = b.starts.length;
  const records = new Array<unknown>(n);
  if (b.ascii) {
    // latin1 keeps one character per byte also for the record headers between the values
    const text = Buffer.from(b.data).toString('latin1');
    for (let i = 0; i < n; i++) {
      const start = b.starts[i];
      records[i] = start < 0 ? null : text.slice(start, b.ends[i]);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const start = b.starts[i];
      records[i] = start < 0 ? null : new Uint8Array(b.data, start, b.ends[i] - start);
    }
  }
  const nextOffset = b.offsets ? b.offsets[n - 1] + 1 : b.firstOffset + n;
  return {
    partition: b.partition,
    firstOffset: b.firstOffset,
    ...(b.offsets ? { offsets: Array.from(b.offsets) } : {}),
    records,
    nextOffset,
    receivedAt: b.receivedAt,
  };
}
