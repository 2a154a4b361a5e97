// Space-Saving top-k (Metwally et al.) with a fixed number of counters: each value's count is
// over-estimated by at most its `error`, and any value seen more than N/capacity times is kept.
// Merging follows Agarwal et al.'s mergeable summaries: a value missing from a full summary
// is credited with that summary's smallest count, then the largest `capacity` survive.

export interface TopEntry {
  value: string;
  count: number;
  /** the count may exceed the truth by at most this */
  error: number;
}

/** State bytes the runtime budgets per counter (value string, two doubles, map entry). */
export const BYTES_PER_COUNTER = 64;

export class SpaceSaving {
  readonly capacity: number;
  private readonly slots = new Map<string, number>();
  private readonly values: string[] = [];
  private readonly counts: Float64Array;
  private readonly errors: Float64Array;
  total = 0;

  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new Error(`Space-Saving needs at least one counter, got ${capacity}.`);
    this.capacity = capacity;
    this.counts = new Float64Array(capacity);
    this.errors = new Float64Array(capacity);
  }

  static forBytes(maxBytes: number): SpaceSaving {
    return new SpaceSaving(Math.max(1, Math.floor(maxBytes / BYTES_PER_COUNTER)));
  }

  get size(): number {
    return this.values.length;
  }

  add(value: string, n = 1): void {
    this.total += n;
    const slot = this.slots.get(value);
    if (slot !== undefined) {
      this.counts[slot] += n;
      return;
    }
    if (this.values.length < this.capacity) {
      const s = this.values.length;
      this.values.push(value);
      this.slots.set(value, s);
      this.counts[s] = n;
      this.errors[s] = 0;
      return;
    }
    // replace the smallest counter; capacities are small (tens), so a scan beats a heap
    let least = 0;
    for (let i = 1; i < this.capacity; i++) if (this.counts[i] < this.counts[least]) least = i;
    this.slots.delete(this.values[least]);
    this.values[least] = value;
    this.slots.set(value, least);
    this.errors[least] = this.counts[least];
    this.counts[least] += n;
  }

  private minCount(): number {
    if (this.values.length < this.capacity) return 0;
    let m = Infinity;
    for (let i = 0; i < this.capacity; i++) if (this.counts[i] < m) m = this.counts[i];
    return m;
  }

  entries(): TopEntry[] {
    return this.values.map((value, i) => ({ value, count: this.counts[i], error: this.errors[i] }));
  }

  /** The k largest counts, largest first (ties by value, for stable output). */
  top(k: number): TopEntry[] {
    return this.entries()
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, k);
  }

  merge(other: SpaceSaving): void {
    const minA = this.minCount();
    const minB = other.minCount();
    const merged = new Map<string, TopEntry>();
    for (const e of this.entries()) merged.set(e.value, { ...e });
    for (const e of other.entries()) {
      const m = merged.get(e.value);
      if (m) {
        m.count += e.count;
        m.error += e.error;
      } else merged.set(e.value, { value: e.value, count: e.count + minA, error: e.error + minA });
    }
    const inOther = new Set(other.values);
    for (const e of this.entries()) {
      if (!inOther.has(e.value)) {
        const m = merged.get(e.value)!;
        m.count += minB;
        m.error += minB;
      }
    }
    const keep = [...merged.values()].sort((a, b) => b.count - a.count).slice(0, this.capacity);
    const total = this.total + other.total;
    this.reset(keep);
    this.total = total;
  }

  private reset(entries: TopEntry[]): void {
    this.slots.clear();
    this.values.length = 0;
    entries.forEach((e, i) => {
      this.values.push(e.value);
      this.slots.set(e.value, i);
      this.counts[i] = e.count;
      this.errors[i] = e.error;
    });
  }

  clone(): SpaceSaving {
    const s = new SpaceSaving(this.capacity);
    s.reset(this.entries());
    s.total = this.total;
    return s;
  }

  static fromEntries(capacity: number, entries: TopEntry[], total: number): SpaceSaving {
    const s = new SpaceSaving(capacity);
    s.reset(entries.slice(0, capacity));
    s.total = total;
    return s;
  }
}
