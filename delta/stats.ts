// File statistics: the add action's stats JSON string (numRecords, minValues, maxValues, nullCount).
import { sqlIdent, sqlString, withDuck } from './duck.ts';
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

/** Stats of a local Parquet file for the given (non-partition) columns of primitive type, as a stats JSON string. */
export async function makeStats(localFile: string, columns: Field[]): Promise<string> {
  const cols = columns.filter((f) => !f.type.startsWith('{'));
  const parts = ['count(*)::BIGINT AS n'];
  cols.forEach((f, i) => {
    const c = sqlIdent(f.name);
    // Min/max as JSON-friendly text: timestamps as ISO-8601 UTC with ms, as delta-rs writes them.
    const asText = f.type === 'timestamp'
      ? (x: string) => `strftime(${x} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`
      : (x: string) => `${x}::VARCHAR`;
    // Stats keep milliseconds: the max is rounded up, so a reader skipping files never skips a row.
    const max = f.type === 'timestamp'
      ? `(CASE WHEN date_trunc('millisecond', max(${c})) = max(${c}) THEN max(${c}) ELSE date_trunc('millisecond', max(${c})) + INTERVAL 1 MILLISECOND END)`
      : `max(${c})`;
    parts.push(`${asText(`min(${c})`)} AS mn${i}`, `${asText(max)} AS mx${i}`, `(count(*) - count(${c}))::BIGINT AS nc${i}`);
  });
  const row = await withDuck(async (c) => (await c.runAndReadAll(`SELECT ${parts.join(', ')} FROM read_parquet(${sqlString(localFile)})`)).getRowObjectsJson()[0]);
  const stats: FileStats = { numRecords: Number(row.n), minValues: {}, maxValues: {}, nullCount: {} };
  cols.forEach((f, i) => {
    stats.nullCount[f.name] = Number(row[`nc${i}`]);
    if (f.type === 'binary' || f.type === 'boolean') return;
    const conv = (v: unknown): unknown => (v === null ? null : isNumeric(f.type) ? Number(v) : v);
    if (row[`mn${i}`] !== null) stats.minValues[f.name] = conv(row[`mn${i}`]);
    if (row[`mx${i}`] !== null) stats.maxValues[f.name] = conv(row[`mx${i}`]);
  });
  return JSON.stringify(stats);
}

function isNumeric(t: string): boolean {
  return ['long', 'integer', 'short', 'byte', 'float', 'double'].includes(t) || t.startsWith('decimal');
}
