// Row counts from the stats Delta keeps per file (numRecords), without reading the data.
import type { AddFile } from '../delta/index.ts';

export function parseStatsRows(files: AddFile[]): number {
  let rows = 0;
  for (const f of files) {
    try {
      rows += Number((JSON.parse(f.stats ?? '{}') as { numRecords?: number }).numRecords ?? 0);
    } catch {
      /* a file without readable stats counts 0 */
    }
  }
  return rows;
}
