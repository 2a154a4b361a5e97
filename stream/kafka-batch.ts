// A partition's fetched records as they cross from the Kafka thread (kafka-thread.ts) to the job:
// the values back to back in one buffer that is transferred, not copied, with their bounds, instead
// of one object per record that the structured clone would copy one by one.
import type { KafkaMessage } from 'kafkajs';
import type { SourceBatch } from './batch.ts';

/** One partition's records: value i is bytes [starts[i], ends[i]) of data; starts[i] = -1 for a null value. */
export interface PackedBatch {
  type: 'batch';
  partition: number;
  firstOffset: number;
  /** per-record offsets when they are not consecutive (compaction, transaction markers); else null */
  offsets: Float64Array | null;
  data: ArrayBuffer;
  starts: Int32Array;
  ends: Int32Array;
  receivedAt: number;
}

/** The records of `messages` from offset `expected` on, packed; null when none is. */
export function packBatch(partition: number, messages: KafkaMessage[], expected: number, receivedAt: number): PackedBatch | null {
  let from = 0;
  while (from < messages.length && Number(messages[from].offset) < expected) from++;
  const n = messages.length - from;
  if (n === 0) return null;
  const firstOffset = Number(messages[from].offset);
  let bytes = 0;
  for (let i = from; i < messages.length; i++) bytes += messages[i].value?.length ?? 0;
  // offsets increase: they are consecutive exactly when the last is first + n - 1
  const consecutive = Number(messages[messages.length - 1].offset) === firstOffset + n - 1;
  const data = new ArrayBuffer(bytes);
  const bytesView = new Uint8Array(data);
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  const offsets = consecutive ? null : new Float64Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const m = messages[from + i];
    const v = m.value;
    if (offsets) offsets[i] = Number(m.offset);
    if (v === null) {
      starts[i] = -1;
      ends[i] = -1;
      continue;
    }
    bytesView.set(v, at);
    starts[i] = at;
    at += v.length;
    ends[i] = at;
  }
  return { type: 'batch', partition, firstOffset, offsets, data, starts, ends, receivedAt };
}

/** A thread's packed batch as the job reads it: each record a view of its bytes (null for a null value). */
export function unpackBatch(b: PackedBatch): SourceBatch {
  const n = b.starts.length;
  const records = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const start = b.starts[i];
    records[i] = start < 0 ? null : new Uint8Array(b.data, start, b.ends[i] - start);
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
