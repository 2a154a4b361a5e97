// Delta on MinIO: put-if-absent by conditional PUT under concurrent writers, checkpoints, vacuum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startMinio, type MinioServer } from '../services/minio.ts';
import { ensureBucket, openStore } from '../storage/index.ts';
import { DeltaConflictError, history, loadSnapshot, readRows, tableInfo, vacuum, write } from './index.ts';
import { dataFile, SCHEMA } from './testkit.ts';

let minio: MinioServer;
const bucket = 'freshet-delta';
beforeAll(async () => {
  minio = await startMinio();
  await ensureBucket(`s3://${bucket}`, { endpoint: minio.endpoint, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey, pathStyle: true });
});
afterAll(async () => {
  await minio?.stop();
});

const table = () => openStore(`s3://${bucket}/${randomUUID()}/t`, {
  s3: { endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey, pathStyle: true },
});
const row = (i: number) => ({ user_id: i, amount: i, ts: '2024-01-01 00:00:00+00' });

describe('Delta tables on MinIO', () => {
  it('concurrent writers on different partitions all commit, each version once; a checkpoint is written', async () => {
    const t = table();
    await write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [] });
    // Three writers at once in one process: each lost race goes through the conditional PUT and a retry.
    await Promise.all(['w0', 'w1', 'w2'].map(async (w) => {
      for (let i = 0; i < 6; i++) {
        const add = await dataFile(t, [row(i)], { pv: { date: `${w}-${i % 2}` } });
        await write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'overwrite', replace: { date: `${w}-${i % 2}` }, adds: [add], commitInfo: { writer: w, seq: i } });
      }
    }));
    const log = await history(t);
    expect(log.map((c) => c.version)).toEqual(Array.from({ length: 19 }, (_, i) => i));
    expect(new Set(log.slice(1).map((c) => `${c.commitInfo?.writer}/${c.commitInfo?.seq}`)).size).toBe(18);
    expect((await t.list('_delta_log/')).map((o) => o.path)).toContain('_delta_log/00000000000000000010.checkpoint.parquet');
    const snap = (await loadSnapshot(t))!;
    const rows = await readRows(t, snap);
    expect(rows.map((r) => `${r.date}:${r.user_id}`).sort()).toEqual(['w0-0:4', 'w0-1:5', 'w1-0:4', 'w1-1:5', 'w2-0:4', 'w2-1:5']);
    const info = await tableInfo(t);
    expect(info).toMatchObject({ version: 18, rows: 6, files: 6 });
    expect(info.table).not.toContain(minio.secretAccessKey);
  });

  it('the same partition from two writers at once: one commits, the other gets a DeltaConflictError', async () => {
    const t = table();
    await write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [await dataFile(t, [row(0)], { pv: { date: 'p' } })] });
    const results = await Promise.allSettled([1, 2].map(async (i) => write(t, {
      schema: SCHEMA, partitionColumns: ['date'], mode: 'overwrite', replace: { date: 'p' }, adds: [await dataFile(t, [row(i)], { pv: { date: 'p' } })],
    })));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.length).toBe(1);
    expect(rejected[0].reason).toBeInstanceOf(DeltaConflictError);
    expect(rejected[0].reason.message).toMatch(/version 1 \(WRITE\) changed date=p after this write read version 0/);
    // the orphan of the losing writer is found by vacuum
    const dry = await vacuum(t, { dryRun: true, retentionHours: 0, enforceRetention: false, now: Date.now() + 5000 });
    expect(dry.files.length).toBe(2); // the overwritten file and the loser's file
  });
});
