import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startMinio, type MinioServer } from '../services/minio.ts';
import { ensureBucket, openStore } from './index.ts';
import { storeContract } from '../test/support/storage/contract.ts';
import { loadConfig, openWarehouse } from '../runtime/index.ts';

let minio: MinioServer;
const bucket = 'freshet-storage-test';

beforeAll(async () => {
  minio = await startMinio();
  await ensureBucket(`s3://${bucket}`, s3(minio));
});
afterAll(async () => {
  await minio?.stop();
});

function s3(m: MinioServer) {
  return { endpoint: m.endpoint, region: m.region, accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey, pathStyle: true };
}

describe('S3 store on MinIO', () => {
  storeContract(async () => openStore(`s3://${bucket}/${randomUUID()}`, { s3: s3(minio) }));

  it('reads its configuration from the environment (through runtime/config) and keeps credentials out of uri and errors', async () => {
    {
      const store = openWarehouse({ ...loadConfig(minio.env), warehouse: `s3://${bucket}/env-${randomUUID()}` });
      await store.put('x', 'y');
      expect(new TextDecoder().decode(await store.get('x'))).toBe('y');
      expect(store.uri).not.toContain(minio.accessKeyId);
      const wrong = openStore(`s3://${bucket}/x`, { s3: { ...s3(minio), secretAccessKey: 'not-the-secret-0123456789' } });
      const err = await wrong.put('k', 'v').then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toMatch(/S3 write of s3:\/\/freshet-storage-test\/x\/k failed/);
      expect(err!.message).not.toContain('not-the-secret');
      expect(err!.message).not.toContain(minio.secretAccessKey);
      expect(() => openStore(`s3://${minio.accessKeyId}:${minio.secretAccessKey}@bucket/x`)).toThrow(/credentials go in the environment/);
      try {
        openStore(`s3://${minio.accessKeyId}:${minio.secretAccessKey}@bucket/x`);
      } catch (e) {
        expect((e as Error).message).not.toContain(minio.secretAccessKey);
      }
    }
  });
});
