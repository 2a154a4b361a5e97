// Test fixtures shared by the Kafka exactly-once tests (stream/kafka.test.ts runs the job in a
// killed child process, test/streaming.test.ts under Temporal): the events, and putting them on a topic.
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { seeded } from '../../../stream/source-generator.ts';

export interface PurchaseEvent {
  id: string;
  user_id: string;
  amount: number;
  ts: number;
}

/**
 * `n` purchases at 1,000 per second of event time (or `eventsPerSecond`), up to 500 ms out of
 * order; `users` skewed keys, and a `hot` share of them on user 'hot'.
 */
export function makePurchases(
  n: number,
  seed: number,
  users: number,
  opts: { hot?: number; eventsPerSecond?: number } = {},
): PurchaseEvent[] {
  const r = seeded(seed);
  const { hot = 0, eventsPerSecond = 1_000 } = opts;
  return Array.from({ length: n }, (_, i) => ({
    id: `e${i}`,
    user_id: hot > 0 && r() < hot ? 'hot' : `u${Math.floor(r() * r() * users)}`,
    amount: Math.floor(r() * 10_000) / 100,
    ts: 1_700_000_000_000 + Math.floor((i * 1_000) / eventsPerSecond) - Math.floor(r() * 500),
  }));
}

/** A producer's salting: user 'hot' spread over `buckets` message keys by event id (a retried event keeps its partition), other users as they are. */
export function saltHotKey(buckets: number): (e: PurchaseEvent) => string {
  return (e) => (e.user_id === 'hot' ? `hot#${Number(e.id.replace(/\D/g, '')) % buckets}` : e.user_id);
}

/** The partition kafkajs's default partitioner (the producer's in produceToTopic) puts a key on, of `partitions`. */
export function partitionOf(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({
    partitionErrorCode: 0,
    partitionId: i,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return Partitioners.DefaultPartitioner()({ topic: '', partitionMetadata, message: { key, value: null } });
}

/**
 * How many of `events` the producer below puts on each partition, by the same (Java-compatible)
 * partitioner: what a topic's end offsets will grow by, known before they are produced.
 */
export function partitionCounts(
  events: PurchaseEvent[],
  partitions: number,
  keyOf: (e: PurchaseEvent) => string = (e) => e.user_id,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) {
    const p = partitionOf(keyOf(e), partitions);
    counts[p] = (counts[p] ?? 0) + 1;
  }
  return counts;
}

/**
 * Creates `topic` (or adds to it), produces the events (plus any raw extra messages), and returns each partition's
 * end offset. Messages are keyed by user (Kafka puts a key on one partition) unless `keyOf` salts them.
 */
export async function produceToTopic(
  brokers: string[],
  topic: string,
  partitions: number,
  events: PurchaseEvent[],
  opts: { extra?: string[]; keyOf?: (e: PurchaseEvent) => string } = {},
): Promise<Record<string, number>> {
  const { extra = [], keyOf = (e: PurchaseEvent) => e.user_id } = opts;
  const client = new Kafka({ brokers, logLevel: logLevel.ERROR });
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    const producer = client.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (let i = 0; i < events.length; i += 10_000) {
      await producer.send({ topic, messages: events.slice(i, i + 10_000).map((e) => ({ key: keyOf(e), value: JSON.stringify(e) })) });
    }
    if (extra.length) await producer.send({ topic, messages: extra.map((value) => ({ key: 'u1', value })) });
    await producer.disconnect();
    return Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}
