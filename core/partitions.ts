// Partition definitions: how an asset's data is cut into independently computed pieces.
// A partition key is what users type (`2026-01-03`); its partition value is what the Delta
// table stores in the partition column (a date, a timestamp, or the key itself).

export type PartitionColumnType = 'date' | 'timestamp' | 'string';

export interface TimePartitions {
  kind: 'daily' | 'hourly';
  /** first key, inclusive */
  start: string;
  /** last key, inclusive; omitted = up to the newest complete window */
  end?: string;
  /** the Delta partition column ('day' or 'hour' by default) */
  column: string;
}

export interface StaticPartitions {
  kind: 'static';
  keys: string[];
  column: string;
}

export type Partitions = TimePartitions | StaticPartitions;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const DAILY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;
const HOURLY_KEY = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})$/;
const STATIC_KEY = /^[A-Za-z0-9_.-]{1,128}$/;
const COLUMN = /^[a-z_][a-z0-9_]*$/;

export class PartitionKeyError extends Error {}

/**
 * The most keys one call lists: 500,000 is 57 years of hourly partitions, five times the
 * 100,000 the page's grid is measured with (README). A longer list is a mistyped year, not a
 * workload, and listing it would hold a process for minutes (a range to 9999-12-31 is 2.9
 * million days): it is refused before any key is made.
 */
export const MAX_PARTITION_KEYS = 500_000;

/** Throws when `count` keys from `from` to `to` are more than MAX_PARTITION_KEYS. */
export function checkListable(def: Partitions, count: number, from: string, to: string): void {
  if (count <= MAX_PARTITION_KEYS) return;
  throw new PartitionKeyError(
    `The ${def.kind} partitions from '${from}' to '${to}' are ${count.toLocaleString('en-US')}, more than the ${MAX_PARTITION_KEYS.toLocaleString('en-US')} Freshet lists at once: narrow the range (or set a later start in the partition definition).`,
  );
}

/** Daily partitions: keys `YYYY-MM-DD`, stored in a `date` column named `day`. */
export function dailyPartitions(opts: { start: string; end?: string; column?: string }): TimePartitions {
  return checkTime({ kind: 'daily', start: opts.start, end: opts.end, column: opts.column ?? 'day' });
}

/** Hourly partitions: keys `YYYY-MM-DD-HH` (UTC), stored in a `timestamp` column named `hour`. */
export function hourlyPartitions(opts: { start: string; end?: string; column?: string }): TimePartitions {
  return checkTime({ kind: 'hourly', start: opts.start, end: opts.end, column: opts.column ?? 'hour' });
}

/** A fixed set of keys (regions, model versions), stored in a `string` column named `partition`. */
export function staticPartitions(keys: string[], opts: { column?: string } = {}): StaticPartitions {
  const def: StaticPartitions = { kind: 'static', keys: [...keys], column: opts.column ?? 'partition' };
  checkColumn(def.column);
  if (keys.length === 0) throw new PartitionKeyError('staticPartitions needs at least one key.');
  const seen = new Set<string>();
  for (const key of keys) {
    if (!STATIC_KEY.test(key))
      throw new PartitionKeyError(`Static partition key '${key}' is malformed: use 1 to 128 letters, digits, '_', '.' or '-'.`);
    if (seen.has(key)) throw new PartitionKeyError(`Static partition key '${key}' is listed twice.`);
    seen.add(key);
  }
  return def;
}

function checkTime(def: TimePartitions): TimePartitions {
  checkColumn(def.column);
  const start = keyStart(def, def.start);
  if (def.end !== undefined && keyStart(def, def.end) < start) {
    throw new PartitionKeyError(`Partitions end '${def.end}' is before start '${def.start}'.`);
  }
  return def;
}

function checkColumn(column: string): void {
  if (!COLUMN.test(column))
    throw new PartitionKeyError(`Partition column '${column}' is not a valid name: use lower-case letters, digits and '_'.`);
}

export function columnType(def: Partitions): PartitionColumnType {
  return def.kind === 'daily' ? 'date' : def.kind === 'hourly' ? 'timestamp' : 'string';
}

function stepMs(def: TimePartitions): number {
  return def.kind === 'daily' ? DAY_MS : HOUR_MS;
}

/** Start of a time key's window; throws a PartitionKeyError naming the key and the expected form. */
export function keyStart(def: TimePartitions, key: string): number {
  const pattern = def.kind === 'daily' ? DAILY_KEY : HOURLY_KEY;
  const m = pattern.exec(key);
  const form = def.kind === 'daily' ? 'YYYY-MM-DD, e.g. 2026-01-03' : 'YYYY-MM-DD-HH (UTC), e.g. 2026-01-03-07';
  if (!m) throw new PartitionKeyError(`Partition key '${key}' is malformed for ${def.kind} partitions: write it as ${form}.`);
  const [y, mo, d, h] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  const ms = Date.UTC(y, mo - 1, d, h);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23) {
    throw new PartitionKeyError(`Partition key '${key}' is not a real ${def.kind === 'daily' ? 'date' : 'hour'}: write it as ${form}.`);
  }
  return ms;
}

function formatKey(def: TimePartitions, ms: number): string {
  const iso = new Date(ms).toISOString();
  return def.kind === 'daily' ? iso.slice(0, 10) : `${iso.slice(0, 10)}-${iso.slice(11, 13)}`;
}

/** The key whose window holds time `ms`. Does not check bounds. */
export function keyContaining(def: TimePartitions, ms: number): string {
  const step = stepMs(def);
  return formatKey(def, Math.floor(ms / step) * step);
}

/**
 * [first, last] indexes of the sorted time `keys` (all of `def`) whose windows overlap [start, end); last < first: none.
 * Time keys sort as they run, so a window is one slice found by bisection, however wide.
 */
export function windowSlice(def: TimePartitions, keys: string[], w: { start: number; end: number }): [number, number] {
  if (keys.length === 0) return [0, -1];
  // Clamped to the keys given, so both bounds format as four-digit years and compare as strings.
  const start = Math.max(w.start, keyStart(def, keys[0]));
  const last = Math.min(w.end - 1, keyWindow(def, keys[keys.length - 1]).end - 1);
  if (last < start) return [0, -1];
  return [bisect(keys, keyContaining(def, start)), bisect(keys, keyContaining(def, last), true) - 1];
}

/** First index whose key is >= `key` (> `key` when `after`). */
function bisect(keys: string[], key: string, after = false): number {
  let [lo, hi] = [0, keys.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < key || (after && keys[mid] === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The [start, end) time window a key covers (ms). Static keys have none. */
export function keyWindow(def: TimePartitions, key: string): { start: number; end: number } {
  const start = keyStart(def, key);
  return { start, end: start + stepMs(def) };
}

/** Checks that `key` is a partition of `def` (well-formed and within its bounds). */
export function checkKey(def: Partitions, key: string): void {
  if (def.kind === 'static') {
    if (!def.keys.includes(key))
      throw new PartitionKeyError(`Partition key '${key}' is not one of the static keys: ${def.keys.join(', ')}.`);
    return;
  }
  const ms = keyStart(def, key);
  if (ms < keyStart(def, def.start)) throw new PartitionKeyError(`Partition key '${key}' is before the first partition '${def.start}'.`);
  if (def.end !== undefined && ms > keyStart(def, def.end))
    throw new PartitionKeyError(`Partition key '${key}' is after the last partition '${def.end}'.`);
}

/** The key `n` steps after `key` (negative = before). Does not check bounds. */
export function shiftKey(def: TimePartitions, key: string, n: number): string {
  return formatKey(def, keyStart(def, key) + n * stepMs(def));
}

/** Every key from `from` to `to`, both inclusive, in order. */
export function keysBetween(def: Partitions, from: string, to: string): string[] {
  checkKey(def, from);
  checkKey(def, to);
  if (def.kind === 'static') {
    const [i, j] = [def.keys.indexOf(from), def.keys.indexOf(to)];
    if (j < i) throw new PartitionKeyError(`Partition range is reversed: '${from}' comes after '${to}'.`);
    return def.keys.slice(i, j + 1);
  }
  const [a, b] = [keyStart(def, from), keyStart(def, to)];
  if (b < a) throw new PartitionKeyError(`Partition range is reversed: '${from}' comes after '${to}'.`);
  checkListable(def, (b - a) / stepMs(def) + 1, from, to);
  const keys: string[] = [];
  for (let ms = a; ms <= b; ms += stepMs(def)) keys.push(formatKey(def, ms));
  return keys;
}

/** The [first, last] window starts of the keys overlapping [start, end) within the definition's bounds (last < first: none). */
function overlapSpan(def: TimePartitions, start: number, end: number): { first: number; last: number } {
  const step = stepMs(def);
  const first = Math.max(Math.floor(start / step) * step, keyStart(def, def.start));
  const last = Math.min(Math.ceil(end / step) * step - step, def.end !== undefined ? keyStart(def, def.end) : Number.POSITIVE_INFINITY);
  return { first, last };
}

/** How many keys keysOverlapping would list, without listing them. */
export function countOverlapping(def: TimePartitions, start: number, end: number): number {
  const { first, last } = overlapSpan(def, start, end);
  return last < first ? 0 : (last - first) / stepMs(def) + 1;
}

/** Keys of time windows that overlap [start, end), clipped to the definition's bounds. */
export function keysOverlapping(def: TimePartitions, start: number, end: number): string[] {
  const { first, last } = overlapSpan(def, start, end);
  if (last < first) return [];
  checkListable(def, (last - first) / stepMs(def) + 1, formatKey(def, first), formatKey(def, last));
  const keys: string[] = [];
  for (let ms = first; ms <= last; ms += stepMs(def)) keys.push(formatKey(def, ms));
  return keys;
}

/** End (ms) of the newest window complete at `now`: where ranges stop, since later windows have no data yet. */
export function completeUntil(def: TimePartitions, now: number): number {
  const step = stepMs(def);
  return Math.floor(now / step) * step;
}

/** How many keys exist at `now` (allKeys' length), without listing them. */
export function countKeys(def: Partitions, now: number): number {
  if (def.kind === 'static') return def.keys.length;
  return countOverlapping(def, keyStart(def, def.start), completeUntil(def, now));
}

/** The newest key whose window has ended by `now`, or undefined when none has. */
export function lastCompleteKey(def: TimePartitions, now: number): string | undefined {
  const step = stepMs(def);
  let ms = Math.floor(now / step) * step - step;
  if (def.end !== undefined) ms = Math.min(ms, keyStart(def, def.end));
  return ms < keyStart(def, def.start) ? undefined : formatKey(def, ms);
}

/** All keys that exist at `now`: static keys, or time keys up to the newest complete window. */
export function allKeys(def: Partitions, now: number): string[] {
  if (def.kind === 'static') return [...def.keys];
  const last = lastCompleteKey(def, now);
  return last === undefined ? [] : keysBetween(def, def.start, last);
}

/** The string stored in the Delta partition column for `key`. */
export function partitionValue(def: Partitions, key: string): string {
  if (def.kind === 'hourly') return new Date(keyStart(def, key)).toISOString().replace('T', ' ').slice(0, 19);
  return key;
}

/** The key of a stored partition value (inverse of partitionValue). */
export function keyOfValue(def: Partitions, value: string): string {
  if (def.kind === 'hourly') return formatKey(def, Date.parse(value.replace(' ', 'T') + (value.endsWith('Z') ? '' : 'Z')));
  return value;
}

export function describePartitions(def: Partitions | undefined): string {
  if (!def) return 'unpartitioned';
  if (def.kind === 'static') return `static [${def.keys.join(', ')}]`;
  return `${def.kind} from ${def.start}${def.end ? ` to ${def.end}` : ''}`;
}
