// Tables other writers made or touched: stray files in and under _delta_log.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ensureDeltaLake, runPython } from '../services/deltalake.ts';
import { openStore, type ObjectStore } from '../storage/index.ts';
import { forgetCachedSnapshots, history, loadSnapshot, readRows, write } from './index.ts';
import { listLog } from './snapshot.ts';
import { dataFile, SCHEMA, tempDir, tempTable } from './testkit.ts';

const name = (v: number, ext = 'json') => `${String(v).padStart(20, '0')}.${ext}`;
const logFile = (t: { uri: string }, file: string) => path.join(t.uri, '_delta_log', ...file.split('/'));
const lines = (actions: unknown[]) => actions.map((a) => JSON.stringify(a)).join('\n') + '\n';

async function put(t: { uri: string }, file: string, body: string): Promise<void> {
  await fs.mkdir(path.dirname(logFile(t, file)), { recursive: true });
  await fs.writeFile(logFile(t, file), body);
}

/** A Freshet table at version `newest`, one row per partition d0..d<newest>. */
async function tableAt(newest: number, t?: ObjectStore): Promise<ObjectStore> {
  const table = t ?? (await tempTable());
  for (let v = 0; v <= newest; v++) {
    const add = await dataFile(table, [{ user_id: v, amount: v, ts: '2024-01-01 00:00:00+00' }], { pv: { date: `d${v}` } });
    await write(table, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [add] });
  }
  return table;
}

const users = async (t: ObjectStore) => (await readRows(t, (await loadSnapshot(t))!)).map((r) => Number(r.user_id)).sort((a, b) => a - b);

/** A commit that, read as the next version, would delete every row: what a staged file must never do. */
async function wipeCommit(t: ObjectStore): Promise<string> {
  const snap = (await loadSnapshot(t))!;
  return lines([
    { commitInfo: { operation: 'DELETE', engineInfo: 'delta-rs:py-1.6.6' } },
    ...snap.files.map((f) => ({ remove: { path: f.path, deletionTimestamp: Date.now(), dataChange: true } })),
  ]);
}

// Every name here sits in or under _delta_log and is not a log file of version 5.
const STRAY = [
  '.tmp/00000000000000000005.json', // delta-rs stages a commit here, then renames it
  '_commits/00000000000000000005.4f7c0a9e-1b2c-4d3e-8f90-a1b2c3d4e5f6.json', // managed (coordinated) commits
  '_staged_commits/00000000000000000005.json',
  'a/b/c/00000000000000000005.json',
  '00000000000000000009.json/00000000000000000005.json', // in a folder named like a commit
  '00000000000000000005.crc',
  '00000000000000000005.json.tmp',
  '.00000000000000000005.json.0a1b2c3d.tmp',
  '00000000000000000005.JSON',
  '5.json',
  '0000000000000000005.json', // 19 digits
  '000000000000000000005.json', // 21 digits
  ' 00000000000000000005.json',
  '00000000000000000005.json.bak',
  '00000000000000000003.00000000000000000005.compacted.json',
  '00000000000000000005.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json', // V2 checkpoint
  '00000000000000000005.checkpoint.0000000002.0000000001.parquet', // part 2 of 1
  '00000000000000000005.checkpoint.0000000000.0000000001.parquet', // part 0
  '.tmp/00000000000000000005.checkpoint.parquet',
  '_sidecars/00000000000000000005.checkpoint.parquet',
];

describe('files in _delta_log that are not log files', () => {
  beforeAll(async () => {
    await ensureDeltaLake();
  });

  it('a commit delta-rs staged in _delta_log/.tmp/ is not version 5: Freshet reads version 4, writes version 5, and delta-rs opens it', async () => {
    const t = await tableAt(4);
    await put(t, '.tmp/00000000000000000005.json', await wipeCommit(t));
    await put(t, '_commits/00000000000000000005.4f7c0a9e-1b2c-4d3e-8f90-a1b2c3d4e5f6.json', await wipeCommit(t));
    // as a reader in another process: nothing cached
    forgetCachedSnapshots();
    const fresh = openStore(t.uri);
    expect((await loadSnapshot(fresh))!.version).toBe(4);
    expect(await users(fresh)).toEqual([0, 1, 2, 3, 4]);
    const add = await dataFile(fresh, [{ user_id: 5, amount: 5, ts: '2024-01-01 00:00:00+00' }], { pv: { date: 'd5' } });
    expect((await write(fresh, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [add] })).version).toBe(5);
    expect((await history(fresh)).map((c) => c.version)).toEqual([0, 1, 2, 3, 4, 5]);
    const theirs = JSON.parse(await runPython(
      'import sys, json; from deltalake import DeltaTable; t = DeltaTable(sys.argv[1]); print(json.dumps({"v": t.version(), "ids": sorted(t.to_pyarrow_table().column("user_id").to_pylist())}))',
      [t.uri],
    ));
    expect(theirs).toEqual({ v: 5, ids: [0, 1, 2, 3, 4, 5] });
  });

  it('none of many stray names is read as a commit or checkpoint', async () => {
    const t = await tableAt(4);
    const wipe = await wipeCommit(t);
    for (const file of STRAY) await put(t, file, file.endsWith('.parquet') ? 'not parquet' : wipe);
    // _last_checkpoint pointing at a checkpoint that does not exist: the reader lists the log instead
    await put(t, '_last_checkpoint', JSON.stringify({ version: 5, size: 3 }));
    forgetCachedSnapshots();
    const fresh = openStore(t.uri);
    const listing = await listLog(fresh);
    expect([...listing.commits.keys()].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(listing.checkpoints.size).toBe(0);
    expect((await loadSnapshot(fresh))!.version).toBe(4);
    expect(await users(fresh)).toEqual([0, 1, 2, 3, 4]);
    expect((await write(fresh, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [] })).version).toBe(5);
    expect((await loadSnapshot(openStore(t.uri), { version: 5 }))!.files.length).toBe(5);
  });

  it('a folder named like the next commit: reads ignore it, a write stops naming it instead of retrying forever', async () => {
    const t = await tableAt(1);
    await put(t, '00000000000000000002.json/00000000000000000002.json', await wipeCommit(t));
    forgetCachedSnapshots();
    const fresh = openStore(t.uri);
    expect((await loadSnapshot(fresh))!.version).toBe(1);
    await expect(write(fresh, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [] }))
      .rejects.toThrow(/cannot commit version 2 of .*_delta_log\/00000000000000000002\.json exists but is not a commit file/);
  });

  it('a log file name whose version no double counts exactly stops the reader, naming the file', async () => {
    const t = await tableAt(1);
    await put(t, '99999999999999999999.json', await wipeCommit(t));
    await expect(loadSnapshot(openStore(t.uri), { version: 1 })).rejects.toThrow(/_delta_log\/99999999999999999999\.json names version 99999999999999999999, beyond/);
  });

  it('property: stray files at any depth under _delta_log never change the versions read', async () => {
    const base = await tableAt(2);
    const wipe = await wipeCommit(base);
    const version = fc.integer({ min: 0, max: 12 }).map((v) => String(v).padStart(20, '0'));
    const logName = fc.oneof(
      version.map((v) => `${v}.json`),
      version.map((v) => `${v}.checkpoint.parquet`),
      fc.tuple(version, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
        .map(([v, p, n]) => `${v}.checkpoint.${String(p).padStart(10, '0')}.${String(n).padStart(10, '0')}.parquet`),
    );
    const segment = fc.oneof(fc.constantFrom('.tmp', '_commits', '_staged_commits', '_sidecars', 'x', '00000000000000000003.json'), fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/))
      .filter((s) => s !== '.' && s !== '..');
    // a log file name in a subfolder, or a near miss of one directly in _delta_log
    const nested = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 3 }), logName).map(([dirs, n]) => [...dirs, n].join('/'));
    const nearMiss = fc.tuple(logName, fc.constantFrom('x', '.tmp', '~', '.crc', ' ', '0'), fc.boolean())
      .map(([n, extra, before]) => (before ? `${extra}${n}` : `${n}${extra}`));
    await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.oneof(nested, nearMiss), { minLength: 1, maxLength: 8 }), async (strays) => {
      const dir = path.join(await tempDir('freshet-stray'), 'table');
      await fs.cp(base.uri, dir, { recursive: true });
      const t = openStore(dir);
      // a name can be both a folder (of a nested one) and a file: keep the first that fits
      for (const file of strays) await put(t, file, file.endsWith('.parquet') ? 'not parquet' : wipe).catch(() => undefined);
      const listing = await listLog(t);
      expect([...listing.commits.keys()].sort()).toEqual([0, 1, 2]);
      expect(listing.checkpoints.size).toBe(0);
      expect((await loadSnapshot(t, { version: 2 }))!.files.length).toBe(3);
    }), { numRuns: 40 });
  });
});
