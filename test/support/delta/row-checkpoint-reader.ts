// The checkpoint reader as it was before add rows were read in blocks (one to_json string fetched
// per row): the reference delta/checkpoint-read.test.ts compares readCheckpoint with.
import { withDuck } from '../../../delta/duck.ts';
import type { Action } from '../../../delta/log.ts';
import { ident, literal } from '../../../delta/sql.ts';
import type { ObjectInfo, ObjectStore } from '../../../storage/types.ts';

const OTHER = ['txn', 'remove', 'metaData', 'protocol'];

export async function readCheckpointRowByRow(table: ObjectStore, parts: ObjectInfo[]): Promise<Action[]> {
  const actions: Action[] = [];
  for (const part of parts) {
    const src = `read_parquet(${literal(await table.localPath(part.path))})`;
    await withDuck(async (c) => {
      const described = await c.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`);
      const present = new Set(described.getRowObjectsJson().map((r) => String(r.column_name)));
      const cols = OTHER.filter((k) => present.has(k));
      if (cols.length > 0) {
        const other = await c.runAndReadAll(
          `SELECT ${cols.map((k) => `to_json(${ident(k)}) AS ${ident(k)}`).join(', ')} FROM ${src}${present.has('add') ? ' WHERE "add" IS NULL' : ''}`,
        );
        for (const row of other.getRowObjectsJson()) {
          for (const k of cols) {
            const value = row[k];
            if (value !== null && value !== undefined) actions.push({ [k]: dropNulls(JSON.parse(String(value))) } as Action);
          }
        }
      }
      if (present.has('add')) {
        const result = await c.run(`SELECT to_json("add")::VARCHAR FROM ${src} WHERE "add" IS NOT NULL`);
        const chunks: string[] = [];
        for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
          const vector = chunk.getColumnVector(0);
          for (let i = 0; i < chunk.rowCount; i++) chunks.push(vector.getItem(i) as string);
        }
        for (const add of JSON.parse(`[${chunks.join(',')}]`) as Array<Record<string, unknown>>) {
          if (add.stats === null) delete add.stats;
          if (add.tags === null) delete add.tags;
          actions.push({ add } as unknown as Action);
        }
      }
    });
  }
  return actions;
}

function dropNulls(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null && k !== 'partitionValues') continue;
    out[k] = x;
  }
  return out;
}
