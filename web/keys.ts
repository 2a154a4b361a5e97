// Every partition key that exists now, fast: core's allKeys formats each time key through a
// Date (about 0.4 s for 100,000 hourly keys on a busy machine); the page asks every 2 s.
// Keys are stepped by calendar arithmetic instead, and the first and last checked against core.
import { checkListable, countKeys, keyStart, keyWindow, lastCompleteKey, type Partitions } from '../core/index.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate(); // m is 1-based

export function partitionKeys(def: Partitions | undefined, now = Date.now()): string[] {
  if (!def) return [''];
  if (def.kind === 'static') return [...def.keys];
  const last = lastCompleteKey(def, now);
  if (last === undefined) return [];
  // Counted first: a start in 1900 must be refused, not stepped through for a minute.
  const count = countKeys(def, now);
  checkListable(def, count, def.start, last);
  const hourly = def.kind === 'hourly';
  let [y, m, d, h] = def.start.split('-').map(Number);
  h = hourly ? h : 0;
  const hours = Array.from({ length: 24 }, (_, i) => `-${pad(i)}`);
  const keys: string[] = [];
  let day = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
  for (;;) {
    const key = hourly ? day + hours[h] : day;
    keys.push(key);
    if (key === last) break;
    if (hourly && ++h < 24) continue;
    h = 0;
    if (++d > daysIn(y, m)) {
      d = 1;
      if (++m > 12) {
        m = 1;
        y++;
      }
    }
    day = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
    if (keys.length > count) throw new Error(`partition keys of ${def.start}..${last} run away: this is a bug in web/keys.ts`);
  }
  return keys;
}

const cache = new WeakMap<Partitions, { last: string | undefined; keys: string[] }>();

/** The same, cached until a new window completes. Its ends and count are checked against core's
 * arithmetic (keys.test.ts compares whole ranges): a bug here must not show wrong keys. */
export function checkedPartitionKeys(def: Partitions | undefined, now = Date.now()): string[] {
  if (!def || def.kind === 'static') return partitionKeys(def, now);
  const last = lastCompleteKey(def, now);
  const hit = cache.get(def);
  if (hit && hit.last === last) return hit.keys;
  const keys = partitionKeys(def, now);
  const count =
    last === undefined
      ? 0
      : (keyStart(def, last) - keyStart(def, def.start)) / (keyWindow(def, def.start).end - keyStart(def, def.start)) + 1;
  if (keys.length !== count || (count > 0 && (keys[0] !== def.start || keys[count - 1] !== last))) {
    throw new Error(
      `web/keys.ts made ${keys.length} keys ${keys[0]}..${keys[keys.length - 1]} where core has ${count} keys ${def.start}..${last}: a bug in web/keys.ts.`,
    );
  }
  cache.set(def, { last, keys });
  return keys;
}
