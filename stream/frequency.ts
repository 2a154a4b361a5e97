// Per-key value frequencies: exact counts while the set is small, then a Count-Min Sketch plus a
// short list of heavy-hitter candidates (a CMS alone cannot list its values).
import { CountMinSketch } from './cms.ts';

const BYTES_PER_EXACT_ENTRY = 48;

export class FrequencySketch {
  readonly epsilon: number;
  readonly delta: number;
  readonly top: number;
  private exact: Map<string, number> | null = new Map();
  private cms: CountMinSketch | null = null;
  /** heavy-hitter candidates with their latest estimates, at most 2·top */
  private candidates = new Map<string, number>();
  total = 0;

  constructor(epsilon: number, delta: number, top: number) {
    this.epsilon = epsilon;
    this.delta = delta;
    this.top = top;
  }

  /** Distinct values kept exactly before switching: as many as fit in the sketch's bytes. */
  private get exactLimit(): number {
    const cells = Math.ceil(Math.E / this.epsilon) * Math.ceil(Math.log(1 / this.delta));
    return Math.max(16, Math.floor((cells * 4) / BYTES_PER_EXACT_ENTRY));
  }

  add(value: string, n = 1): void {
    this.total += n;
    if (this.exact) {
      this.exact.set(value, (this.exact.get(value) ?? 0) + n);
      if (this.exact.size > this.exactLimit) this.toSketch();
      return;
    }
    this.cms!.add(value, n);
    this.offer(value, this.cms!.estimate(value));
  }

  private offer(value: string, estimate: number): void {
    const c = this.candidates;
    if (c.has(value) || c.size < 2 * this.top) {
      c.set(value, estimate);
      return;
    }
    let leastValue = '';
    let least = Infinity;
    for (const [v, e] of c)
      if (e < least) {
        least = e;
        leastValue = v;
      }
    if (estimate > least) {
      c.delete(leastValue);
      c.set(value, estimate);
    }
  }

  private toSketch(): void {
    const cms = CountMinSketch.forError(this.epsilon, this.delta);
    const exact = this.exact!;
    for (const [v, n] of exact) cms.add(v, n);
    this.cms = cms;
    this.exact = null;
    const ranked = [...exact].sort((a, b) => b[1] - a[1]).slice(0, 2 * this.top);
    this.candidates = new Map(ranked.map(([v]) => [v, cms.estimate(v)]));
  }

  get isExact(): boolean {
    return this.exact !== null;
  }

  estimate(value: string): number {
    return this.exact ? (this.exact.get(value) ?? 0) : this.cms!.estimate(value);
  }

  /** The `top` most frequent values with their (estimated) counts, largest first. */
  topItems(): Array<[string, number]> {
    const source = this.exact ? [...this.exact] : [...this.candidates.keys()].map((v): [string, number] => [v, this.cms!.estimate(v)]);
    return source.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, this.top);
  }

  merge(other: FrequencySketch): void {
    if (this.exact && other.exact) {
      for (const [v, n] of other.exact) this.exact.set(v, (this.exact.get(v) ?? 0) + n);
      this.total += other.total;
      if (this.exact.size > this.exactLimit) this.toSketch();
      return;
    }
    if (this.exact) this.toSketch();
    const theirs = other.exact ? null : other.cms!;
    if (theirs) {
      this.cms!.merge(theirs);
    } else {
      for (const [v, n] of other.exact!) this.cms!.add(v, n);
    }
    this.total += other.total;
    const names = new Set([...this.candidates.keys(), ...(other.exact ? other.exact.keys() : other.candidates.keys())]);
    const ranked = [...names]
      .map((v): [string, number] => [v, this.cms!.estimate(v)])
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2 * this.top);
    this.candidates = new Map(ranked);
  }

  clone(): FrequencySketch {
    const f = new FrequencySketch(this.epsilon, this.delta, this.top);
    f.exact = this.exact ? new Map(this.exact) : null;
    f.cms = this.cms ? this.cms.clone() : null;
    f.candidates = new Map(this.candidates);
    f.total = this.total;
    return f;
  }

  /** Plain data for checkpoints. */
  toJSON(): {
    exact?: Array<[string, number]>;
    width?: number;
    depth?: number;
    counts?: number[];
    candidates?: Array<[string, number]>;
    total: number;
  } {
    if (this.exact) return { exact: [...this.exact], total: this.total };
    return {
      width: this.cms!.width,
      depth: this.cms!.depth,
      counts: Array.from(this.cms!.counts),
      candidates: [...this.candidates],
      total: this.total,
    };
  }

  static fromJSON(epsilon: number, delta: number, top: number, data: ReturnType<FrequencySketch['toJSON']>): FrequencySketch {
    const f = new FrequencySketch(epsilon, delta, top);
    f.total = data.total;
    if (data.exact) {
      f.exact = new Map(data.exact);
      return f;
    }
    f.exact = null;
    f.cms = new CountMinSketch(data.width!, data.depth!, Uint32Array.from(data.counts!));
    f.cms.total = data.total;
    f.candidates = new Map(data.candidates);
    return f;
  }
}
