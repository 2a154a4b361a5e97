// Count-Min Sketch (Cormode & Muthukrishnan): width ⌈e/ε⌉, depth ⌈ln(1/δ)⌉. Never underestimates;
// with probability ≥ 1−δ an estimate exceeds the true count by at most ε·N (N = total added).
// Conservative update (raise only the rows at the minimum) keeps the bound and lowers the overcount.
import { HASH, hashValue } from './hash.ts';

export class CountMinSketch {
  readonly width: number;
  readonly depth: number;
  readonly counts: Uint32Array;
  total = 0;

  constructor(width: number, depth: number, counts?: Uint32Array) {
    if (!(width >= 1 && depth >= 1)) throw new Error(`Count-Min Sketch needs width and depth of at least 1, got ${width}×${depth}.`);
    this.width = width;
    this.depth = depth;
    this.counts = counts ?? new Uint32Array(width * depth);
  }

  static forError(epsilon: number, delta: number): CountMinSketch {
    return new CountMinSketch(Math.ceil(Math.E / epsilon), Math.ceil(Math.log(1 / delta)));
  }

  /** ε this sketch guarantees (e / width). */
  get epsilon(): number {
    return Math.E / this.width;
  }

  add(value: unknown, n = 1): void {
    hashValue(value);
    const h1 = HASH[0];
    const h2 = HASH[1] | 1;
    const { width, depth, counts } = this;
    let least = Infinity;
    for (let i = 0; i < depth; i++) {
      const c = counts[i * width + (((h1 + Math.imul(i, h2)) >>> 0) % width)];
      if (c < least) least = c;
    }
    const target = least + n;
    for (let i = 0; i < depth; i++) {
      const at = i * width + (((h1 + Math.imul(i, h2)) >>> 0) % width);
      if (counts[at] < target) counts[at] = target;
    }
    this.total += n;
  }

  estimate(value: unknown): number {
    hashValue(value);
    const h1 = HASH[0];
    const h2 = HASH[1] | 1;
    let least = Infinity;
    for (let i = 0; i < this.depth; i++) {
      const c = this.counts[i * this.width + (((h1 + Math.imul(i, h2)) >>> 0) % this.width)];
      if (c < least) least = c;
    }
    return least;
  }

  /** Adds `other`'s counts (same width and depth). Conservative update's gain is lost across a merge, the bound is kept. */
  merge(other: CountMinSketch): void {
    if (other.width !== this.width || other.depth !== this.depth) {
      throw new Error(`Cannot merge a ${other.width}×${other.depth} Count-Min Sketch into ${this.width}×${this.depth}.`);
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.total += other.total;
  }

  clone(): CountMinSketch {
    const c = new CountMinSketch(this.width, this.depth, this.counts.slice());
    c.total = this.total;
    return c;
  }
}
