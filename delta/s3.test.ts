// Delta on MinIO: put-if-absent by conditional PUT under concurrent writers, checkpoints, vacuum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startMinio, type MinioServer } from '../services/minio.ts';
import { ensureBucket, openStore } from '../storage/index.ts';
import { DeltaConflictError, forgetCachedSnapshots, history, loadSnapshot, readRows, tableInfo, vacuum, write } from './index.ts';
import { dataFile, SCHEMA } from '../test/support/delta/testkit.ts';

let minio: MinioServer;
const bucket = 'freshet-delta';
beforeAll(async () => {
  minio = await startMinio();
  await ensureBucket(`s3://${bucket}`, {
    endpoint: minio.endpoint,
    accessKeyId: minio.accessKeyId,
    secretAccessKey: minio.secretAccessKey,
    pathStyle: true,
  });
});
afterAll(async () => {
  await minio?.stop();
});

const table = () =>
  openStore(`s3://${bucket}/${randomUUID()}/t`, {
    s3: {
      endpoint: minio.endpoint,
      region: minio.region,
      accessKeyId: minio.accessKeyId,
      secretAccessKey: minio.secretAccessKey,
      pathStyle: true,
    },
  });
const row = (i: number) => ({ user_id: i, amount: i, ts: '2024-01-01 00:00:00+00' });

describe('Delta tables on MinIO', () => {
  it('concurrent writers on different partitions all commit, each version once; a checkpoint is written', async () => {
    const t = table();
    await write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [] });
    // Three writers at once in one process: each lost race goes through the conditional PUT and a retry.
    await Promise.all(
      ['w0', 'w1', 'w2'].map(async (w) => {
        for (let i = 0; i < 6; i++) {
          const add = await dataFile(t, [row(i)], { pv: { date: `${w}-${i % 2}` } });
          await write(t, {
            schema: SCHEMA,
            partitionColumns: ['date'],
            mode: 'overwrite',
            replace: { date: `${w}-${i % 2}` },
            adds: [add],
            commitInfo: { writer: w, seq: i },
          });
        }
      }),
    );
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

  it('commits staged in subfolders of _delta_log are not versions: reads see the real newest, the next write follows it', async () => {
    const t = table();
    for (const i of [0, 1])
      await write(t, {
        schema: SCHEMA,
        partitionColumns: ['date'],
        mode: 'append',
        adds: [await dataFile(t, [row(i)], { pv: { date: `p${i}` } })],
      });
    const live = (await loadSnapshot(t))!.files;
    const wipe =
      [
        { commitInfo: { operation: 'DELETE' } },
        ...live.map((f) => ({ remove: { path: f.path, deletionTimestamp: Date.now(), dataChange: true } })),
      ]
        .map((a) => JSON.stringify(a))
        .join('\n') + '\n';
    for (const stray of [
      '.tmp/00000000000000000002.json',
      `_commits/00000000000000000002.${randomUUID()}.json`,
      'x/y/00000000000000000003.json',
      '00000000000000000002.crc',
      '00000000000000000002.json.tmp',
    ]) {
      await t.put(`_delta_log/${stray}`, wipe);
    }
    forgetCachedSnapshots();
    expect((await loadSnapshot(t))!.version).toBe(1);
    expect((await readRows(t, (await loadSnapshot(t))!)).length).toBe(2);
    expect(
      (
        await write(t, {
          schema: SCHEMA,
          partitionColumns: ['date'],
          mode: 'append',
          adds: [await dataFile(t, [row(2)], { pv: { date: 'p2' } })],
        })
      ).version,
    ).toBe(2);
    forgetCachedSnapshots();
    expect((await history(t)).map((c) => c.version)).toEqual([0, 1, 2]);
    expect((await readRows(t, (await loadSnapshot(t))!)).map((r) => Number(r.user_id)).sort()).toEqual([0, 1, 2]);
  });

  it("an overwrite of a partition changed since its read version is a DeltaConflictError; vacuum finds the loser's file", async () => {
    const t = table();
    await write(t, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: 'append',
      adds: [await dataFile(t, [row(0)], { pv: { date: 'p' } })],
    });
    const mine = await dataFile(t, [row(1)], { pv: { date: 'p' } });
    // another writer overwrites p after this one read version 0
    await write(t, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: 'overwrite',
      replace: { date: 'p' },
      adds: [await dataFile(t, [row(2)], { pv: { date: 'p' } })],
    });
    const err = await write(t, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: 'overwrite',
      replace: { date: 'p' },
      adds: [mine],
      readVersion: 0,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeltaConflictError);
    expect((err as Error).message).toMatch(/version 1 \(WRITE\) changed date=p after this write read version 0/);
    expect((await loadSnapshot(t))!.version).toBe(1);
    // the orphan of the losing writer (and the overwritten file) are found by vacuum
    const dry = await vacuum(t, { dryRun: true, retentionHours: 0, enforceRetention: false, now: Date.now() + 5000 });
    expect(dry.files).toContain(decodeURI(mine.path));
    expect(dry.files.length).toBe(2);
    // another partition since the read version is no conflict: retried and committed
    await write(t, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: 'append',
      adds: [await dataFile(t, [row(3)], { pv: { date: 'q' } })],
    });
    const ok = await write(t, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: 'overwrite',
      replace: { date: 'p' },
      adds: [await dataFile(t, [row(4)], { pv: { date: 'p' } })],
      readVersion: 1,
    });
    expect(ok).toMatchObject({ version: 3, retries: 1 });
  });
});
