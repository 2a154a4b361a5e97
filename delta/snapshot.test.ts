import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { openStore } from '../storage/index.ts';
import { checkpointInterval } from './config.ts';
import { changesSince, countRows, history, loadSnapshot, write } from './index.ts';
import { dataFile, SCHEMA, tempTable } from '../test/support/delta/testkit.ts';

const logDir = (t: { uri: string }) => path.join(t.uri, '_delta_log');
const name = (v: number, ext = 'json') => `${String(v).padStart(20, '0')}.${ext}`;

async function commits(n: number) {
  const t = await tempTable();
  for (let i = 0; i < n; i++) {
    const date = `d${i % 4}`;
    const add = await dataFile(t, [{ user_id: i, amount: i, ts: '2024-01-01 00:00:00+00' }], { pv: { date } });
    await write(t, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: i % 3 === 2 ? 'overwrite' : 'append',
      replace: i % 3 === 2 ? { date } : undefined,
      adds: [add],
    });
  }
  return t;
}

describe('checkpoints', () => {
  it('writes a Parquet checkpoint every 10 commits and _last_checkpoint; loads from it', async () => {
    const t = await commits(23);
    const files = await fs.readdir(logDir(t));
    expect(files.filter((f) => f.includes('checkpoint.parquet')).sort()).toEqual([
      name(10, 'checkpoint.parquet'),
      name(20, 'checkpoint.parquet'),
    ]);
    const last = JSON.parse(await fs.readFile(path.join(logDir(t), '_last_checkpoint'), 'utf8'));
    expect(last).toMatchObject({ version: 20 });
    const full = (await loadSnapshot(t, { version: 22 }))!;

    // Without the commits before the checkpoint, the newest version still loads (from the checkpoint)...
    for (let v = 0; v < 20; v++) await fs.rm(path.join(logDir(t), name(v)));
    const fresh = openStore(t.uri);
    const snap = (await loadSnapshot(fresh, { version: 22 }))!;
    expect(snap.version).toBe(22);
    expect(snap.files.map((f) => f.path).sort()).toEqual(full.files.map((f) => f.path).sort());
    expect(snap.metadata.schema).toEqual(full.metadata.schema);
    expect(await countRows(t, snap)).toBe(full.files.length);
    // ...and a version before it cannot be read, which the error says
    await expect(loadSnapshot(fresh, { version: 5 })).rejects.toThrow(/starts at version 20 with no checkpoint at or before version 5/);
  });

  it('checkpoints a big table less often, unless delta.checkpointInterval is set', async () => {
    // Version 0 holds `files` files; versions 1..41 are empty appends.
    const checkpointed = async (files: number, configuration?: Record<string, string>) => {
      const t = await tempTable();
      const adds = Array.from({ length: files }, (_, i) => ({
        path: `date=d${i}/part-${i}.parquet`,
        partitionValues: { date: `d${i}` },
        size: 100,
        modificationTime: 0,
        dataChange: true,
      }));
      const req = { schema: SCHEMA, partitionColumns: ['date'], mode: 'append' as const, configuration };
      await write(t, { ...req, adds });
      for (let i = 0; i < 41; i++) await write(t, { ...req, adds: [] });
      const names = (await fs.readdir(logDir(t))).filter((f) => f.endsWith('.checkpoint.parquet'));
      const versions = names.map((f) => Number(f.slice(0, 20))).sort((a, b) => a - b);
      expect((await loadSnapshot(openStore(t.uri)))!.files.length).toBe(files);
      await fs.rm(path.dirname(t.uri), { recursive: true, force: true });
      return versions;
    };
    expect(await checkpointed(2_000)).toEqual([10, 20, 30, 40]);
    expect(await checkpointed(2_001)).toEqual([20, 40]);
    expect(await checkpointed(7_000)).toEqual([40]);
    expect(await checkpointed(7_000, { 'delta.checkpointInterval': '15' })).toEqual([15, 30]);
    // Capped: a cold reader replays at most 159 commits after the newest checkpoint.
    expect(checkpointInterval({ configuration: {} }, 10_000_000)).toBe(160);
  });

  it('keeps txn versions and recent tombstones across a checkpoint', async () => {
    const t = await tempTable();
    for (let i = 0; i < 11; i++) {
      const add = await dataFile(t, [{ user_id: i, amount: i, ts: '2024-01-01 00:00:00+00' }], { pv: { date: 'd' } });
      await write(t, {
        schema: SCHEMA,
        partitionColumns: ['date'],
        mode: 'overwrite',
        replace: { date: 'd' },
        adds: [add],
        txn: { appId: 'job', version: i },
      });
    }
    for (let v = 0; v < 10; v++) await fs.rm(path.join(logDir(t), name(v)));
    const snap = (await loadSnapshot(openStore(t.uri), { version: 10 }))!;
    expect(snap.txns.get('job')).toBe(10);
    expect(snap.files.length).toBe(1);
    const r = await write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [], txn: { appId: 'job', version: 10 } });
    expect(r.skipped).toBe(true);
  });
});

describe('time travel and changes', () => {
  it('reads the table as of a timestamp', async () => {
    const t = await commits(3);
    const entries = await history(t);
    // set distinct commit times, one minute apart
    const base = Date.UTC(2024, 0, 1, 12, 0, 0);
    for (const e of entries) {
      const when = new Date(base + e.version * 60_000);
      await fs.utimes(path.join(logDir(t), name(e.version)), when, when);
    }
    const at = async (ms: number) => (await loadSnapshot(openStore(t.uri), { timestamp: ms }))!.version;
    expect(await at(base + 90_000)).toBe(1);
    expect(await at(base + 60_000)).toBe(1);
    expect(await at(base + 10 * 60_000)).toBe(2);
    await expect(at(base - 1)).rejects.toThrow(
      /no version at or before 2024-01-01T11:59:59.999Z; the earliest is version 0 at 2024-01-01T12:00:00.000Z/,
    );
    await expect(loadSnapshot(t, { version: 7 })).rejects.toThrow(/version 7 of .* does not exist; the newest is 2/);
  });

  it('lists the files added and removed since a version, and the partitions they touch', async () => {
    const t = await commits(6); // v2 overwrites d2, v5 overwrites d1
    const v2 = (await loadSnapshot(t, { version: 2 }))!;
    const now = (await loadSnapshot(t))!;
    const c = await changesSince(t, 2);
    expect(c).toMatchObject({ sinceVersion: 2, toVersion: 5, metadataChanged: false });
    const v2paths = new Set(v2.files.map((f) => f.path));
    const nowPaths = new Set(now.files.map((f) => f.path));
    expect(c.added.map((f) => f.path).sort()).toEqual(
      now.files
        .filter((f) => !v2paths.has(f.path))
        .map((f) => f.path)
        .sort(),
    );
    expect(c.removed.map((f) => f.path).sort()).toEqual(
      v2.files
        .filter((f) => !nowPaths.has(f.path))
        .map((f) => f.path)
        .sort(),
    );
    expect(c.partitions.map((p) => p.date).sort()).toEqual(['d0', 'd1', 'd3']);
    expect((await changesSince(t, 5)).added).toEqual([]);
  });
});
