// Reads that concurrent requests share, yet never answered from reads begun before the request
// came: a client that saw a commit (or a backfill start) and then asks must see it.

/**
 * Wraps `compute` (given the previous result, to reuse what did not change) so that a call joins
 * the computation queued behind the running one, or queues one: at most one runs and one waits,
 * and every answer comes from reads that began after its call.
 */
export function freshRead<T>(compute: (previous: T | undefined) => Promise<T>): () => Promise<T> {
  let latest: { begun: boolean; value: Promise<T> } | undefined;
  return () => {
    if (latest && !latest.begun) return latest.value;
    const before = latest?.value.catch(() => undefined) ?? Promise.resolve(undefined);
    const entry = { begun: false, value: undefined as unknown as Promise<T> };
    entry.value = before.then((previous) => {
      entry.begun = true;
      return compute(previous);
    });
    latest = entry;
    return entry.value;
  };
}
