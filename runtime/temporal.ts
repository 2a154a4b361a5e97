// Connections to Temporal, for clients and for workers: address, namespace, TLS, API key and gRPC
// headers all from the configuration, with an error that says how to get a server when none answers.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { FreshetConfig } from './config.ts';

function unreachable(config: FreshetConfig, err: unknown): Error {
  return new Error(
    `Cannot reach Temporal at ${config.temporalAddress} (${(err as Error).message}).\n` +
      'Start Freshet with its embedded server: `npm start` (or `npx freshet dev`), or set TEMPORAL_ADDRESS to a running Temporal server.',
  );
}

/** The options both connection kinds share: where, and how to authenticate. */
export function connectionOptions(config: FreshetConfig) {
  const { tls, apiKey, metadata } = config.temporal;
  return {
    address: config.temporalAddress,
    ...(tls !== undefined ? { tls } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(metadata ? { metadata } : {}),
  };
}

export async function connectClient(config: FreshetConfig): Promise<Client> {
  try {
    const connection = await Connection.connect({ ...connectionOptions(config), connectTimeout: 5_000 });
    return new Client({ connection, namespace: config.namespace });
  } catch (err) {
    throw unreachable(config, err);
  }
}

/** The connection a worker polls through. */
export async function connectWorker(config: FreshetConfig): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectionOptions(config));
  } catch (err) {
    throw unreachable(config, err);
  }
}
