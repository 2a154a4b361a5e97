// Freshet's record in a commit, from either writer: commitInfo.freshet (Freshet's own) or the
// userMetadata JSON Delta's Spark writer carries, with Spark's counts in operationMetrics.
import { describe, expect, it } from 'vitest';
import { write } from '../delta/index.ts';
import { dataFile, SCHEMA, tempTable } from '../test/support/delta/testkit.ts';
import { materializations } from './lineage.ts';

describe('materializations', () => {
  it("reads Spark's userMetadata record beside Freshet's own, and ignores other writers' userMetadata", async () => {
    const table = await tempTable();
    const commit = async (commitInfo: Record<string, unknown>) => {
      const add = await dataFile(table, [{ user_id: 1, amount: 1, ts: '2024-01-01 00:00:00+00' }], { pv: { date: 'd' } });
      await write(table, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [add], commitInfo });
    };
    await commit({ freshet: { partition: 'a', rows: 7, bytes: 70, durationMs: 5, inputVersions: { up: 1 }, mode: 'partition' } });
    const spark = { partition: 'b', inputVersions: { up: 2 }, attempt: 2, mode: 'spark', sparkApplicationId: 'local-1' };
    await commit({
      userMetadata: JSON.stringify({ freshet: spark }),
      operationMetrics: { numOutputRows: '42', numOutputBytes: '1144', executionTimeMs: '900' },
    });
    for (const userMetadata of ['a note', '{"other": 1}', '{not json', '']) await commit({ userMetadata });
    const list = await materializations(table);
    expect(
      list.map(({ version, partition, rows, bytes, durationMs, inputVersions, mode }) => ({
        version,
        partition,
        rows,
        bytes,
        durationMs,
        inputVersions,
        mode,
      })),
    ).toEqual([
      { version: 0, partition: 'a', rows: 7, bytes: 70, durationMs: 5, inputVersions: { up: 1 }, mode: 'partition' },
      { version: 1, partition: 'b', rows: 42, bytes: 1144, durationMs: 900, inputVersions: { up: 2 }, mode: 'spark' },
    ]);
  });
});
