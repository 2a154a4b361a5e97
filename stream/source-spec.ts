// A source described as plain JSON, so a Temporal workflow can carry it to the activity that
// opens it (on whichever worker runs the shard).
import { fileSource } from './source-file.ts';
import type { SourceSpec } from '../contract/streaming.ts';
import { generatorSource } from './source-generator.ts';
import { kafkaSource } from './source-kafka.ts';
import type { KafkaConnection } from './kafka-client.ts';
import type { StreamSource } from './source.ts';

export type { SourceSpec };

/** `kafka`: the worker's Kafka settings (brokers when the spec names none, credentials). */
export function openSourceSpec(spec: SourceSpec, shard?: { index: number; count: number }, kafka?: KafkaConnection): StreamSource {
  switch (spec.kind) {
    case 'kafka':
      return kafkaSource({ brokers: spec.brokers, connection: kafka, topic: spec.topic, shard, stopAt: spec.stopAt });
    case 'generator':
      return generatorSource(spec.options);
    case 'file':
      return fileSource(spec.path, { follow: spec.follow });
  }
}

export function describeSourceSpec(spec: SourceSpec): string {
  return spec.kind === 'kafka'
    ? `kafka:${spec.topic}@${spec.brokers?.join(',') ?? "the worker's FRESHET_KAFKA_BROKERS"}`
    : spec.kind === 'file'
      ? `file:${spec.path}`
      : 'generator';
}
