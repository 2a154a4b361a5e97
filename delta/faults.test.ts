// Faults and bad input: killed writers, parallel writer processes, corrupt logs, missing files.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeltaLake, runPython } from '../services/deltalake.ts';
import { openStore } from '../storage/index.ts';
import { checkpoint, dataFiles, history, loadSnapshot, readRows, vacuum, write } from './index.ts';
import { dataFile, SCHEMA, tempTable } from '../test/support/delta/testkit.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (t: { uri: string }, v: number) => path.join(t.uri, '_delta_log', `${String(v).padStart(20, '0')}.json`);

function runScript(
  script: string,
  args: string[],
  onLine?: (line: string, kill: () => void) => void,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, '..', 'test', 'support', 'delta', 'faults', script), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of d.toString().split('\n')) if (line) onLine?.(line, () => child.kill('SIGKILL'));
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 || signal === 'SIGKILL'
        ? resolve({ code, signal, out })
        : reject(new Error(`${script} exited ${code}: ${err.slice(-3000)}`)),
    );
  });
}

async function smallTable() {
  const t = await tempTable();
  for (const d of ['d1', 'd2', 'd3']) {
    await write(t, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: 'append',
      adds: [await dataFile(t, [{ user_id: 1, amount: 1, ts: '2024-01-01 00:00:00+00' }], { pv: { date: d } })],
    });
  }
  return t;
}

describe('faults', () => {
  it('a writer killed with -9 between its data files and its commit leaves the table at the previous version; vacuum finds and removes the orphans', async () => {
    const t = await smallTable();
    const before = (await loadSnapshot(t))!;
    let orphans: string[] = [];
    const r = await runScript('kill-writer.ts', [t.uri], (line, kill) => {
      if (line.startsWith('written ')) {
        orphans = JSON.parse(line.slice(8));
        kill();
      }
    });
    expect(r.signal).toBe('SIGKILL');
    expect(orphans.length).toBe(3);

    const after = (await loadSnapshot(openStore(t.uri)))!;
    expect(after.version).toBe(before.version);
    expect(after.files.map((f) => f.path).sort()).toEqual(before.files.map((f) => f.path).sort());
    expect((await readRows(t, after)).length).toBe(3);

    // default retention keeps young files: a live writer may be about to commit them
    expect((await vacuum(t, { dryRun: true })).files).toEqual([]);
    await expect(vacuum(t, { retentionHours: 0 })).rejects.toThrow(/shorter than the table's 168 h/);
    const dry = await vacuum(t, { dryRun: true, retentionHours: 0, enforceRetention: false, now: Date.now() + 1000 });
    expect(dry.files).toEqual(orphans.map(decodeURI).sort());
    for (const o of orphans) await fs.access(path.join(t.uri, decodeURI(o)));
    const done = await vacuum(t, { retentionHours: 0, enforceRetention: false, now: Date.now() + 1000 });
    expect(done.files).toEqual(dry.files);
    for (const o of orphans) await expect(fs.access(path.join(t.uri, decodeURI(o)))).rejects.toThrow();
    expect((await readRows(t, (await loadSnapshot(t))!)).length).toBe(3);
  });

  it('vacuum keeps files that a version inside the retention window still needs', async () => {
    const t = await smallTable();
    const old = (await loadSnapshot(t))!.files.find((f) => f.partitionValues.date === 'd1')!;
    await write(t, {
      schema: SCHEMA,
      partitionColumns: ['date'],
      mode: 'overwrite',
      replace: { date: 'd1' },
      adds: [await dataFile(t, [{ user_id: 2, amount: 2, ts: '2024-01-01 00:00:00+00' }], { pv: { date: 'd1' } })],
    });
    // removed just now: inside a 1-hour window it stays; version 2 still reads
    expect((await vacuum(t, { retentionHours: 1, enforceRetention: false, dryRun: true, now: Date.now() + 1000 })).files).toEqual([]);
    expect((await readRows(t, (await loadSnapshot(t, { version: 2 }))!)).length).toBe(3);
    // two hours later it is outside the window and goes
    const later = await vacuum(t, { retentionHours: 1, enforceRetention: false, now: Date.now() + 2 * 3_600_000 });
    expect(later.files).toEqual([decodeURI(old.path)]);
    expect((await readRows(t, (await loadSnapshot(t))!)).length).toBe(3);
  });

  it('two writer processes commit 200 partition overwrites each to one table: every commit once, contents correct', async () => {
    await ensureDeltaLake();
    const t = await tempTable();
    await write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [] });
    const go = path.join(path.dirname(t.uri), 'go');
    let ready = 0;
    const results = await Promise.all(
      ['a', 'b'].map((name) =>
        runScript('overwrite-writer.ts', [t.uri, name, '200', go], (line) => {
          if (line === 'ready' && ++ready === 2) void fs.writeFile(go, '');
        }),
      ),
    );
    const retries = results.map((r) => JSON.parse(r.out.trim().split('\n').pop()!.slice(5)).retries as number);

    const commits = await history(t);
    expect(commits.length).toBe(401);
    expect(commits.map((c) => c.version)).toEqual(Array.from({ length: 401 }, (_, i) => i));
    const tags = commits.slice(1).map((c) => `${c.commitInfo?.writer}/${c.commitInfo?.seq}`);
    expect(new Set(tags).size).toBe(400);
    for (const w of ['a', 'b']) for (let s = 0; s < 200; s++) expect(tags).toContain(`${w}/${s}`);

    const snap = (await loadSnapshot(openStore(t.uri)))!;
    expect(snap.files.length).toBe(20);
    const rows = await readRows(t, snap);
    const byPartition = Object.fromEntries(rows.map((r) => [r.date as string, Number(r.user_id)]));
    for (const w of ['a', 'b']) for (let k = 0; k < 10; k++) expect(byPartition[`${w}-${k}`]).toBe(190 + k);
    // the race really happened (some commits were retried), and delta-rs agrees on the outcome
    expect(retries[0] + retries[1]).toBeGreaterThan(0);
    const theirs = JSON.parse(
      await runPython(
        'import sys, json; from deltalake import DeltaTable; t = DeltaTable(sys.argv[1]); print(json.dumps({"v": t.version(), "n": t.count() if hasattr(t, "count") else len(t.to_pyarrow_table())}))',
        [t.uri],
      ),
    );
    expect(theirs).toEqual({ v: 400, n: 20 });
  }, 240_000);
});

describe('bad input stops the reader with the path and the problem', () => {
  it('a truncated commit', async () => {
    const t = await smallTable();
    const file = log(t, 2);
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.slice(0, text.length - 40));
    await expect(loadSnapshot(openStore(t.uri))).rejects.toThrow(
      new RegExp(`corrupt commit file ${file}, line \\d+: not valid JSON \\(the file looks truncated\\)`),
    );
  });

  it('a malformed action and an empty commit', async () => {
    const t = await smallTable();
    await fs.writeFile(log(t, 2), '{"commitInfo":{}}\n{"add":{"path":7}}\n');
    await expect(loadSnapshot(openStore(t.uri))).rejects.toThrow(`corrupt action in ${log(t, 2)}, line 2: add without a path`);
    await fs.writeFile(log(t, 2), '');
    await expect(loadSnapshot(openStore(t.uri))).rejects.toThrow(`corrupt commit file ${log(t, 2)}: it is empty`);
  });

  it('a missing commit in the middle of the log', async () => {
    const t = await smallTable();
    await fs.rm(log(t, 1));
    // (by version: the newest state is cached in this process, as a reader elsewhere would not have it)
    await expect(loadSnapshot(openStore(t.uri), { version: 2 })).rejects.toThrow(`is missing commit 1 (${log(t, 1)})`);
  });

  it('a missing data file', async () => {
    const t = await smallTable();
    const snap = (await loadSnapshot(t))!;
    const gone = snap.files[1];
    await fs.rm(path.join(t.uri, decodeURI(gone.path)));
    await expect(readRows(t, snap)).rejects.toThrow(
      `data file ${t.uri}/${decodeURI(gone.path)} is missing, but version 2 of the table references it`,
    );
    await expect(dataFiles(t, snap)).rejects.toThrow(/is missing/);
  });

  it('an unknown reader feature in protocol', async () => {
    const t = await smallTable();
    await fs.writeFile(
      log(t, 3),
      '{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors"]}}\n',
    );
    await expect(loadSnapshot(openStore(t.uri))).rejects.toThrow(
      `protocol in ${log(t, 3)} needs reader feature "deletionVectors", which Freshet does not support`,
    );
    await expect(write(openStore(t.uri), { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [] })).rejects.toThrow(
      /deletionVectors/,
    );
  });

  it('a corrupt checkpoint', async () => {
    const t = await smallTable();
    await checkpoint(t);
    const cp = path.join(t.uri, '_delta_log', '00000000000000000002.checkpoint.parquet');
    await fs.writeFile(cp, 'not parquet at all');
    await expect(loadSnapshot(openStore(t.uri), { version: 2 })).rejects.toThrow(`corrupt checkpoint ${cp}`);
  });
});
