// How Freshet reaches Kafka: the brokers (a source's own, else the configured ones), the client id,
// SASL and TLS. The worker's configuration (FRESHET_KAFKA_*) supplies these; a source spec carried
// in a workflow input names at most the brokers and topic, never a credential.
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** Holds secrets (the SASL password): never log it or put it in a workflow input. */
export interface KafkaConnection {
  /** brokers for sources that name none (FRESHET_KAFKA_BROKERS) */
  brokers?: string[];
  /** FRESHET_KAFKA_CLIENT_ID */
  clientId?: string;
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  /** TLS to the brokers; ca: PEM of the CA that signed their certificates (default: Node's trusted CAs) */
  tls?: { ca?: string };
}

/** The kafkajs client for `brokers` (or the connection's), with the connection's credentials. */
export function kafkaClient(connection: KafkaConnection, brokers?: string[]): { kafka: Kafka; brokers: string[] } {
  const list = brokers && brokers.length > 0 ? brokers : connection.brokers;
  if (!list || list.length === 0) {
    throw new Error(
      'No Kafka brokers: the source names none and FRESHET_KAFKA_BROKERS is not set on this worker; set it to host:port[,host:port].',
    );
  }
  const config: KafkaConfig = { brokers: list, clientId: connection.clientId ?? 'freshet-stream', logLevel: logLevel.ERROR };
  if (connection.sasl) config.sasl = saslOptions(connection.sasl);
  if (connection.tls) config.ssl = connection.tls.ca ? { ca: [connection.tls.ca] } : true;
  return { kafka: new Kafka(config), brokers: list };
}

function saslOptions(s: NonNullable<KafkaConnection['sasl']>): SASLOptions {
  const { username, password } = s;
  switch (s.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}
