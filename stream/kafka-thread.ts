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
import type { Consumer, PartitionAssigner } from 'kafkajs';
import { packBatch, type PackedBatch } from './kafka-batch.ts';
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
