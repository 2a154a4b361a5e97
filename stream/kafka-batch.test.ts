import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { packBatch, unpackBatch } from './kafka-batch.ts';

/** kafkajs's shape of a fetched record: offsets as decimal strings, the value a Buffer or null */
function message(offset: number, value: Uint8Array | null): KafkaMessage {
  return {
    offset: String(offset),
    value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value),
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
  // all-ASCII batches (the usual JSON) take another path than the rest
  ascii: fc.boolean(),
  // values as views of one response buffer with record headers between them (uncompressed
  // batches), or each a buffer of its own (decompressed ones)
  filler: fc.option(fc.uint8Array({ minLength: 1, maxLength: 4 })),
});

/** the values as kafkajs leaves them: views of one fetch response, `filler` bytes before each */
function inOneResponse(values: Array<Uint8Array | null>, filler: Uint8Array): Array<Buffer | null> {
  const response = Buffer.concat(values.flatMap((v) => (v === null ? [filler] : [filler, v])));
  let at = 0;
  return values.map((v) => {
    if (v === null) {
      at += filler.length;
      return null;
    }
    at += filler.length + v.length;
    return response.subarray(at - v.length, at);
  });
}

describe('Kafka batches across the fetching thread', () => {
  it('hand over every record from the expected offset on, byte for byte, at its own offset', () => {
    fc.assert(
      fc.property(records, ({ first, items, skip, ascii, filler }) => {
        let offset = first - 1;
        const own = items.map(({ value }) => (value && ascii ? value.map((x) => x & 0x7f) : value));
        const values = filler ? inOneResponse(own, filler) : own;
        const messages = items.map(({ gap }, i) => message((offset += 1 + gap), values[i]));
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
        const bytes = (r: unknown) => (r === null ? null : [...(typeof r === 'string' ? Buffer.from(r) : (r as Uint8Array))]);
        expect(got.records.map(bytes)).toEqual(want.map((m) => (m.value === null ? null : [...m.value])));
        const offsets = got.records.map((_, i) => (got.offsets ? got.offsets[i] : got.firstOffset + i));
        expect(offsets).toEqual(want.map((m) => Number(m.offset)));
        expect(got.nextOffset).toBe(Number(want[want.length - 1].offset) + 1);
      }),
      { numRuns: 500 },
    );
  });

  it('keep text that is not ASCII intact for the decoder, and invalid UTF-8 to its own record', () => {
    const decoded = (records: unknown[]) => records.map((r) => (typeof r === 'string' ? r : new TextDecoder().decode(r as Uint8Array)));
    const texts = ['{"k":"é","t":1}', '{"k":"日本","t":2}', '{"k":"🌊","t":3}', '{"k":"a","t":4}'];
    const got = unpackBatch(
      packBatch(
        0,
        texts.map((t, i) => message(10 + i, Buffer.from(t))),
        0,
        0,
      )!,
    );
    expect(decoded(got.records)).toEqual(texts);
    // a lone continuation byte, and a sequence cut short at the end of a record, touch no neighbour
    const cut = [Buffer.from([0x22, 0x80, 0x22]), Buffer.from('"ok"'), Buffer.from([0x22, 0xe6, 0x97]), Buffer.from('"ok"')];
    const broken = unpackBatch(
      packBatch(
        0,
        cut.map((v, i) => message(i, v)),
        0,
        0,
      )!,
    );
    expect(decoded(broken.records)).toEqual(['"\uFFFD"', '"ok"', '"\uFFFD', '"ok"']);
    const ascii = unpackBatch(packBatch(0, [message(0, Buffer.from('{"k":1}')), message(1, null), message(2, Buffer.from('[]'))], 0, 0)!);
    expect(ascii.records).toEqual(['{"k":1}', null, '[]']);
    expect(got.offsets).toBeUndefined();
    expect(got.firstOffset).toBe(10);
  });
});
