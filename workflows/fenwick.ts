// A Fenwick (binary indexed) tree over 0/1 flags or counts: add at an index, sum a range, and
// find the next set index, each in O(log n). The backfill's readiness keeps one per asset.

export interface Fenwick {
  add(i: number, delta: number): void;
  /** sum over [lo, hi] */
  range(lo: number, hi: number): number;
  /** the first index >= from whose value is positive, or -1 (values must be non-negative) */
  firstFrom(from: number): number;
}

export function fenwick(values: ArrayLike<number>): Fenwick {
  const n = values.length;
  const t = new Float64Array(n + 1);
  // linear build: each node passes its sum to its parent
  for (let i = 1; i <= n; i++) {
    t[i] += values[i - 1];
    const parent = i + (i & -i);
    if (parent <= n) t[parent] += t[i];
  }
  /** sum over [0, i) */
  const prefix = (i: number) => {
    let s = 0;
    for (; i > 0; i -= i & -i) s += t[i];
    return s;
  };
  let top = 1;
  while (top * 2 <= n) top *= 2;
  return {
    add(i, delta) {
      for (i++; i <= n; i += i & -i) t[i] += delta;
    },
    range: (lo, hi) => (hi < lo ? 0 : prefix(hi + 1) - prefix(lo)),
    firstFrom(from) {
      if (from >= n) return -1;
      // the smallest index whose prefix sum through it exceeds the sum before `from`
      let want = prefix(Math.max(0, from)) + 1;
      if (prefix(n) < want) return -1;
      let pos = 0;
      for (let step = top; step > 0; step >>= 1) {
        if (pos + step <= n && t[pos + step] < want) {
          pos += step;
          want -= t[pos];
        }
      }
      return pos; // 0-based: node pos + 1
    },
  };
}
