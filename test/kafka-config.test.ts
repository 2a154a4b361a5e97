// The worker's Kafka settings reach kafkajs: a source spec that names only a topic (as a workflow
// input carries it) reads through the configured brokers with the configured SASL credentials,
// against a real broker that demands them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../runtime/index.ts';
import { startKafka, type KafkaServer } from '../services/kafka.ts';
import { openSourceSpec } from '../stream/source-spec.ts';
import { makePurchases, produceToTopic } from './support/stream/kafka-fixture.ts';

const USER = { username: 'freshet-worker', password: 'sasl-pa55word' };
let kafka: KafkaServer;

beforeAll(async () => {
  kafka = await startKafka({ partitions: 2, sasl: USER });
});

afterAll(async () => {
  await kafka?.stop();
});

const saslEnv = (password: string) => ({
  FRESHET_KAFKA_BROKERS: kafka.saslBrokers!.join(','),
  FRESHET_KAFKA_SASL_MECHANISM: 'plain',
  FRESHET_KAFKA_SASL_USERNAME: USER.username,
  FRESHET_KAFKA_SASL_PASSWORD: password,
});

describe('Kafka settings from the configuration', () => {
  it('reads a topic through the SASL listener with the configured brokers and credentials', async () => {
    const events = makePurchases(500, 3, 20);
    const stopAt = await produceToTopic(kafka.brokers, 'sasl-purchases', 2, events);
    const spec = { kind: 'kafka' as const, topic: 'sasl-purchases', stopAt };
    // what a workflow input carries: no brokers, no credential
    expect(JSON.stringify(spec)).not.toMatch(/sasl-pa55word|freshet-worker|9092/);
    const source = openSourceSpec(spec, undefined, loadConfig(saslEnv(USER.password)).kafka);
    expect(await source.open({})).toEqual([0, 1]);
    let records = 0;
    try {
      for (;;) {
        const batches = await source.poll(1_000, 2_000);
        if (batches === null) break;
        records += batches.reduce((n, b) => n + b.records.length, 0);
      }
    } finally {
      await source.close();
    }
    expect(records).toBe(events.length);
  });

  it('fails to open with a wrong password, saying so', async () => {
    const source = openSourceSpec({ kind: 'kafka', topic: 'sasl-purchases' }, undefined, loadConfig(saslEnv('wrong')).kafka);
    await expect(source.open({})).rejects.toThrow(/refused the credentials .*Invalid username or password.*FRESHET_KAFKA_SASL_/);
    await source.close();
  });
});
