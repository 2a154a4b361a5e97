// Test fixtures shared by the Kafka exactly-once tests (stream/kafka.test.ts runs the job in a
// killed child process, test/streaming.test.ts under Temporal): the events, and putting them on a topic.
import { Kafka, logLevel } from 'kafkajs';
import { seeded } from './source-generator.ts';

export interface PurchaseEvent { id: string; user_id: string; amount: number; ts: number }

/** `n` purchases at 1,000 per second of event time, up to 500 ms out of order; `users` skewed keys. */
export function makePurchases(n: number, seed: number, users: number): PurchaseEvent[] {
  const r = seeded(seed);
  return Array.from({ length: n }, (_, i) => ({ id: `e${i}`, user_id: `u${Math.floor(r() * r() * users)}`, amount: Math.floor(r() * 10_000) / 100, ts: 1_700_000_000_000 + i - Math.floor(r() * 500) }));
}

/** Creates `topic`, produces the events (plus any raw extra messages), and returns each partition's end offset. */
export async function produceToTopic(brokers: string[], topic: string, partitions: number, events: PurchaseEvent[], extra: string[] = []): Promise<Record<string, number>> {
  const client = new Kafka({ brokers, logLevel: logLevel.ERROR });
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    const producer = client.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (let i = 0; i < events.length; i += 10_000) {
      await producer.send({ topic, messages: events.slice(i, i + 10_000).map((e) => ({ key: e.user_id, value: JSON.stringify(e) })) });
    }
    if (extra.length) await producer.send({ topic, messages: extra.map((value) => ({ key: 'u1', value })) });
    await producer.disconnect();
    return Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}
