// A commit whose put landed although the writer was told it did not: the object store wrote the
// log file, the reply was lost (MinIO killed, a connection reset), and the client's retry of
// the conditional put got 412. The version is taken by this very write. Taking it for another
// writer's would commit the same files a second time (an append), fail with a conflict with
// itself (an overwrite), or report a txn write as already done, whose caller then deletes the
// data files the landed commit points to.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AddFile } from './types.ts';
import { history, loadSnapshot, write, type WriteRequest } from './index.ts';
import { SCHEMA, tempTable } from '../test/support/delta/testkit.ts';
import type { ObjectStore } from '../storage/types.ts';

/** Log puts listed in `lose` land but report a lost race, as a retried conditional put does. */
function losingReplies(store: ObjectStore, lose: Set<number>): ObjectStore {
  let puts = 0;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'putIfAbsent') {
        return async (p: string, data: Uint8Array | string) => {
          const landed = await target.putIfAbsent(p, data);
          return landed && p.startsWith('_delta_log/') && lose.has(puts++) ? false : landed;
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const add = (date: string): AddFile => ({
  path: `date=${date}/part-${randomUUID()}.parquet`,
  partitionValues: { date },
  size: 100,
  modificationTime: 0,
  dataChange: true,
});

type Op = { mode: 'append' | 'overwrite'; date: string; txn: boolean; lost: boolean };

describe('a commit that landed while its put reported a lost race', () => {
  it('is recognised as this write: one version per write, its files live, never skipped, no conflict with itself', async () => {
    const op = fc.record({
      mode: fc.constantFrom<'append' | 'overwrite'>('append', 'overwrite'),
      date: fc.constantFrom('d1', 'd2', 'd3'),
      txn: fc.boolean(),
      lost: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops: Op[]) => {
        const base = await tempTable();
        const lose = new Set(ops.flatMap((o, i) => (o.lost ? [i] : [])));
        const table = losingReplies(base, lose);
        const live = new Map<string, string[]>();
        for (const [i, o] of ops.entries()) {
          const file = add(o.date);
          const req: WriteRequest = {
            schema: SCHEMA,
            partitionColumns: ['date'],
            mode: o.mode,
            adds: [file],
            ...(o.mode === 'overwrite' ? { replace: { date: o.date } } : {}),
            ...(o.txn ? { txn: { appId: `app-${o.date}`, version: i } } : {}),
          };
          const r = await write(table, req);
          expect(r, `write ${i} ${JSON.stringify(o)}`).toMatchObject({ version: i, skipped: false });
          live.set(o.date, [...(o.mode === 'overwrite' ? [] : (live.get(o.date) ?? [])), file.path]);
        }
        expect((await history(base)).map((e) => e.version)).toEqual(ops.map((_, i) => i));
        const snap = (await loadSnapshot(base))!;
        expect(snap.files.map((f) => f.path).sort()).toEqual([...live.values()].flat().sort());
      }),
      { numRuns: 40 },
    );
  });
});
