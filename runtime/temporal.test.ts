// Real connections to the shared dev server, configured from a temporal.toml profile.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { tempDir } from '../test/harness.ts';
import { loadConfig } from './config.ts';
import { connectClient, connectWorker } from './temporal.ts';

describe('Temporal connections from configuration', () => {
  it('a client and a worker connection reach the dev server named by a temporal.toml profile', async () => {
    const dir = tempDir('toml-connect');
    const file = path.join(dir, 'temporal.toml');
    writeFileSync(
      file,
      `[profile.dev]\naddress = "${inject('temporalAddress')}"\nnamespace = "default"\n[profile.dev.grpc_meta]\nx-freshet-test = "1"\n`,
    );
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'dev' }, dir);
    expect(config.embeddedTemporal).toBe(false);
    const client = await connectClient(config);
    try {
      const ns = await client.workflowService.describeNamespace({ namespace: config.namespace });
      expect(ns.namespaceInfo?.name).toBe('default');
    } finally {
      await client.connection.close();
    }
    const native = await connectWorker(config);
    await native.close();
  });

  it('applies TLS to both connection kinds: TLS against the plaintext dev server fails', async () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TLS: 'true' }, tempDir('toml-tls'));
    await expect(connectClient(config)).rejects.toThrow(/Cannot reach Temporal/);
    await expect(connectWorker(config)).rejects.toThrow(/Cannot reach Temporal/);
  });
});
