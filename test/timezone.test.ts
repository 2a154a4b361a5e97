// Rows never depend on the machine's time zone: vitest.config.ts runs this file again under
// America/Los_Angeles and Asia/Kolkata. Each check states the UTC instants it expects.
import { describe, expect, it } from 'vitest';
import { loadSnapshot, readRows, type Field } from '../delta/index.ts';
import { tempTable } from './support/delta/testkit.ts';
import { withConnection } from '../engine/duckdb.ts';
import { deltaSink, type Column } from '../stream/sink.ts';

describe(`under TZ=${process.env.TZ ?? '(unset)'}`, () => {
  it('the engine casts zone-less timestamps as UTC, truncates in UTC and prints every instant in UTC', async () => {
    const rows = await withConnection({}, undefined, async (c) =>
      (
        await c.runAndReadAll(`
      SELECT CAST(TIMESTAMP '2024-03-10 02:30:00' AS TIMESTAMPTZ) AS gap,
        CAST('2024-11-03 01:30:00.5' AS TIMESTAMPTZ) AS repeated,
        CAST('2024-03-10T10:30:00.123456Z' AS TIMESTAMPTZ) AS iso,
        date_trunc('day', TIMESTAMPTZ '2024-06-30 23:30:00+00') AS day`)
      ).getRowObjectsJson(),
    );
    expect(rows).toEqual([
      {
        gap: '2024-03-10 02:30:00+00',
        repeated: '2024-11-03 01:30:00.5+00',
        iso: '2024-03-10 10:30:00.123456+00',
        day: '2024-06-30 00:00:00+00',
      },
    ]);
  });

  it('the stream sink writes epoch milliseconds as those instants, and stats that cover them', async () => {
    const t = await tempTable();
    const sink = deltaSink();
    const at = [Date.UTC(2024, 2, 10, 2, 30), Date.UTC(2024, 10, 3, 1, 30, 0, 500), -1];
    const schema: Field[] = [
      { name: 'id', type: 'long', nullable: false },
      { name: 'at', type: 'timestamp', nullable: true },
    ];
    const columns: Column<{ id: number; at: number }>[] = [
      { field: schema[0], get: (r) => r.id },
      { field: schema[1], get: (r) => r.at },
    ];
    try {
      const adds = await sink.stage(
        t,
        at.map((ms, id) => ({ id, at: ms })),
        columns,
      );
      await sink.commit(t, schema, adds, { appId: 'tz', version: 1 }, {});
      expect(JSON.parse(adds[0].stats!)).toMatchObject({
        minValues: { at: '1969-12-31T23:59:59.999Z' },
        maxValues: { at: '2024-11-03T01:30:00.500Z' },
      });
    } finally {
      await sink.close();
    }
    const rows = await readRows(t, (await loadSnapshot(t))!);
    expect(rows.map((r) => [Number(r.id), r.at]).sort()).toEqual([
      [0, '2024-03-10 02:30:00+00'],
      [1, '2024-11-03 01:30:00.5+00'],
      [2, '1969-12-31 23:59:59.999+00'],
    ]);
  });
});
