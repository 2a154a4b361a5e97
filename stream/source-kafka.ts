// Kafka through kafkajs, fetched on a thread of its own (kafka-thread.ts) so that decoding
// Kafka's records does not take the job's thread. Offsets are Freshet's: each run joins a consumer
// group of its own (a fresh id, so a restart never waits out a dead member's session), takes
// exactly the partitions its shard owns, seeks them to the checkpoint's offsets on every group
// join and never commits offsets to Kafka. Records below the expected offset (a fetch that raced
// a seek) are skipped. The thread hands over at most maxQueuedBatches batches the job has not
// taken, then pauses fetching: backpressure.
import { Worker } from 'node:worker_threads';
import type { SourceBatch } from './batch.ts';
import { kafkaClient, type KafkaConnection } from './kafka-client.ts';
import { unpackBatch, type PackedBatch } from './kafka-batch.ts';
import type { JobMessage, KafkaThreadData, ThreadMessage } from './kafka-thread.ts';
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

/** How long close() waits for the thread to leave the group before ending it. */
const CLOSE_TIMEOUT_MS = 10_000;

export function kafkaSource(opts: KafkaSourceOptions): StreamSource {
  const maxQueued = opts.maxQueuedBatches ?? 8;
  const queue: PackedBatch[] = [];
  const next = new Map<number, number>();
  let owned: number[] = [];
  let thread: Worker | undefined;
  let closed: Promise<void> | undefined;
  let exited = false;
  let wakeReader: (() => void) | undefined;
  let failure: Error | undefined;

  const connection = { ...opts.connection, ...(opts.clientId ? { clientId: opts.clientId } : {}) };
  const { kafka, brokers } = kafkaClient(connection, opts.brokers);
  const send = (m: JobMessage) => thread?.postMessage(m);

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
      const data: KafkaThreadData = {
        kafkaThread: true,
        topic: opts.topic,
        connection,
        brokers: opts.brokers,
        groupPrefix: opts.groupPrefix ?? 'freshet',
        owned,
        from: Object.fromEntries(next),
        maxBytesPerPartition: opts.maxBytesPerPartition ?? 4 << 20,
        maxQueued,
      };
      const worker = new Worker(new URL('../bin/ts-thread.mjs', import.meta.url), {
        argv: [new URL('./kafka-thread.ts', import.meta.url).href],
        workerData: data,
      });
      thread = worker;
      // a source the job never closed does not keep the process alive
      worker.unref();
      await new Promise<void>((resolve, reject) => {
        let started = false;
        const fail = (e: Error) => {
          failure ??= e;
          if (!started) reject(e);
          wakeReader?.();
        };
        worker.on('message', (m: ThreadMessage) => {
          if (m.type === 'batch') {
            queue.push(m);
            wakeReader?.();
          } else if (m.type === 'started') {
            started = true;
            resolve();
          } else if (m.type === 'failed') {
            const e = new Error(m.message);
            e.name = m.name;
            fail(e);
          }
        });
        worker.on('error', (e) => fail(new Error(`the Kafka fetching thread for '${opts.topic}' failed: ${e.message}`, { cause: e })));
        worker.on('exit', (code) => {
          exited = true;
          if (!closed) fail(new Error(`the Kafka fetching thread for '${opts.topic}' stopped (exit code ${code})`));
        });
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
        const b = unpackBatch(queue.shift()!);
        next.set(b.partition, b.nextOffset);
        out.push(b);
        n += b.records.length;
        send({ type: 'taken' });
      }
      return out;
    },
    close() {
      const worker = thread;
      if (!worker || exited) return Promise.resolve();
      closed ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
        worker.on('message', (m: ThreadMessage) => {
          if (m.type === 'closed') void worker.terminate();
        });
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        send({ type: 'close' });
      });
      return closed;
    },
  };
}
