// Integer arrays as arithmetic runs, for the plan arrays that cross Temporal in one payload.
// The upstream range of key k is mostly k itself, k shifted, or a window ending at k, so the
// ranges of a 10,000-key daily chain are a handful of runs instead of 20,000 numbers.

/** Flat triples: first value, step, count. */
export type IntRuns = number[];

export function toRuns(xs: ArrayLike<number>): IntRuns {
  const out: IntRuns = [];
  for (let i = 0; i < xs.length;) {
    const step = i + 1 < xs.length ? xs[i + 1] - xs[i] : 0;
    let n = 1;
    while (i + n < xs.length && xs[i + n] - xs[i + n - 1] === step) n++;
    out.push(xs[i], step, n);
    i += n;
  }
  return out;
}

/** The array `runs` encodes; throws when it is not `length` long, as a plan that lost or gained keys would be. */
export function fromRuns(runs: IntRuns, length: number): Int32Array {
  const out = new Int32Array(length);
  let i = 0;
  let r = 0;
  for (; r + 2 < runs.length; r += 3) {
    const [first, step, count] = [runs[r], runs[r + 1], runs[r + 2]];
    if (!Number.isInteger(count) || count < 1 || i + count > length) break;
    for (let j = 0; j < count; j++) out[i++] = first + step * j;
  }
  if (i !== length || r !== runs.length) throw new Error(`index runs [${runs.slice(0, 9).join(',')}…] do not encode ${length} values`);
  return out;
}
