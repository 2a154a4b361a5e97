// Aggregates compiled into a flat layout: each pane (one slide of one key, or one session) holds
// a Float64Array of numeric slots and, only when sketches are used, an array of sketch objects.
// Panes merge, so a sliding window is the merge of its panes and an event is added once,
// not once per overlapping window (the cause of Flink's sliding-window blow-up).
import type { AggregateSpec } from '../core/streaming.ts';
import { BinaryReader, BinaryWriter } from './codec.ts';
import type { ValueKind } from './event-fields.ts';
import { FrequencySketch } from './frequency.ts';
import { HyperLogLog } from './hll.ts';
import { SpaceSaving } from './space-saving.ts';

export interface Pane {
  start: number;
  nums: Float64Array;
  objs: Sketch[] | null;
  /** the value of each `last` aggregate, indexed by its object slot */
  lasts: unknown[] | null;
}

export type Sketch = HyperLogLog | FrequencySketch | SpaceSaving | null;

/** How one aggregate reads an event: numeric columns are Float64Array (NaN = null), others plain values. */
export interface AggregatePlan {
  name: string;
  spec: AggregateSpec;
  /** index into EventBatch.nums (sum/min/max/avg) or EventBatch.vals (last and sketches); -1 for count */
  column: number;
  numeric: boolean;
  slot: number;
  objSlot: number;
}

export interface CompiledAggregates {
  plans: AggregatePlan[];
  numSlots: number;
  objSlots: number;
  lastSlots: number;
  /** event fields read as numbers, in EventBatch.nums order */
  numericFields: string[];
  /** event fields read as values, in EventBatch.vals order */
  valueFields: string[];
  /** what each value field must hold: the strictest rule among the aggregates reading it */
  valueKinds: ValueKind[];
  /** the aggregates reading each numeric and each value field, for dead-letter reasons, e.g. "sum('amount')" */
  numericUses: string[];
  valueUses: string[];
  init: Float64Array;
}

export function compileAggregates(aggregates: Record<string, AggregateSpec>): CompiledAggregates {
  const numericFields: string[] = [];
  const valueFields: string[] = [];
  const plans: AggregatePlan[] = [];
  const init: number[] = [];
  let objSlots = 0;
  let lastSlots = 0;
  const valueKinds: ValueKind[] = [];
  const numericUses: string[][] = [];
  const valueUses: string[][] = [];
  const column = (list: string[], f: string) => (list.includes(f) ? list.indexOf(f) : list.push(f) - 1);
  for (const [name, spec] of Object.entries(aggregates)) {
    if (spec.kind !== 'count') {
      const use = `${spec.kind}('${spec.field}')`;
      if (spec.kind === 'sum' || spec.kind === 'avg' || spec.kind === 'min' || spec.kind === 'max') {
        (numericUses[column(numericFields, spec.field)] ??= []).push(use);
      } else {
        const at = column(valueFields, spec.field);
        (valueUses[at] ??= []).push(use);
        const kind: ValueKind = spec.kind !== 'last' ? 'scalar' : spec.type === 'string' ? 'any' : 'number';
        if (valueKinds[at] === undefined || STRICTNESS[kind] > STRICTNESS[valueKinds[at]]) valueKinds[at] = kind;
      }
    }
    const slot = init.length;
    switch (spec.kind) {
      case 'count':
        init.push(0);
        plans.push({ name, spec, column: -1, numeric: true, slot, objSlot: -1 });
        break;
      case 'sum':
      case 'avg':
        init.push(0, 0); // sum, non-null count
        plans.push({ name, spec, column: column(numericFields, spec.field), numeric: true, slot, objSlot: -1 });
        break;
      case 'min':
        init.push(Infinity, 0);
        plans.push({ name, spec, column: column(numericFields, spec.field), numeric: true, slot, objSlot: -1 });
        break;
      case 'max':
        init.push(-Infinity, 0);
        plans.push({ name, spec, column: column(numericFields, spec.field), numeric: true, slot, objSlot: -1 });
        break;
      case 'last':
        init.push(-Infinity); // event time of the value held
        plans.push({ name, spec, column: column(valueFields, spec.field), numeric: false, slot, objSlot: lastSlots++ });
        break;
      default:
        plans.push({ name, spec, column: column(valueFields, spec.field), numeric: false, slot: -1, objSlot: objSlots++ });
    }
  }
  return {
    plans,
    numSlots: init.length,
    objSlots,
    lastSlots,
    numericFields,
    valueFields,
    valueKinds,
    init: Float64Array.from(init),
    numericUses: numericUses.map((u) => u.join(', ')),
    valueUses: valueUses.map((u) => u.join(', ')),
  };
}

const STRICTNESS: Record<ValueKind, number> = { any: 0, scalar: 1, number: 2 };

export function newPane(c: CompiledAggregates, start: number): Pane {
  return {
    start,
    nums: c.init.slice(),
    objs: c.objSlots > 0 ? new Array<Sketch>(c.objSlots).fill(null) : null,
    lasts: c.lastSlots > 0 ? new Array<unknown>(c.lastSlots).fill(null) : null,
  };
}

function newSketch(spec: AggregateSpec): Sketch {
  switch (spec.kind) {
    case 'distinctCount':
      return new HyperLogLog(spec.precision);
    case 'frequency':
      return new FrequencySketch(spec.epsilon, spec.delta, spec.top);
    case 'topK':
      return SpaceSaving.forBytes(spec.maxBytes);
    default:
      return null;
  }
}

/** Adds event `i` of the batch to the pane. */
export function addEvent(c: CompiledAggregates, pane: Pane, nums: Float64Array[], vals: unknown[][], time: number, i: number): void {
  const p = pane.nums;
  for (const plan of c.plans) {
    const s = plan.slot;
    switch (plan.spec.kind) {
      case 'count':
        p[s] += 1;
        break;
      case 'sum':
      case 'avg': {
        const v = nums[plan.column][i];
        if (v === v) {
          p[s] += v;
          p[s + 1] += 1;
        }
        break;
      }
      case 'min': {
        const v = nums[plan.column][i];
        if (v === v) {
          if (v < p[s]) p[s] = v;
          p[s + 1] += 1;
        }
        break;
      }
      case 'max': {
        const v = nums[plan.column][i];
        if (v === v) {
          if (v > p[s]) p[s] = v;
          p[s + 1] += 1;
        }
        break;
      }
      case 'last': {
        const v = vals[plan.column][i];
        if (v !== null && v !== undefined && time >= p[s]) {
          p[s] = time;
          pane.lasts![plan.objSlot] = v;
        }
        break;
      }
      default: {
        const v = vals[plan.column][i];
        if (v === null || v === undefined) break;
        let sk = pane.objs![plan.objSlot];
        if (!sk) sk = pane.objs![plan.objSlot] = newSketch(plan.spec);
        if (sk instanceof HyperLogLog) sk.add(v);
        else sk!.add(typeof v === 'string' ? v : String(v));
      }
    }
  }
}

/**
 * Folds `src` into `dst` (both of this layout). Sketches in dst are replaced by copies before changing, so panes stay intact.
 * With `srcDisposable` a sketch dst lacks is moved rather than copied (src must not be used afterwards).
 */
export function mergePane(c: CompiledAggregates, dst: Pane, src: Pane, dstOwnsSketches: boolean, srcDisposable = false): void {
  const a = dst.nums;
  const b = src.nums;
  for (const plan of c.plans) {
    const s = plan.slot;
    switch (plan.spec.kind) {
      case 'count':
        a[s] += b[s];
        break;
      case 'sum':
      case 'avg':
        a[s] += b[s];
        a[s + 1] += b[s + 1];
        break;
      case 'min':
        if (b[s] < a[s]) a[s] = b[s];
        a[s + 1] += b[s + 1];
        break;
      case 'max':
        if (b[s] > a[s]) a[s] = b[s];
        a[s + 1] += b[s + 1];
        break;
      case 'last':
        if (b[s] >= a[s] && b[s] !== -Infinity) {
          a[s] = b[s];
          dst.lasts![plan.objSlot] = src.lasts![plan.objSlot];
        }
        break;
      default: {
        const theirs = src.objs![plan.objSlot];
        if (!theirs) break;
        const mine = dst.objs![plan.objSlot];
        if (!mine) dst.objs![plan.objSlot] = srcDisposable ? theirs : theirs.clone();
        else {
          const target = dstOwnsSketches ? mine : mine.clone();
          // the three sketch classes each merge only with their own kind
          (target as { merge(o: unknown): void }).merge(theirs);
          dst.objs![plan.objSlot] = target;
        }
      }
    }
  }
}

/** The sink value of each aggregate, in plan order. */
export function paneResults(c: CompiledAggregates, pane: Pane): unknown[] {
  const p = pane.nums;
  return c.plans.map((plan) => {
    const s = plan.slot;
    const spec = plan.spec;
    switch (spec.kind) {
      case 'count':
        return p[s];
      case 'sum':
        return p[s + 1] > 0 ? p[s] : null;
      case 'avg':
        return p[s + 1] > 0 ? p[s] / p[s + 1] : null;
      case 'min':
      case 'max':
        return p[s + 1] > 0 ? p[s] : null;
      case 'last': {
        const v = pane.lasts![plan.objSlot];
        if (v === null || v === undefined) return null;
        if (spec.type === 'string') return typeof v === 'string' ? v : JSON.stringify(v);
        const n = Number(v);
        return Number.isFinite(n) ? (spec.type === 'long' ? Math.trunc(n) : n) : null;
      }
      case 'distinctCount': {
        const h = pane.objs![plan.objSlot] as HyperLogLog | null;
        return h ? h.estimate() : 0;
      }
      case 'frequency': {
        const f = pane.objs![plan.objSlot] as FrequencySketch | null;
        return JSON.stringify(Object.fromEntries(f ? f.topItems() : []));
      }
      case 'topK': {
        const t = pane.objs![plan.objSlot] as SpaceSaving | null;
        return JSON.stringify(t ? t.top(spec.k).map((e) => [e.value, e.count]) : []);
      }
    }
  });
}

/** Approximate bytes a pane holds, for the state-size metric. */
export function paneBytes(pane: Pane): number {
  let bytes = 48 + pane.nums.byteLength;
  if (pane.objs) {
    for (const o of pane.objs) {
      if (o instanceof HyperLogLog) bytes += o.bytes;
      else if (o instanceof SpaceSaving) bytes += o.size * 64;
      else if (o instanceof FrequencySketch) bytes += JSON.stringify(o.toJSON()).length;
    }
  }
  return bytes;
}

export function writePane(c: CompiledAggregates, w: BinaryWriter, pane: Pane): void {
  w.f64(pane.start);
  for (let i = 0; i < c.numSlots; i++) w.f64(pane.nums[i]);
  if (pane.lasts) for (const v of pane.lasts) w.json(v ?? null);
  if (!pane.objs) return;
  for (const plan of c.plans) {
    if (plan.slot !== -1) continue;
    const o = pane.objs[plan.objSlot];
    if (!o) {
      w.u8(0);
    } else if (o instanceof HyperLogLog) {
      w.u8(1);
      w.bytes(o.toBytes());
    } else if (o instanceof FrequencySketch) {
      w.u8(2);
      w.json(o.toJSON());
    } else {
      w.u8(3);
      w.json({ entries: o.entries(), total: o.total });
    }
  }
}

export function readPane(c: CompiledAggregates, r: BinaryReader): Pane {
  const pane = newPane(c, r.f64());
  for (let i = 0; i < c.numSlots; i++) pane.nums[i] = r.f64();
  if (pane.lasts) for (let i = 0; i < pane.lasts.length; i++) pane.lasts[i] = r.json<unknown>();
  if (!pane.objs) return pane;
  for (const plan of c.plans) {
    if (plan.slot !== -1) continue;
    const tag = r.u8();
    const spec = plan.spec;
    if (tag === 1) pane.objs[plan.objSlot] = HyperLogLog.fromBytes(r.bytes());
    else if (tag === 2 && spec.kind === 'frequency')
      pane.objs[plan.objSlot] = FrequencySketch.fromJSON(spec.epsilon, spec.delta, spec.top, r.json());
    else if (tag === 3 && spec.kind === 'topK') {
      const d = r.json<{ entries: Array<{ value: string; count: number; error: number }>; total: number }>();
      pane.objs[plan.objSlot] = SpaceSaving.fromEntries(Math.max(1, Math.floor(spec.maxBytes / 64)), d.entries, d.total);
    } else if (tag !== 0)
      throw new Error(
        `Checkpoint pane holds sketch tag ${tag} where aggregate '${plan.name}' (${spec.kind}) expects another: the job's aggregates changed since the checkpoint.`,
      );
  }
  return pane;
}

/** One pane as bytes on its own (a partial window for a merge across shards). */
export function encodePane(c: CompiledAggregates, pane: Pane): Uint8Array {
  const w = new BinaryWriter(256);
  writePane(c, w, pane);
  return w.finish();
}

export function decodePane(c: CompiledAggregates, bytes: Uint8Array): Pane {
  return readPane(c, new BinaryReader(bytes));
}
