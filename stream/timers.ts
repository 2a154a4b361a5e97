// Event-time timers keyed by watermark value: a key registers "wake me when the watermark
// reaches t". Many keys share a time (window ends are aligned), so times live in a binary heap
// and each time holds the list of keys waiting on it.

export class TimerIndex<K> {
  private readonly byTime = new Map<number, K[]>();
  private readonly heap: number[] = [];

  /** the earliest pending time, Infinity when none (a field, read once per event) */
  nextTime = Infinity;

  get size(): number {
    return this.byTime.size;
  }

  add(time: number, key: K): void {
    const list = this.byTime.get(time);
    if (list) {
      list.push(key);
      return;
    }
    this.byTime.set(time, [key]);
    const h = this.heap;
    let i = h.push(time) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent] <= time) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = time;
    this.nextTime = h[0];
  }

  /** Removes and returns the earliest time's keys if that time is ≤ `upTo`. */
  popDue(upTo: number): { time: number; keys: K[] } | undefined {
    const h = this.heap;
    if (h.length === 0 || h[0] > upTo) return undefined;
    const time = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r] < h[l] ? r : l;
        if (h[c] >= last) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    this.nextTime = h.length > 0 ? h[0] : Infinity;
    const keys = this.byTime.get(time)!;
    this.byTime.delete(time);
    return { time, keys };
  }

  clear(): void {
    this.byTime.clear();
    this.heap.length = 0;
    this.nextTime = Infinity;
  }
}
