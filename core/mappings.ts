// Partition mappings: which upstream partitions one downstream partition reads.
import { keyStart, keyWindow, keysOverlapping, PartitionKeyError, type Partitions, type TimePartitions } from './partitions.ts';

export type PartitionMapping =
  /** same key, or for time partitions the upstream windows that overlap the downstream window */
  | { kind: 'identity' }
  /** the downstream window widened by whole downstream steps: offsets (-29, 0) = the last 30 partitions */
  | { kind: 'timeWindow'; startOffset: number; endOffset: number }
  /** every upstream partition */
  | { kind: 'all' };

export const identity = (): PartitionMapping => ({ kind: 'identity' });
export const allPartitions = (): PartitionMapping => ({ kind: 'all' });

/** The last `n` partitions up to and including the downstream one (30-day rolling features). */
export function lookback(n: number): PartitionMapping {
  if (!Number.isInteger(n) || n < 1) throw new PartitionKeyError(`lookback(${n}) needs a whole number of partitions, at least 1.`);
  return { kind: 'timeWindow', startOffset: -(n - 1), endOffset: 0 };
}

export function timeWindow(startOffset: number, endOffset: number): PartitionMapping {
  if (!Number.isInteger(startOffset) || !Number.isInteger(endOffset) || endOffset < startOffset) {
    throw new PartitionKeyError(`timeWindow(${startOffset}, ${endOffset}) needs whole offsets with start <= end.`);
  }
  return { kind: 'timeWindow', startOffset, endOffset };
}

/** Why this mapping cannot connect these two partition definitions, or undefined when it can. */
export function mappingProblem(down: Partitions | undefined, up: Partitions | undefined, mapping: PartitionMapping): string | undefined {
  if (mapping.kind === 'all' || !up) return undefined;
  if (!down)
    return `an unpartitioned asset cannot read one partition of a partitioned upstream with '${mapping.kind}'; use allPartitions()`;
  if (mapping.kind === 'timeWindow' && (down.kind === 'static' || up.kind === 'static')) {
    return `a time-window mapping needs time partitions on both sides, found ${down.kind} → ${up.kind}`;
  }
  if (mapping.kind === 'identity' && (down.kind === 'static') !== (up.kind === 'static')) {
    return `identity cannot map ${down.kind} partitions onto ${up.kind} partitions; use allPartitions() or a matching partition definition`;
  }
  if (mapping.kind === 'identity' && down.kind === 'static' && up.kind === 'static') {
    const missing = down.keys.filter((k) => !up.keys.includes(k));
    if (missing.length) return `identity needs every downstream key upstream, missing: ${missing.join(', ')}`;
  }
  return undefined;
}

/** Upstream keys that downstream partition `key` reads; 'all' for the whole upstream table. */
export function upstreamKeys(
  down: Partitions | undefined,
  up: Partitions | undefined,
  mapping: PartitionMapping,
  key: string | undefined,
): string[] | 'all' {
  if (!up || mapping.kind === 'all' || !down || key === undefined) return 'all';
  if (down.kind === 'static' || up.kind === 'static') return [key];
  const { start, end } = widen(down, key, mapping);
  return keysOverlapping(up as TimePartitions, start, end);
}

/** The [start, end) time (ms) a time partition `key` reads through a time-to-time mapping (its window, widened by timeWindow offsets). */
export function upstreamWindow(down: TimePartitions, key: string, mapping: PartitionMapping): { start: number; end: number } {
  return widen(down, key, mapping);
}

function widen(down: TimePartitions, key: string, mapping: PartitionMapping): { start: number; end: number } {
  const { start, end } = keyWindow(down, key);
  if (mapping.kind !== 'timeWindow') return { start, end };
  const step = end - start;
  return { start: start + mapping.startOffset * step, end: end + mapping.endOffset * step };
}

/** Downstream keys (among `candidates`) that read upstream partition `upKey`: the inverse, for staleness. */
export function downstreamKeys(
  down: Partitions | undefined,
  up: Partitions | undefined,
  mapping: PartitionMapping,
  upKey: string,
  candidates: string[],
): string[] {
  if (!down) return [];
  if (!up || mapping.kind === 'all') return candidates;
  if (down.kind === 'static' || up.kind === 'static') return candidates.filter((k) => k === upKey);
  const upStart = keyStart(up as TimePartitions, upKey);
  const upEnd = keyWindow(up as TimePartitions, upKey).end;
  return candidates.filter((k) => {
    const w = widen(down, k, mapping);
    return w.start < upEnd && upStart < w.end;
  });
}

export function describeMapping(mapping: PartitionMapping): string {
  if (mapping.kind === 'timeWindow') {
    return mapping.endOffset === 0 ? `last ${1 - mapping.startOffset}` : `window ${mapping.startOffset}..${mapping.endOffset}`;
  }
  return mapping.kind;
}
