// Drops repeated event ids (retry storms). An id is remembered until the watermark passes its
// event time plus the horizon (window + watermark lag); a Map keeps insertion order, so expiry
// walks from the front and stops at the first id still wanted.

export class Deduplicator {
  private readonly seen = new Map<string, number>();
  duplicates = 0;

  constructor(readonly horizonMs: number) {}

  /** true the first time an id is offered within the horizon, false for a repeat */
  offer(id: string, time: number): boolean {
    if (this.seen.has(id)) {
      this.duplicates++;
      return false;
    }
    this.seen.set(id, time + this.horizonMs);
    return true;
  }

  /** Forgets ids whose horizon the watermark has passed. Ids arrive roughly in time order; a
   *  straggler with a far expiry at the front only delays the cleanup behind it. */
  expire(watermark: number): void {
    for (const [id, until] of this.seen) {
      if (until > watermark) break;
      this.seen.delete(id);
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
    for (const [id, until] of entries) this.seen.set(id, until);
  }
}
