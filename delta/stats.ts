// File statistics: the add action's stats JSON string (numRecords, minValues, maxValues, nullCount).
// Readers skip files by them, so every bound written must hold: a value that cannot be written
// exactly (or rounded the safe way) is left out, which Delta allows.
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdbType } from './duckdb-types.ts';
import { literal } from './sql.ts';
import type { AddFile, Field, FileStats } from './types.ts';

export function parseStats(add: AddFile): FileStats | undefined {
  if (!add.stats) return undefined;
  try {
    const s = JSON.parse(add.stats) as Partial<FileStats>;
    if (typeof s.numRecords !== 'number') return undefined;
    return { numRecords: s.numRecords, minValues: s.minValues ?? {}, maxValues: s.maxValues ?? {}, nullCount: s.nullCount ?? {} };
  } catch {
    return undefined;
  }
}

const RAW = '\u0000raw:';

/** A JSON number written with exactly these digits (a decimal past what a double holds). */
class ExactNumber {
  constructor(readonly text: string) {}
  toJSON(): string {
    return `${RAW}${this.text}`;
  }
}

/**
 * Stats as the log's JSON string. Integers past 2^53 (bigint) and decimals are written with all
 * their digits; empty minValues/maxValues are left out (see fileStats).
 */
export function statsJson(stats: FileStats): string {
  const { minValues, maxValues, ...rest } = stats;
  const out = Object.keys(minValues).length > 0 || Object.keys(maxValues).length > 0 ? stats : rest;
  return JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? `${RAW}${v}` : v)).replace(
    /"\\u0000raw:(-?\d+(?:\.\d+)?)"/g,
    '$1',
  );
}

/**
 * numRecords, min, max and null count per column of a Parquet file DuckDB wrote, from its footer
 * (the row-group statistics), so a big file is not read again. `fields` are the file's columns
 * (partition columns are not in the file); nested and binary columns get no bounds.
 *
 * minValues/maxValues are all or nothing: delta-rs (1.6) skips a file whose minValues lacks a
 * column a filter uses, as if the column were all null, so a file where some column's bounds are
 * unknown or cannot be written (NaN or infinities, a max in the last millisecond of year 9999)
 * gets none at all, which every reader takes as "read the file".
 */
export async function fileStats(conn: DuckDBConnection, file: string, fields: Field[]): Promise<FileStats> {
  const f = literal(file);
  const numRecords = Number((await conn.runAndReadAll(`SELECT num_rows FROM parquet_file_metadata(${f})`)).getRows()[0][0]);
  const stats: FileStats = { numRecords, minValues: {}, maxValues: {}, nullCount: {} };
  const flat = fields.filter((x) => !x.type.startsWith('{'));
  const ranged = flat.filter((x) => x.type !== 'binary');
  const bound = (agg: 'min' | 'max') =>
    ranged.length === 0
      ? 'NULL'
      : `CASE path_in_schema ${ranged
          .map((x) => `WHEN ${literal(x.name)} THEN CAST(${agg}(TRY_CAST(stats_${agg}_value AS ${duckdbType(x.type, x.name)})) AS VARCHAR)`)
          .join(' ')} END`;
  // A row group with values but no bound (or one that does not parse) makes the file's bound unknown.
  const unbounded =
    ranged.length === 0
      ? 'true'
      : `bool_or(CASE path_in_schema ${ranged
          .map((x) => {
            const t = duckdbType(x.type, x.name);
            return `WHEN ${literal(x.name)} THEN (TRY_CAST(stats_min_value AS ${t}) IS NULL OR TRY_CAST(stats_max_value AS ${t}) IS NULL) AND coalesce(stats_null_count, -1) <> row_group_num_rows`;
          })
          .join(' ')} END)`;
  const rows = (
    await conn.runAndReadAll(`
    SELECT path_in_schema AS name, sum(stats_null_count) AS nulls, count(*) - count(stats_null_count) AS unknown_nulls,
      ${bound('min')} AS lo, ${bound('max')} AS hi, ${unbounded} AS unbounded
    FROM parquet_metadata(${f}) GROUP BY path_in_schema`)
  ).getRowObjectsJS();
  const byName = new Map(rows.map((r) => [String(r.name), r]));
  let complete = true;
  for (const field of flat) {
    const r = byName.get(field.name);
    // No row group at all (an empty file): every count is 0, and there is nothing to bound.
    if (!r) {
      if (numRecords === 0) stats.nullCount[field.name] = 0;
      else complete = false;
      continue;
    }
    if (Number(r.unknown_nulls) === 0) stats.nullCount[field.name] = Number(r.nulls);
    if (field.type === 'binary') continue;
    // An all-null column needs no bounds: readers take the missing bounds as null, which is right.
    if (stats.nullCount[field.name] === numRecords) continue;
    const lo = r.unbounded === false && r.lo !== null ? statValue(field.type, String(r.lo), 'min') : undefined;
    const hi = r.unbounded === false && r.hi !== null ? statValue(field.type, String(r.hi), 'max') : undefined;
    if (lo === undefined || hi === undefined) {
      complete = false;
      continue;
    }
    stats.minValues[field.name] = lo;
    stats.maxValues[field.name] = hi;
  }
  if (!complete) {
    stats.minValues = {};
    stats.maxValues = {};
  }
  return stats;
}

/**
 * A min or max in the JSON form Delta readers expect for the column's type, from DuckDB's text of
 * the value; undefined when it cannot be written so that it still bounds the values. Timestamps keep
 * milliseconds (as Spark and delta-rs write them): a max is rounded up.
 */
export function statValue(type: string, text: string, bound: 'min' | 'max'): unknown {
  switch (type) {
    case 'byte':
    case 'short':
    case 'integer':
    case 'long': {
      if (!/^-?\d+$/.test(text)) return undefined;
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    case 'float':
    case 'double': {
      const n = Number(text);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'string':
      return text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'date':
      return /^\d{4}-\d\d-\d\d$/.test(text) ? text : undefined;
    case 'timestamp':
    case 'timestamp_ntz': {
      // DuckDB's text: 2024-01-01 10:00:00.123456, with +00 for TIMESTAMPTZ (its session is UTC);
      // written as ISO-8601 with milliseconds, UTC with a Z, timestamp_ntz without (as Spark does)
      const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(\+00(?::00)?)?$/.exec(text);
      if (!m || (type === 'timestamp') !== (m[4] !== undefined)) return undefined;
      const digits = (m[3] ?? '').padEnd(6, '0');
      let ms = Date.parse(`${m[1]}T${m[2]}.${digits.slice(0, 3)}Z`);
      if (bound === 'max' && Number(digits.slice(3)) > 0) ms += 1;
      const iso = new Date(ms).toISOString();
      if (!/^\d{4}-/.test(iso)) return undefined;
      return type === 'timestamp' ? iso : iso.slice(0, -1);
    }
    default:
      // decimal(p,s): every digit, as a JSON number (Spark and delta-rs parse it exactly; rounded
      // to a double, 38 digits would make a bound that does not hold)
      return type.startsWith('decimal') && /^-?\d+(\.\d+)?$/.test(text) ? new ExactNumber(text) : undefined;
  }
}
