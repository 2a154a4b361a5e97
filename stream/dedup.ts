// Drops repeated event ids (retry storms). An id is remembered until the watermark passes its
// event time plus the horizon (window + watermark lag). Expiry walks a FIFO of ids in arrival
// order (roughly time order) and stops at the first id still wanted: a JS Map cannot be used
// for that walk, as deleted entries stay in front of its iterator until the table rehashes.

export class Deduplicator {
  private readonly seen = new Map<string, number>();
  private queueIds: string[] = [];
  private queueUntil: number[] = [];
  private head = 0;
  duplicates = 0;

  constructor(readonly horizonMs: number) {}

  /** true the first time an id is offered within the horizon, false for a repeat */
  offer(id: string, time: number): boolean {
    if (this.seen.has(id)) {
      this.duplicates++;
      return false;
    }
    const until = time + this.horizonMs;
    this.seen.set(id, until);
    this.queueIds.push(id);
    this.queueUntil.push(until);
    return true;
  }

  /** Forgets ids whose horizon the watermark has passed. A straggler with a far expiry at the
   *  front only delays the cleanup behind it. */
  expire(watermark: number): void {
    const ids = this.queueIds;
    const until = this.queueUntil;
    let h = this.head;
    while (h < ids.length && until[h] <= watermark) {
      // a repeat offered after expiry re-enters with a later horizon: only drop the matching entry
      if (this.seen.get(ids[h]) === until[h]) this.seen.delete(ids[h]);
      h++;
    }
    this.head = h;
    if (h > 4096 && h * 2 > ids.length) {
      this.queueIds = ids.slice(h);
      this.queueUntil = until.slice(h);
      this.head = 0;
    }
  }

  get size(): number {
    return this.seen.size;
  }

  entries(): IterableIterator<[string, number]> {
    return this.seen.entries();
  }

  restore(entries: Iterable<[string, number]>): void {
    this.seen.clear();
    const sorted = [...entries].sort((a, b) => a[1] - b[1]);
    this.queueIds = sorted.map(([id]) => id);
    this.queueUntil = sorted.map(([, u]) => u);
    this.head = 0;
    for (const [id, until] of sorted) this.seen.set(id, until);
  }
}
