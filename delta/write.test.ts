import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DeltaConflictError, history, loadSnapshot, readRows, write } from './index.ts';
import { dataFile, SCHEMA, tempTable } from '../test/support/delta/testkit.ts';
import type { Field } from './types.ts';

const day = (d: string) => ({ date: d });
const row = (user_id: number, amount: number) => ({ user_id, amount, ts: '2024-01-01 10:00:00+00' });

describe('write and read', () => {
  it('creates a table, appends, overwrites one partition, reads rows back', async () => {
    const t = await tempTable();
    expect(await loadSnapshot(t)).toBeUndefined();

    const a = await dataFile(t, [row(1, 10), row(2, 20)], { pv: day('2024-01-01') });
    const r0 = await write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [a] });
    expect(r0).toMatchObject({ version: 0, skipped: false, removed: 0 });

    const b = await dataFile(t, [row(3, 30)], { pv: day('2024-01-02') });
    await write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [b] });

    const c = await dataFile(t, [row(1, 11)], { pv: day('2024-01-01') });
    const r2 = await write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'overwrite', replace: day('2024-01-01'), adds: [c] });
    expect(r2).toMatchObject({ version: 2, removed: 1 });

    const snap = (await loadSnapshot(t))!;
    expect(snap.version).toBe(2);
    expect(snap.files.map((f) => f.path).sort()).toEqual([b.path, c.path].sort());
    expect(snap.metadata.partitionColumns).toEqual(['date']);
    expect(snap.metadata.schema.map((f) => f.name)).toEqual(['user_id', 'amount', 'ts', 'date']);
    const rows = await readRows(t, snap);
    expect(rows.map((r) => [Number(r.user_id), r.amount, r.date]).sort()).toEqual([
      [1, 11, '2024-01-01'],
      [3, 30, '2024-01-02'],
    ]);

    // time travel by version
    const v0 = (await loadSnapshot(t, { version: 0 }))!;
    expect(v0.files.map((f) => f.path)).toEqual([a.path]);

    const log = await history(t);
    expect(log.map((e) => e.version)).toEqual([0, 1, 2]);
    expect(log[2].removes.map((r) => r.path)).toEqual([a.path]);
    expect(log[2].commitInfo).toMatchObject({
      operation: 'WRITE',
      operationParameters: { mode: 'Overwrite', predicate: "date = '2024-01-01'" },
    });

    // the first commit carries protocol and metaData; partition dirs are hive-style
    const first = await fs.readFile(path.join(t.uri, '_delta_log', '00000000000000000000.json'), 'utf8');
    expect(first).toContain('"minReaderVersion":1');
    expect(first).toContain('"partitionColumns":["date"]');
    expect(a.path.startsWith('date=2024-01-01/part-')).toBe(true);
  });

  it('skips a write whose txn version was already committed', async () => {
    const t = await tempTable();
    const a = await dataFile(t, [row(1, 1)], { pv: day('d1') });
    const txn = { appId: 'stream-1', version: 5 };
    const r1 = await write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [a], txn });
    const r2 = await write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [a], txn });
    expect(r1.skipped).toBe(false);
    expect(r2).toMatchObject({ skipped: true, version: 0 });
    const r3 = await write(t, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: 'append',
      adds: [],
      txn: { appId: 'stream-1', version: 6 },
    });
    expect(r3).toMatchObject({ skipped: false, version: 1 });
    expect((await loadSnapshot(t))!.txns.get('stream-1')).toBe(6);
  });

  it('evolves the schema by a nullable column and rejects incompatible changes by name and types', async () => {
    const t = await tempTable();
    await write(t, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: 'append',
      adds: [await dataFile(t, [row(1, 1)], { pv: day('d1') })],
    });
    const wider: Field[] = [...SCHEMA, { name: 'country', type: 'string', nullable: true }];
    const f = await dataFile(t, [{ ...row(2, 2), country: 'NL' }], { schema: wider, pv: day('d2') });
    await write(t, { schema: wider, partitionColumns: ['date'], mode: 'append', adds: [f] });
    const snap = (await loadSnapshot(t))!;
    expect(snap.metadata.schema.map((x) => x.name)).toEqual(['user_id', 'amount', 'ts', 'date', 'country']);
    const rows = await readRows(t, snap);
    expect(rows.map((r) => [Number(r.user_id), r.country]).sort()).toEqual([
      [1, null],
      [2, 'NL'],
    ]);

    const changed: Field[] = SCHEMA.map((x) => (x.name === 'amount' ? { ...x, type: 'string' } : x));
    await expect(write(t, { schema: changed, partitionColumns: ['date'], mode: 'append', adds: [] })).rejects.toThrow(
      /column "amount" is double in the table but string in the write/,
    );
    const required: Field[] = [...wider, { name: 'score', type: 'double', nullable: false }];
    await expect(write(t, { schema: required, partitionColumns: ['date'], mode: 'append', adds: [] })).rejects.toThrow(
      /new column "score" \(double\) must be nullable/,
    );
    await expect(write(t, { schema: SCHEMA, partitionColumns: [], mode: 'append', adds: [] })).rejects.toThrow(/partitioned by \(date\)/);
  });

  it('retries a lost race on another partition and fails with a conflict naming the partition and versions', async () => {
    const t = await tempTable();
    const base = { schema: SCHEMA, partitionColumns: ['date'] };
    await write(t, {
      ...base,
      mode: 'append',
      adds: [await dataFile(t, [row(1, 1)], { pv: day('d1') }), await dataFile(t, [row(2, 2)], { pv: day('d2') })],
    });
    // Both writers plan on version 0; run them at once many times, on different partitions: all commit.
    const other = await Promise.all(
      ['d1', 'd2', 'd3', 'd4'].map(async (d) =>
        write(t, {
          ...base,
          mode: 'overwrite',
          replace: day(d),
          adds: [await dataFile(t, [row(9, 9)], { pv: day(d) })],
        }),
      ),
    );
    expect(other.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
    const snap = (await loadSnapshot(t))!;
    expect(snap.files.length).toBe(4);

    // Same partition, changed after this write's read version: a DeltaConflictError naming partition and versions.
    const mine = await dataFile(t, [row(1, 1)], { pv: day('d1') });
    await write(t, { ...base, mode: 'overwrite', replace: day('d1'), adds: [await dataFile(t, [row(2, 2)], { pv: day('d1') })] });
    const err = await write(t, { ...base, mode: 'overwrite', replace: day('d1'), adds: [mine], readVersion: 4 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeltaConflictError);
    expect((err as DeltaConflictError).message).toMatch(/version 5 \(WRITE\) changed date=d1 after this write read version 4/);
    expect((err as DeltaConflictError).details).toMatchObject({ partition: { date: 'd1' }, readVersion: 4, conflictingVersion: 5 });
    expect((await loadSnapshot(t))!.version).toBe(5);

    // Same partition at once: whatever the interleaving, never both overwrites on top of one read.
    const results = await Promise.allSettled(
      [1, 2].map(async (i) =>
        write(t, {
          ...base,
          mode: 'overwrite',
          replace: day('d2'),
          adds: [await dataFile(t, [row(i, i)], { pv: day('d2') })],
        }),
      ),
    );
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DeltaConflictError);
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect((await loadSnapshot(t))!.version).toBe(5 + ok);
    expect((await loadSnapshot(t))!.files.filter((f) => f.partitionValues.date === 'd2').length).toBe(1);
  });

  it('writers racing to create the table all commit, on one metaData', async () => {
    const t = await tempTable();
    const results = await Promise.all(
      ['x', 'y', 'z'].map(async (d) =>
        write(t, {
          schema: SCHEMA,
          partitionColumns: ['date'],
          mode: 'append',
          adds: [await dataFile(t, [row(1, 1)], { pv: day(d) })],
        }),
      ),
    );
    expect(results.map((r) => r.version).sort()).toEqual([0, 1, 2]);
    const snap = (await loadSnapshot(t))!;
    expect(snap.files.length).toBe(3);
    const metas = (await history(t)).filter((e) => e.version > 0);
    expect(metas.length).toBe(2);
    const first = await fs.readFile(path.join(t.uri, '_delta_log', '00000000000000000001.json'), 'utf8');
    expect(first).not.toContain('metaData');
  });

  it('refuses adds outside the replaced partition and overwrites of an append-only table', async () => {
    const t = await tempTable();
    const f = await dataFile(t, [row(1, 1)], { pv: day('d2') });
    await expect(
      write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'overwrite', replace: day('d1'), adds: [f] }),
    ).rejects.toThrow(/outside the replaced partition date=d1/);
    await write(t, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: 'append',
      adds: [f],
      configuration: { 'delta.appendOnly': 'true' },
    });
    await expect(write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'overwrite', replace: day('d2'), adds: [] })).rejects.toThrow(
      /append-only/,
    );
  });
});
