// Partition keys in the browser: time keys are computed from the first key and an index, so
// the server never has to send 100,000 of them.
export type GridKind = 'daily' | 'hourly' | 'static' | 'none';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export function stepMs(kind: GridKind): number {
  return kind === 'hourly' ? HOUR : DAY;
}

export function keyStart(kind: GridKind, key: string): number {
  const [y, m, d, h] = key.split('-').map(Number);
  return Date.UTC(y, m - 1, d, kind === 'hourly' ? h : 0);
}

export function formatKey(kind: GridKind, ms: number): string {
  const iso = new Date(ms).toISOString();
  return kind === 'hourly' ? `${iso.slice(0, 10)}-${iso.slice(11, 13)}` : iso.slice(0, 10);
}

/** The key at index i of a contiguous range of time keys, or of an explicit list. */
export function keyAtFn(kind: GridKind, first: string | null, keys?: string[]): (i: number) => string {
  if (keys) return (i) => keys[i];
  if (kind === 'none' || !first) return () => '(all)';
  const start = keyStart(kind, first);
  const step = stepMs(kind);
  return (i) => formatKey(kind, start + i * step);
}

/** The index of `key` among the grid's keys (keyAtFn's inverse), or -1 when it is not one of them. */
export function indexOfKey(kind: GridKind, first: string | null, total: number, key: string, keys?: string[]): number {
  if (keys) return keys.indexOf(key);
  if (kind === 'none' || !first || !/^\d{4}-\d{2}-\d{2}(-\d{2})?$/.test(key)) return -1;
  const i = (keyStart(kind, key) - keyStart(kind, first)) / stepMs(kind);
  return Number.isInteger(i) && i >= 0 && i < total && formatKey(kind, keyStart(kind, key)) === key ? i : -1;
}

/** Grid rows: time keys are grouped by month (daily) or day (hourly); others wrap at 40.
 * `left` is how many cells the key's row still has from this one on (a month's length). */
export function rowOf(kind: GridKind, key: string, index: number): { label: string; col: number; cols: number; left: number } {
  if (kind === 'daily') {
    const col = Number(key.slice(8, 10)) - 1;
    const days = new Date(Date.UTC(Number(key.slice(0, 4)), Number(key.slice(5, 7)), 0)).getUTCDate();
    return { label: key.slice(0, 7), col, cols: 31, left: days - col };
  }
  if (kind === 'hourly') {
    const col = Number(key.slice(11, 13));
    return { label: key.slice(0, 10), col, cols: 24, left: 24 - col };
  }
  const label = kind === 'none' ? '(all)' : `#${index - (index % 40)}`;
  return { label, col: index % 40, cols: 40, left: 40 - (index % 40) };
}

/** Run-length decoding of the server's [code, count] pairs. */
export function decodeRuns(runs: Array<[number, number]>, total: number): Uint8Array {
  const out = new Uint8Array(total);
  let i = 0;
  for (const [code, n] of runs) {
    out.fill(code, i, i + n);
    i += n;
  }
  return out;
}
