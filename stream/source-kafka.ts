// Kafka through kafkajs. Offsets are Freshet's: each run joins a consumer group of its own
// (a fresh id, so a restart never waits out a dead member's session), takes exactly the
// partitions its shard owns, seeks them to the checkpoint's offsets on every group join and never
// commits offsets to Kafka. Records below the expected offset (a fetch that raced a seek) are skipped.
// eachBatch hands batches to a bounded queue and waits while it is full: backpressure.
import { randomUUID } from 'node:crypto';
import { AssignerProtocol } from 'kafkajs';
import type { Consumer, PartitionAssigner } from 'kafkajs';
import type { SourceBatch } from './batch.ts';
import { kafkaClient, type KafkaConnection } from './kafka-client.ts';
import type { StreamSource } from './source.ts';
import { ownsPartition } from './source.ts';

export interface KafkaSourceOptions {
  /** default: the connection's brokers */
  brokers?: string[];
  topic: string;
  /** brokers, client id, SASL and TLS from the worker's configuration */
  connection?: KafkaConnection;
  clientId?: string;
  /** consumer group ids are `<groupPrefix>-<random>` (default 'freshet') */
  groupPrefix?: string;
  shard?: { index: number; count: number };
  /** batches buffered ahead of the job before fetching pauses (default 8) */
  maxQueuedBatches?: number;
  maxBytesPerPartition?: number;
  /** end the source once every owned partition has been read up to (not including) these offsets */
  stopAt?: Record<string, number>;
}

/** Gives the one member of this run's group the partitions its shard owns. */
function ownedPartitionsAssigner(owned: () => number[]): PartitionAssigner {
  return () => ({
    name: 'FreshetOwnedPartitions',
    version: 0,
    async assign({ members, topics }) {
      const [first] = members.map((m) => m.memberId).sort();
      return members.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: memberId === first ? Object.fromEntries(topics.map((t) => [t, owned()])) : {},
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

export function kafkaSource(opts: KafkaSourceOptions): StreamSource {
  const maxQueued = opts.maxQueuedBatches ?? 8;
  const queue: SourceBatch[] = [];
  const next = new Map<number, number>();
  let owned: number[] = [];
  let consumer: Consumer | undefined;
  let wakeReader: (() => void) | undefined;
  let wakeFetcher: (() => void) | undefined;
  let failure: Error | undefined;

  const connection = { ...opts.connection, ...(opts.clientId ? { clientId: opts.clientId } : {}) };
  const { kafka, brokers } = kafkaClient(connection, opts.brokers);

  return {
    name: `kafka:${opts.topic}`,
    async open(from) {
      const admin = kafka.admin();
      try {
        await admin.connect();
      } catch (e) {
        const auth = (e as Error).name === 'KafkaJSSASLAuthenticationError';
        throw new Error(
          `Kafka at ${brokers.join(',')} ${auth ? 'refused the credentials' : 'cannot be reached'} (${(e as Error).message}); ` +
            (auth
              ? "check the worker's FRESHET_KAFKA_SASL_* settings."
              : "check the brokers and the worker's FRESHET_KAFKA_TLS* settings."),
          { cause: e },
        );
      }
      try {
        const meta = await admin.fetchTopicMetadata({ topics: [opts.topic] });
        owned = meta.topics[0].partitions
          .map((p) => p.partitionId)
          .filter((p) => ownsPartition(opts.shard, p))
          .sort((a, b) => a - b);
      } catch (e) {
        throw new Error(
          `Kafka topic '${opts.topic}' on ${brokers.join(',')} cannot be described (${(e as Error).message}); create it, or check the brokers.`,
          { cause: e },
        );
      } finally {
        await admin.disconnect();
      }
      for (const p of owned) next.set(p, from[String(p)] ?? 0);
      consumer = kafka.consumer({
        groupId: `${opts.groupPrefix ?? 'freshet'}-${randomUUID()}`,
        partitionAssigners: [ownedPartitionsAssigner(() => owned)],
        sessionTimeout: 30_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 50,
        maxBytesPerPartition: opts.maxBytesPerPartition ?? 4 << 20,
        retry: { retries: 10 },
      });
      // kafkajs restarts itself after a retriable crash (e.g. a new broker's coordinator still
      // loading): only a crash it gives up on fails the job.
      consumer.on(consumer.events.CRASH, (e) => {
        if (e.payload.restart) return;
        failure = new Error(`Kafka consumer for '${opts.topic}' crashed: ${e.payload.error.message}`);
        wakeReader?.();
      });
      // Every join (the first, and each after a restart, which forgets earlier seeks) starts the
      // owned partitions at the next offset this run expects: the checkpoint's, then what was queued.
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const p of owned) consumer!.seek({ topic: opts.topic, partition: p, offset: String(next.get(p) ?? 0) });
      });
      await consumer.connect();
      await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          const p = batch.partition;
          const expected = next.get(p) ?? 0;
          const records: unknown[] = [];
          const offsets: number[] = [];
          for (const m of batch.messages) {
            const o = Number(m.offset);
            if (o < expected) continue;
            records.push(m.value);
            offsets.push(o);
          }
          if (records.length > 0) {
            const last = offsets[offsets.length - 1];
            next.set(p, last + 1);
            queue.push({ partition: p, firstOffset: offsets[0], offsets, records, nextOffset: last + 1, receivedAt: Date.now() });
            wakeReader?.();
          }
          resolveOffset(batch.lastOffset());
          while (queue.length >= maxQueued && isRunning() && !isStale()) {
            await new Promise<void>((r) => {
              wakeFetcher = r;
              setTimeout(r, 1_000);
            });
            await heartbeat();
          }
        },
      });
      return owned;
    },
    async poll(max, waitMs) {
      if (failure) throw failure;
      const stopAt = opts.stopAt;
      if (queue.length === 0 && stopAt && owned.every((p) => (next.get(p) ?? 0) >= (stopAt[String(p)] ?? 0))) return null;
      if (queue.length === 0) {
        await new Promise<void>((r) => {
          wakeReader = r;
          setTimeout(r, waitMs);
        });
        wakeReader = undefined;
        if (failure) throw failure;
      }
      const out: SourceBatch[] = [];
      let n = 0;
      while (queue.length > 0 && n < max) {
        const b = queue.shift()!;
        out.push(b);
        n += b.records.length;
      }
      wakeFetcher?.();
      return out;
    },
    async close() {
      await consumer?.disconnect().catch(() => undefined);
    },
  };
}
