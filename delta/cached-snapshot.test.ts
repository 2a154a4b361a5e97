// The snapshot a process keeps per table and brings forward commit by commit must always equal a
// reload from scratch, and must never hide a commit made by another writer (conflict detection
// stays exact), whatever the other writers do: commit, checkpoint, clean the log up behind a
// checkpoint, write the same table through another store object. Checked with random sequences.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCHEMA, tempTable } from '../test/support/delta/testkit.ts';
import { writeCheckpoint } from './checkpoint.ts';
import { DeltaConflictError } from './errors.ts';
import { commitKey, LOG_DIR, serializeActions, type Action } from './log.ts';
import { schemaString } from './schema.ts';
import { loadSnapshot, loadState, latestState } from './snapshot.ts';
import type { AddFile, Snapshot } from './types.ts';
import { write } from './write.ts';
import { LocalStore } from '../storage/local.ts';

const PARTS = ['a', 'b', 'c'];
const partitionColumns = ['date'];

type Op =
  | { kind: 'own'; part: number; overwrite: boolean; txn: boolean }
  | { kind: 'ownAtRead'; part: number; back: number }
  | { kind: 'foreign'; part: number; removeOne: boolean; txn: boolean; commits: number }
  | { kind: 'foreignCheckpoint' }
  | { kind: 'cleanup' }
  | { kind: 'read' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('own' as const), part: fc.nat(2), overwrite: fc.boolean(), txn: fc.boolean() }),
  fc.record({ kind: fc.constant('ownAtRead' as const), part: fc.nat(2), back: fc.integer({ min: 1, max: 3 }) }),
  fc.record({
    kind: fc.constant('foreign' as const),
    part: fc.nat(2),
    removeOne: fc.boolean(),
    txn: fc.boolean(),
    commits: fc.integer({ min: 1, max: 3 }),
  }),
  fc.constant({ kind: 'foreignCheckpoint' as const }),
  fc.constant({ kind: 'cleanup' as const }),
  fc.constant({ kind: 'read' as const }),
);

const fakeAdd = (part: string): AddFile => ({
  path: `date=${part}/part-00000-${randomUUID()}-c000.snappy.parquet`,
  partitionValues: { date: part },
  size: 100,
  modificationTime: 0,
  dataChange: true,
});

/** What a reader with no cache sees: the log read from its newest checkpoint on. */
async function reload(uri: string): Promise<Snapshot | undefined> {
  const fresh = new LocalStore(uri);
  const newest = await loadState(fresh, { version: await newestVersionOnDisk(uri) });
  return newest?.toSnapshot();
}

async function newestVersionOnDisk(uri: string): Promise<number> {
  const names = await fs.readdir(path.join(uri, LOG_DIR));
  let v = -1;
  for (const n of names) {
    const m = /^(\d{20})\.(json|checkpoint\.parquet)$/.exec(n);
    if (m) v = Math.max(v, Number(m[1]));
  }
  return v;
}

const view = (s: Snapshot | undefined) =>
  s && {
    version: s.version,
    files: s.files.map((f) => f.path).sort(),
    txns: [...s.txns].sort(),
    schema: JSON.stringify(s.metadata.schema),
  };

describe('a cached snapshot brought forward', () => {
  it('equals a reload from scratch after any sequence of own and foreign commits, checkpoints and log cleanups', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 18 }), async (ops) => {
        const t = await tempTable();
        // The table is created by this process; ops build on it.
        await write(t, { schema: SCHEMA, partitionColumns, mode: 'append', adds: [fakeAdd('a')] });
        // partitions each version touched, for the expected conflicts
        const touched: Array<Set<string>> = [new Set(['a'])];
        let cleanedUpTo = -1;
        let txnSeq = 0;
        for (const o of ops) {
          const newest = await newestVersionOnDisk(t.uri);
          const part = 'part' in o ? PARTS[o.part] : 'a';
          if (o.kind === 'own') {
            const r = await write(t, {
              schema: SCHEMA,
              partitionColumns,
              mode: o.overwrite ? 'overwrite' : 'append',
              replace: o.overwrite ? { date: part } : undefined,
              adds: [fakeAdd(part)],
              txn: o.txn ? { appId: `own-${part}`, version: ++txnSeq } : undefined,
            });
            expect(r.version).toBe(newest + 1);
            touched[r.version] = new Set([part]);
          } else if (o.kind === 'ownAtRead') {
            const readVersion = newest - o.back;
            if (readVersion < 0 || readVersion <= cleanedUpTo) continue;
            const conflicting = touched.slice(readVersion + 1).some((s) => s?.has(part));
            const attempt = write(t, {
              schema: SCHEMA,
              partitionColumns,
              mode: 'overwrite',
              replace: { date: part },
              adds: [fakeAdd(part)],
              readVersion,
            });
            if (conflicting) {
              await expect(attempt).rejects.toBeInstanceOf(DeltaConflictError);
            } else {
              const r = await attempt;
              expect(r.version).toBe(newest + 1);
              touched[r.version] = new Set([part]);
            }
          } else if (o.kind === 'foreign') {
            // Another process: it reads the log itself and puts the next commit files directly.
            for (let i = 0; i < o.commits; i++) {
              const before = (await reload(t.uri))!;
              const actions: Action[] = [{ commitInfo: { operation: 'WRITE', engineInfo: 'other' } }];
              const parts = new Set([part]);
              if (o.removeOne && before.files.length > 0) {
                const gone = before.files[0];
                actions.push({
                  remove: { path: gone.path, deletionTimestamp: Date.now(), dataChange: true, partitionValues: gone.partitionValues },
                });
                parts.add(String(gone.partitionValues.date));
              }
              actions.push({ add: fakeAdd(part) });
              if (o.txn) actions.push({ txn: { appId: `foreign-${part}`, version: ++txnSeq } });
              const v = before.version + 1;
              expect(await t.putIfAbsent(commitKey(v), serializeActions(actions))).toBe(true);
              touched[v] = parts;
            }
          } else if (o.kind === 'foreignCheckpoint') {
            const fresh = new LocalStore(t.uri);
            await writeCheckpoint(fresh, (await loadState(fresh, { version: newest }))!);
          } else if (o.kind === 'cleanup') {
            // Log cleanup as delta-rs and Spark do it: commits before the newest checkpoint go.
            const names = await fs.readdir(path.join(t.uri, LOG_DIR));
            const cps = names.filter((n) => n.endsWith('.checkpoint.parquet')).map((n) => Number(n.slice(0, 20)));
            if (cps.length === 0) continue;
            const cp = Math.max(...cps);
            for (let v = cleanedUpTo + 1; v < cp; v++) await fs.rm(path.join(t.uri, commitKey(v)), { force: true });
            cleanedUpTo = Math.max(cleanedUpTo, cp - 1);
          }
          // After every step: the cached newest snapshot is exactly what a fresh reader sees.
          expect(view(await loadSnapshot(t))).toEqual(view(await reload(t.uri)));
        }
        await fs.rm(path.dirname(t.uri), { recursive: true, force: true });
      }),
      { numRuns: 25 },
    );
  }, 600_000);

  it('is reloaded when the table was deleted and created again under the same path', async () => {
    const t = await tempTable();
    await write(t, { schema: SCHEMA, partitionColumns, mode: 'append', adds: [fakeAdd('a'), fakeAdd('b')] });
    await write(t, { schema: SCHEMA, partitionColumns, mode: 'append', adds: [fakeAdd('c')] });
    expect((await loadSnapshot(t))!.files).toHaveLength(3);
    // Another process recreates the table: version 0 again, then 1, with other files.
    await fs.rm(path.join(t.uri, LOG_DIR), { recursive: true });
    const now = Date.now();
    for (const [v, add] of [fakeAdd('x'), fakeAdd('y')].entries()) {
      const actions: Action[] = [{ commitInfo: { operation: 'WRITE' } }];
      if (v === 0) {
        actions.push({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
        actions.push({
          metaData: {
            id: randomUUID(),
            format: { provider: 'parquet' },
            schemaString: schemaString(SCHEMA),
            partitionColumns,
            createdTime: now,
          },
        });
      }
      actions.push({ add });
      await t.put(commitKey(v), serializeActions(actions) + `{"commitInfo":{"pad":"${'x'.repeat(v + 7)}"}}\n`);
    }
    const snap = (await latestState(t))!;
    expect(snap.version).toBe(1);
    expect([...snap.files.values()].map((f) => f.partitionValues.date).sort()).toEqual(['x', 'y']);
  });
});
