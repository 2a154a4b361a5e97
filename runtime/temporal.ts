// Connections to Temporal, for clients and for workers, with an error that says how to get a
// server when none answers.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { FreshetConfig } from './config.ts';

function unreachable(config: FreshetConfig, err: unknown): Error {
  return new Error(
    `Cannot reach Temporal at ${config.temporalAddress} (${(err as Error).message}).\n` +
      'Start Freshet with its embedded server: `npm start` (or `npx freshet dev`), or set TEMPORAL_ADDRESS to a running Temporal server.',
  );
}

export async function connectClient(config: FreshetConfig): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: config.temporalAddress, connectTimeout: 5_000 });
    return new Client({ connection, namespace: config.namespace });
  } catch (err) {
    throw unreachable(config, err);
  }
}

/** The connection a worker polls through. */
export async function connectWorker(config: FreshetConfig): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address: config.temporalAddress });
  } catch (err) {
    throw unreachable(config, err);
  }
}
