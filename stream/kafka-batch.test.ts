import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { packBatch, unpackBatch } from './kafka-batch.ts';

/** kafkajs's shape of a fetched record: offsets as decimal strings, the value a Buffer or null */
function message(offset: number, value: Uint8Array | null): KafkaMessage {
  return {
    offset: String(offset),
    value: value === null ? null : Buffer.from(value),
    key: null,
    timestamp: '0',
    attributes: 0,
    headers: {},
  };
}

/** increasing offsets from `first`, with gaps (compaction, transaction markers) where `gaps` says */
const records = fc.record({
  first: fc.nat({ max: 2 ** 40 }),
  items: fc.array(fc.record({ gap: fc.oneof(fc.constant(0), fc.nat({ max: 3 })), value: fc.option(fc.uint8Array({ maxLength: 40 })) }), {
    maxLength: 60,
  }),
  skip: fc.nat({ max: 70 }),
});

describe('Kafka batches across the fetching thread', () => {
  it('hand over every record from the expected offset on, byte for byte, at its own offset', () => {
    fc.assert(
      fc.property(records, ({ first, items, skip }) => {
        let offset = first - 1;
        const messages = items.map(({ gap, value }) => message((offset += 1 + gap), value));
        const expected = first + skip;
        const want = messages.filter((m) => Number(m.offset) >= expected);
        const packed = packBatch(7, messages, expected, 123);
        if (want.length === 0) {
          expect(packed).toBeNull();
          return;
        }
        // as postMessage hands it to the job's thread: the buffers transferred, not copied
        const transfer = [packed!.data, packed!.starts.buffer, packed!.ends.buffer, ...(packed!.offsets ? [packed!.offsets.buffer] : [])];
        const moved = structuredClone(packed!, { transfer: transfer as ArrayBuffer[] });
        const got = unpackBatch(moved);
        expect(got.partition).toBe(7);
        expect(got.receivedAt).toBe(123);
        expect(got.records.map((r) => (r === null ? null : [...(r as Uint8Array)]))).toEqual(
          want.map((m) => (m.value === null ? null : [...m.value])),
        );
        const offsets = got.records.map((_, i) => (got.offsets ? got.offsets[i] : got.firstOffset + i));
        expect(offsets).toEqual(want.map((m) => Number(m.offset)));
        expect(got.nextOffset).toBe(Number(want[want.length - 1].offset) + 1);
      }),
      { numRuns: 500 },
    );
  });

  it('keep text that is not ASCII intact for the decoder', () => {
    const texts = ['{"k":"é","t":1}', '{"k":"日本","t":2}', '{"k":"🌊","t":3}'];
    const packed = packBatch(
      0,
      texts.map((t, i) => message(10 + i, Buffer.from(t))),
      0,
      0,
    )!;
    const got = unpackBatch(packed);
    expect(got.records.map((r) => new TextDecoder().decode(r as Uint8Array))).toEqual(texts);
    expect(got.offsets).toBeUndefined();
    expect(got.firstOffset).toBe(10);
  });
});
