// The columnar batch the operator consumes, reused from batch to batch so the hot path allocates
// nothing per event; and the records sources hand over before decoding.

/** What a source delivers: records of one partition with consecutive offsets. */
export interface SourceBatch {
  partition: number;
  /** offset of records[0]; record i has offset firstOffset + i (file: line number; Kafka: see offsets) */
  firstOffset: number;
  /** explicit per-record offsets when they are not consecutive (Kafka compaction, transactions) */
  offsets?: number[];
  /** a parsed object, or the raw text / bytes of one JSON event */
  records: unknown[];
  /** where to resume after this batch (file: the byte after the last line; Kafka: last offset + 1) */
  nextOffset: number;
  /** processing time the source received the batch, for latency (ms) */
  receivedAt?: number;
}

export interface EventBatch {
  size: number;
  capacity: number;
  /** processing time the batch was decoded at: no event in it moves the watermark past this (Infinity: no bound) */
  readAt: number;
  partition: Int32Array;
  offset: Float64Array;
  time: Float64Array;
  key: string[];
  /** the key's parts, one string per key field */
  keyParts: string[][];
  /** dedup ids, when the job deduplicates */
  id: string[];
  /** one column per numeric field (NaN = null) */
  nums: Float64Array[];
  /** one column per value field */
  vals: unknown[][];
  /** each event's record as the source gave it, for late-event payloads */
  raw: unknown[];
}

export function newEventBatch(capacity: number, numericFields: number, valueFields: number): EventBatch {
  return {
    size: 0,
    capacity,
    readAt: Infinity,
    partition: new Int32Array(capacity),
    offset: new Float64Array(capacity),
    time: new Float64Array(capacity),
    key: new Array<string>(capacity).fill(''),
    keyParts: new Array<string[]>(capacity).fill([]),
    id: new Array<string>(capacity).fill(''),
    nums: Array.from({ length: numericFields }, () => new Float64Array(capacity)),
    vals: Array.from({ length: valueFields }, () => new Array<unknown>(capacity).fill(null)),
    raw: new Array<unknown>(capacity).fill(null),
  };
}
