// placeholder until the Kafka source lands
import type { StreamSource } from './source.ts';
export interface KafkaSourceOptions { brokers: string[]; topic: string }
export function kafkaSource(_opts: KafkaSourceOptions): StreamSource {
  throw new Error('kafkaSource is not implemented yet');
}
