// The Kafka source's fetching thread (started by source-kafka.ts). kafkajs turns every record
// into objects (offsets and timestamps through Long and strings, a Buffer per key and value, a
// headers object): on the job's thread that took a third of its CPU, and the job's throughput
// is bounded by that one thread. Here it runs beside the job: each fetched partition batch goes
// over as one transferred buffer of the values back to back, with their bounds.
//
// Offsets are Freshet's (see source-kafka.ts): this run's consumer group of one member takes the
// owned partitions, seeks them to the next expected offset on every join, never commits, and
// skips records below the expected offset (a fetch that raced a seek).
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { AssignerProtocol } from 'kafkajs';
import type { Consumer, KafkaMessage, PartitionAssigner } from 'kafkajs';
import { kafkaClient, type KafkaConnection } from './kafka-client.ts';

export interface KafkaThreadData {
  kafkaThread: true;
  topic: string;
  connection: KafkaConnection;
  brokers?: string[];
  groupPrefix: string;
  /** the partitions this run reads, each from its next offset */
  owned: number[];
  from: Record<string, number>;
  maxBytesPerPartition: number;
  /** batches handed over and not yet taken before fetching pauses */
  maxQueued: number;
}

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

export type ThreadMessage = PackedBatch | { type: 'started' } | { type: 'failed'; message: string; name: string } | { type: 'closed' };
/** the job took one batch (credit for one more), or the source closes */
export type JobMessage = { type: 'taken' } | { type: 'close' };

/** Gives the one member of this run's group the partitions its shard owns. */
function ownedPartitionsAssigner(owned: number[]): PartitionAssigner {
  return () => ({
    name: 'FreshetOwnedPartitions',
    version: 0,
    async assign({ members, topics }) {
      const [first] = members.map((m) => m.memberId).sort();
      return members.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: memberId === first ? Object.fromEntries(topics.map((t) => [t, owned])) : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: 'FreshetOwnedPartitions',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
      };
    },
  });
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

async function run(data: KafkaThreadData, port: NonNullable<typeof parentPort>): Promise<void> {
  const next = new Map<number, number>(data.owned.map((p) => [p, data.from[String(p)] ?? 0]));
  let outstanding = 0;
  let credit: (() => void) | undefined;
  let consumer: Consumer | undefined;
  let closing = false;
  const fail = (e: unknown) => {
    const err = e as Error;
    port.postMessage({ type: 'failed', message: err?.message ?? String(e), name: err?.name ?? 'Error' } satisfies ThreadMessage);
  };

  port.on('message', (m: JobMessage) => {
    if (m.type === 'taken') {
      outstanding--;
      credit?.();
    } else if (m.type === 'close' && !closing) {
      closing = true;
      credit?.();
      void (async () => {
        await consumer?.disconnect().catch(() => undefined);
        port.postMessage({ type: 'closed' } satisfies ThreadMessage);
      })();
    }
  });

  try {
    const { kafka } = kafkaClient(data.connection, data.brokers);
    consumer = kafka.consumer({
      groupId: `${data.groupPrefix}-${randomUUID()}`,
      partitionAssigners: [ownedPartitionsAssigner(data.owned)],
      sessionTimeout: 30_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 50,
      maxBytesPerPartition: data.maxBytesPerPartition,
      retry: { retries: 10 },
    });
    const c = consumer;
    // kafkajs restarts itself after a retriable crash (e.g. a new broker's coordinator still
    // loading): only a crash it gives up on fails the job.
    c.on(c.events.CRASH, (e) => {
      if (e.payload.restart) return;
      fail(new Error(`Kafka consumer for '${data.topic}' crashed: ${e.payload.error.message}`));
    });
    // Every join (the first, and each after a restart, which forgets earlier seeks) starts the
    // owned partitions at the next offset this run expects: the checkpoint's, then what was handed over.
    c.on(c.events.GROUP_JOIN, () => {
      for (const p of data.owned) c.seek({ topic: data.topic, partition: p, offset: String(next.get(p) ?? 0) });
    });
    await c.connect();
    await c.subscribe({ topic: data.topic, fromBeginning: true });
    await c.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (closing) return;
        const p = batch.partition;
        const packed = packBatch(p, batch.messages, next.get(p) ?? 0, Date.now());
        if (packed) {
          const n = packed.starts.length;
          next.set(p, packed.offsets ? packed.offsets[n - 1] + 1 : packed.firstOffset + n);
          outstanding++;
          const transfer = [packed.data, packed.starts.buffer, packed.ends.buffer, ...(packed.offsets ? [packed.offsets.buffer] : [])];
          port.postMessage(packed satisfies ThreadMessage, transfer as ArrayBuffer[]);
        }
        resolveOffset(batch.lastOffset());
        while (outstanding >= data.maxQueued && isRunning() && !isStale() && !closing) {
          await new Promise<void>((r) => {
            credit = r;
            setTimeout(r, 1_000);
          });
          credit = undefined;
          await heartbeat();
        }
      },
    });
    port.postMessage({ type: 'started' } satisfies ThreadMessage);
  } catch (e) {
    fail(e);
  }
}

if (parentPort && (workerData as Partial<KafkaThreadData> | null)?.kafkaThread) void run(workerData as KafkaThreadData, parentPort);
