// The sink's staging: every column type and awkward value goes through the JSON staging file
// into Parquet and comes back out of the Delta table unchanged (or as the documented null).
import { afterAll, describe, expect, it } from 'vitest';
import { loadSnapshot, readRows } from '../delta/index.ts';
import { deltaSink, type Column } from './sink.ts';
import { tempStores } from '../test/support/stream/test-assets.ts';

interface Row {
  s: unknown;
  l: number;
  i: number;
  d: number | null;
  t: number;
}

const columns: Column<Row>[] = [
  { field: { name: 's', type: 'string', nullable: true }, get: (r) => r.s },
  { field: { name: 'l', type: 'long', nullable: false }, get: (r) => r.l },
  { field: { name: 'i', type: 'integer', nullable: false }, get: (r) => r.i },
  { field: { name: 'd', type: 'double', nullable: true }, get: (r) => r.d },
  { field: { name: 't', type: 'timestamp', nullable: false }, get: (r) => r.t },
];

const stores = tempStores('freshet-sink-test');
afterAll(() => stores.cleanup());

describe('delta sink staging', () => {
  it('keeps strings, numbers and millisecond timestamps exactly; nulls and non-finite numbers become null', async () => {
    const awkward: Row[] = [
      { s: 'plain', l: 2 ** 53 - 1, i: -2_147_483_648, d: 0.1 + 0.2, t: 1_700_000_000_123 },
      { s: 'quote " comma , newline \n tab \t backslash \\ unicode é 🦆', l: -5, i: 7, d: -1e-300, t: 0 },
      { s: null, l: 0, i: 0, d: Number.NaN, t: 1 },
      { s: undefined, l: 3.9, i: 1, d: Number.POSITIVE_INFINITY, t: 1_700_000_000_000.4 },
      { s: { nested: [1, 'a'] }, l: 1, i: 1, d: null, t: 253_402_300_799_999 },
      { s: 'lone \ud800 surrogate', l: 1, i: 1, d: 1.5, t: 1 },
    ];
    // more than one staging line (50 000 rows each), so parts are read back in order and all
    const many: Row[] = Array.from({ length: 120_000 }, (_, n) => ({ s: `k${n}`, l: n, i: n % 1000, d: n / 3, t: 1_700_000_000_000 + n }));
    const table = await stores.make();
    const sink = deltaSink();
    try {
      const adds = await sink.stage(table, [...awkward, ...many], columns);
      await sink.commit(
        table,
        columns.map((c) => c.field),
        adds,
        { appId: 'test', version: 1 },
        {},
      );
    } finally {
      await sink.close();
    }
    const rows = await readRows(table, (await loadSnapshot(table))!);
    expect(rows).toHaveLength(awkward.length + many.length);
    const ms = (v: unknown) => new Date(String(v)).getTime();
    const got = rows.map((r) => ({ s: r.s, l: Number(r.l), i: Number(r.i), d: r.d === null ? null : Number(r.d), t: ms(r.t) }));
    expect(got.slice(0, awkward.length)).toEqual([
      { s: 'plain', l: 2 ** 53 - 1, i: -2_147_483_648, d: 0.1 + 0.2, t: 1_700_000_000_123 },
      { s: 'quote " comma , newline \n tab \t backslash \\ unicode é 🦆', l: -5, i: 7, d: -1e-300, t: 0 },
      { s: null, l: 0, i: 0, d: null, t: 1 },
      { s: null, l: 3, i: 1, d: null, t: 1_700_000_000_000 },
      { s: '{"nested":[1,"a"]}', l: 1, i: 1, d: null, t: 253_402_300_799_999 },
      { s: 'lone \ufffd surrogate', l: 1, i: 1, d: 1.5, t: 1 },
    ]);
    const rest = got.slice(awkward.length);
    expect(rest.every((r, n) => r.s === `k${n}` && r.l === n && r.d === n / 3 && r.t === 1_700_000_000_000 + n)).toBe(true);
  });
});
