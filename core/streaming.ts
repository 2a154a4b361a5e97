// What a user writes to declare a streaming feature: a keyed, event-time windowed aggregation.
// Pure data plus validation; stream/ runs it. Durations are written as text ('5m') and kept as ms.
import { formatDuration, parseDuration } from './duration.ts';

// ---- windows -------------------------------------------------------------------------------

export type WindowSpec =
  { kind: 'tumbling'; sizeMs: number } | { kind: 'sliding'; sizeMs: number; slideMs: number } | { kind: 'session'; gapMs: number };

/** Fixed, non-overlapping windows of `size`, aligned to the epoch. */
export function tumbling(size: string): WindowSpec {
  const sizeMs = positiveDuration(size, 'tumbling(size)');
  return { kind: 'tumbling', sizeMs };
}

/** Windows of `size` starting every `slide` (Flink's HOP); `size` must be a multiple of `slide`. */
export function sliding(size: string, slide: string): WindowSpec {
  const sizeMs = positiveDuration(size, 'sliding(size, slide): size');
  const slideMs = positiveDuration(slide, 'sliding(size, slide): slide');
  if (slideMs > sizeMs) {
    throw new Error(
      `sliding('${size}', '${slide}'): the slide is longer than the window, so events between windows would be lost; use a slide no longer than the size, or tumbling('${size}').`,
    );
  }
  if (sizeMs % slideMs !== 0) {
    throw new Error(
      `sliding('${size}', '${slide}'): the size must be a whole multiple of the slide (windows are built from slide-long panes); e.g. sliding('${size}', '${slideSuggestion(sizeMs, slideMs)}').`,
    );
  }
  return { kind: 'sliding', sizeMs, slideMs };
}

/** Per-key windows that close after `gap` without events; overlapping sessions merge. */
export function session(gap: string): WindowSpec {
  return { kind: 'session', gapMs: positiveDuration(gap, 'session(gap)') };
}

// ---- aggregates ----------------------------------------------------------------------------

/** Column types an aggregate can produce in the sink table. */
export type OutputType = 'long' | 'double' | 'string';

export type AggregateSpec =
  | { kind: 'count' }
  | { kind: 'sum' | 'min' | 'max' | 'avg'; field: string }
  | { kind: 'last'; field: string; type: OutputType }
  | { kind: 'distinctCount'; field: string; precision: number }
  | { kind: 'frequency'; field: string; epsilon: number; delta: number; top: number }
  | { kind: 'topK'; field: string; k: number; maxBytes: number };

export const count = (): AggregateSpec => ({ kind: 'count' });
export const sum = (field: string): AggregateSpec => ({ kind: 'sum', field: fieldName(field, 'sum') });
export const min = (field: string): AggregateSpec => ({ kind: 'min', field: fieldName(field, 'min') });
export const max = (field: string): AggregateSpec => ({ kind: 'max', field: fieldName(field, 'max') });
export const avg = (field: string): AggregateSpec => ({ kind: 'avg', field: fieldName(field, 'avg') });

/** The value of `field` on the event with the newest event time in the window. */
export function last(field: string, opts: { type?: OutputType } = {}): AggregateSpec {
  const type = opts.type ?? 'string';
  if (!['long', 'double', 'string'].includes(type)) {
    throw new Error(`last('${field}', { type: '${type}' }): type must be 'long', 'double' or 'string'.`);
  }
  return { kind: 'last', field: fieldName(field, 'last'), type };
}

/** Distinct values of `field` by HyperLogLog: precision 12 (default) is 4 KB and ~1.6% standard error. */
export function distinctCount(field: string, opts: { precision?: number } = {}): AggregateSpec {
  const precision = opts.precision ?? 12;
  if (!Number.isInteger(precision) || precision < 4 || precision > 16) {
    throw new Error(
      `distinctCount('${field}', { precision: ${precision} }): precision must be a whole number from 4 to 16 (12 gives 4 KB per key and ~1.6% error).`,
    );
  }
  return { kind: 'distinctCount', field: fieldName(field, 'distinctCount'), precision };
}

/** Counts of `field`'s values by Count-Min Sketch (error ≤ epsilon·N with probability 1 − delta); the sink gets the `top` most frequent as JSON. */
export function frequency(field: string, opts: { epsilon?: number; delta?: number; top?: number } = {}): AggregateSpec {
  const epsilon = opts.epsilon ?? 0.01;
  const delta = opts.delta ?? 0.01;
  const top = opts.top ?? 10;
  for (const [name, v] of [
    ['epsilon', epsilon],
    ['delta', delta],
  ] as const) {
    if (!(v > 0 && v < 1))
      throw new Error(`frequency('${field}', { ${name}: ${v} }): ${name} must be between 0 and 1 exclusive, e.g. 0.01.`);
  }
  if (!Number.isInteger(top) || top < 1 || top > 1000) {
    throw new Error(`frequency('${field}', { top: ${top} }): top must be a whole number from 1 to 1000.`);
  }
  return { kind: 'frequency', field: fieldName(field, 'frequency'), epsilon, delta, top };
}

/** The k most frequent values of `field` by Space-Saving, within `maxBytes` of state per key and window. */
export function topK(field: string, k: number, opts: { maxBytes?: number } = {}): AggregateSpec {
  if (!Number.isInteger(k) || k < 1 || k > 1000) {
    throw new Error(`topK('${field}', ${k}): k must be a whole number from 1 to 1000.`);
  }
  const maxBytes = opts.maxBytes ?? 4096;
  // Space-Saving needs more counters than k to rank the k reliably; 64 B per counter is the runtime's budget.
  if (!Number.isInteger(maxBytes) || maxBytes < k * 64) {
    throw new Error(
      `topK('${field}', ${k}, { maxBytes: ${maxBytes} }): at least ${k * 64} bytes are needed to keep ${k} counters (64 B each); raise maxBytes or lower k.`,
    );
  }
  return { kind: 'topK', field: fieldName(field, 'topK'), k, maxBytes };
}

/** The sink column type each aggregate produces. */
export function aggregateOutputType(spec: AggregateSpec): OutputType {
  switch (spec.kind) {
    case 'count':
    case 'distinctCount':
      return 'long';
    case 'sum':
    case 'min':
    case 'max':
    case 'avg':
      return 'double';
    case 'last':
      return spec.type;
    case 'frequency':
    case 'topK':
      return 'string';
  }
}

// ---- the asset -----------------------------------------------------------------------------

/** A stream the job reads: a name (Kafka topic, file, generator) or an object carrying one. */
export type StreamSourceRef = string | { name: string };

export interface StreamingAssetInput {
  /** the asset and its sink table: lowercase letters, digits and underscores */
  name: string;
  description?: string;
  source: StreamSourceRef;
  /** entity field(s) the state is keyed by */
  key: string | string[];
  /** field holding the event time: epoch milliseconds or an ISO-8601 string */
  eventTime: string;
  window: WindowSpec;
  aggregates: Record<string, AggregateSpec>;
  /**
   * - `maxOutOfOrderness`: how far behind the newest event time an event may arrive and still be
   *   on time (default '0s').
   * - `idleTimeout`: a partition silent this long stops holding the watermark back (default: never).
   * - `maxFutureSkew`: how far ahead of the worker's clock an event time may be (default '5m').
   *   An event beyond it goes to `dead_letters` (reason 'future-skew') and never reaches the state
   *   or the watermark; events within it are kept, but the watermark never passes the worker's
   *   clock, so no window closes before its end has happened.
   */
  watermark?: { maxOutOfOrderness?: string; idleTimeout?: string; maxFutureSkew?: string };
  /** how long after a window closed a late event still updates it (re-fired); default '0s' */
  allowedLateness?: string;
  /** how long an idle key's state is kept; default the window horizon plus the watermark lag */
  ttl?: string;
  /** event id field: a repeated id within the dedup horizon is dropped */
  dedupBy?: string;
  /** keep only events for which this returns true (other events are skipped, not dead-lettered) */
  filter?: (event: Record<string, unknown>) => boolean;
  /**
   * Hot keys (both default false):
   * - `preAggregate` folds a batch's events for one (key, pane) into a local partial and updates
   *   the keyed state once per run of such events (sliding and tumbling windows; same rows).
   * - `salted` lets a key's events arrive on any source partition, so a producer can spread a hot
   *   key over partitions (salt its message key) and so over shards. Each shard then writes
   *   partial windows, and a merge step combines the shards' partials per key and window into
   *   the sink once every shard's watermark has passed the window's end plus the allowed
   *   lateness (one row per window, revision 0). Sliding and tumbling windows only.
   */
  hotKeys?: { preAggregate?: boolean; salted?: boolean };
}

export interface StreamingAsset {
  kind: 'streaming';
  name: string;
  description?: string;
  source: string;
  key: string[];
  eventTime: string;
  window: WindowSpec;
  aggregates: Record<string, AggregateSpec>;
  maxOutOfOrdernessMs: number;
  /** undefined: partitions are never treated as idle */
  idleTimeoutMs: number | undefined;
  /** event times further ahead of processing time are dead letters */
  maxFutureSkewMs: number;
  allowedLatenessMs: number;
  ttlMs: number;
  /** dedup ids are kept this long in event time: the window horizon plus the watermark lag */
  dedupHorizonMs: number;
  dedupBy: string | undefined;
  filter: ((event: Record<string, unknown>) => boolean) | undefined;
  hotKeys: { preAggregate: boolean; salted: boolean };
}

/** Producers' clocks drift by seconds; an event minutes ahead of the worker's clock is a wrong time, not skew. */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * 60_000;

const WATERMARK_OPTIONS = ['maxOutOfOrderness', 'idleTimeout', 'maxFutureSkew'];
const NAME = /^[a-z][a-z0-9_]*$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_.]*$/;
/** Columns the sink table always has; aggregates and keys may not reuse them. */
export const RESERVED_COLUMNS = ['window_start', 'window_end', 'revision', 'emitted_at'] as const;

/** Declares a streaming feature. Throws an Error naming the asset, the field and the fix. */
export function streamingAsset(input: StreamingAssetInput): StreamingAsset {
  const where = `streamingAsset('${input?.name}')`;
  if (typeof input !== 'object' || input === null)
    throw new Error('streamingAsset({...}): pass an object with name, source, key, eventTime, window and aggregates.');
  if (typeof input.name !== 'string' || !NAME.test(input.name)) {
    throw new Error(
      `${where}: name must start with a lowercase letter and hold only lowercase letters, digits and '_' (it names the Delta table), e.g. 'purchases_last_5m'.`,
    );
  }
  const source = typeof input.source === 'string' ? input.source : input.source?.name;
  if (typeof source !== 'string' || source.length === 0) {
    throw new Error(`${where}: source is missing; name the stream to read, e.g. source: 'transactions'.`);
  }
  const key = typeof input.key === 'string' ? [input.key] : input.key;
  if (!Array.isArray(key) || key.length === 0) {
    throw new Error(`${where}: key is missing; name the entity field the state is keyed by, e.g. key: 'user_id'.`);
  }
  for (const k of key) checkField(where, 'key', k);
  if (new Set(key).size !== key.length) throw new Error(`${where}: key lists a field twice (${key.join(', ')}); list each field once.`);
  checkField(where, 'eventTime', input.eventTime);
  const window = checkWindow(where, input.window);

  if (typeof input.aggregates !== 'object' || input.aggregates === null || Object.keys(input.aggregates).length === 0) {
    throw new Error(`${where}: aggregates is empty; add at least one, e.g. aggregates: { purchases: count() }.`);
  }
  const aggregates: Record<string, AggregateSpec> = {};
  for (const [column, spec] of Object.entries(input.aggregates)) {
    if (!NAME.test(column)) {
      throw new Error(
        `${where}: aggregate name '${column}' must be lowercase letters, digits and '_' (it becomes a column), e.g. 'purchases'.`,
      );
    }
    if ((RESERVED_COLUMNS as readonly string[]).includes(column) || key.includes(column)) {
      throw new Error(
        `${where}: aggregate name '${column}' clashes with a key or a column the sink always has (${RESERVED_COLUMNS.join(', ')}); rename it.`,
      );
    }
    if (typeof spec !== 'object' || spec === null || typeof (spec as { kind?: unknown }).kind !== 'string') {
      throw new Error(
        `${where}: aggregates.${column} is not an aggregate; build it with count(), sum('field'), min, max, avg, last, distinctCount, frequency or topK.`,
      );
    }
    aggregates[column] = spec;
  }

  if (input.watermark !== undefined && (typeof input.watermark !== 'object' || input.watermark === null)) {
    throw new Error(`${where}: watermark must be an object, e.g. watermark: { maxOutOfOrderness: '30s' }.`);
  }
  for (const k of Object.keys(input.watermark ?? {})) {
    if (!WATERMARK_OPTIONS.includes(k)) throw new Error(`${where}: watermark.${k} is not an option; use ${WATERMARK_OPTIONS.join(', ')}.`);
  }
  const maxOutOfOrdernessMs = optionalDuration(where, 'watermark.maxOutOfOrderness', input.watermark?.maxOutOfOrderness) ?? 0;
  const idleTimeoutMs = optionalDuration(where, 'watermark.idleTimeout', input.watermark?.idleTimeout);
  if (idleTimeoutMs === 0)
    throw new Error(`${where}: watermark.idleTimeout must be longer than 0; leave it out to never treat a partition as idle.`);
  const maxFutureSkewMs = optionalDuration(where, 'watermark.maxFutureSkew', input.watermark?.maxFutureSkew) ?? DEFAULT_MAX_FUTURE_SKEW_MS;
  const allowedLatenessMs = optionalDuration(where, 'allowedLateness', input.allowedLateness) ?? 0;
  const horizonMs = windowHorizonMs(window);
  const lagMs = maxOutOfOrdernessMs + allowedLatenessMs;
  const defaultTtl = horizonMs + lagMs;
  const ttlMs = optionalDuration(where, 'ttl', input.ttl) ?? defaultTtl;
  if (ttlMs < horizonMs) {
    throw new Error(
      `${where}: ttl '${input.ttl}' is shorter than the window (${horizonMs} ms), so keys would lose state inside an open window; use at least the window size plus the watermark lag (${defaultTtl} ms) or leave ttl out.`,
    );
  }
  if (input.dedupBy !== undefined) checkField(where, 'dedupBy', input.dedupBy);
  if (input.filter !== undefined && typeof input.filter !== 'function') {
    throw new Error(`${where}: filter must be a function (event) => boolean.`);
  }
  return {
    kind: 'streaming',
    name: input.name,
    description: input.description,
    source,
    key,
    eventTime: input.eventTime,
    window,
    aggregates,
    maxOutOfOrdernessMs,
    idleTimeoutMs,
    maxFutureSkewMs,
    allowedLatenessMs,
    ttlMs,
    dedupHorizonMs: horizonMs + lagMs,
    dedupBy: input.dedupBy,
    filter: input.filter,
    hotKeys: checkHotKeys(where, input.hotKeys, window),
  };
}

/** How far back in event time a window reaches: its size, or the gap for sessions. */
export function windowHorizonMs(window: WindowSpec): number {
  return window.kind === 'session' ? window.gapMs : window.sizeMs;
}

// ---- helpers -------------------------------------------------------------------------------

function checkHotKeys(where: string, hot: StreamingAssetInput['hotKeys'], window: WindowSpec): StreamingAsset['hotKeys'] {
  if (hot === undefined) return { preAggregate: false, salted: false };
  if (typeof hot !== 'object' || hot === null)
    throw new Error(`${where}: hotKeys must be an object, e.g. hotKeys: { preAggregate: true }.`);
  for (const k of Object.keys(hot)) {
    if (k !== 'preAggregate' && k !== 'salted')
      throw new Error(`${where}: hotKeys.${k} is not an option; use hotKeys: { preAggregate: true } and/or { salted: true }.`);
  }
  for (const k of ['preAggregate', 'salted'] as const) {
    if (hot[k] !== undefined && typeof hot[k] !== 'boolean') throw new Error(`${where}: hotKeys.${k} must be true or false.`);
  }
  if (hot.salted && window.kind === 'session') {
    // a session's extent depends on every event of its key, so shards' partial sessions do not line up
    throw new Error(
      `${where}: hotKeys.salted needs sliding or tumbling windows; a session window cannot be merged from shards' partial sessions. Remove salted, or key the source by entity.`,
    );
  }
  return { preAggregate: hot.preAggregate ?? false, salted: hot.salted ?? false };
}

function positiveDuration(text: string, what: string): number {
  const ms = parseDuration(text);
  if (ms <= 0) throw new Error(`${what}: '${text}' must be longer than 0, e.g. '1m'.`);
  return ms;
}

function optionalDuration(where: string, field: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch (e) {
    throw new Error(`${where}: ${field}: ${(e as Error).message}`, { cause: e });
  }
}

function fieldName(field: string, fn: string): string {
  if (typeof field !== 'string' || !FIELD.test(field)) {
    throw new Error(`${fn}(${JSON.stringify(field)}): name the event field to aggregate, e.g. ${fn}('amount').`);
  }
  return field;
}

function checkField(where: string, what: string, field: unknown): void {
  if (typeof field !== 'string' || !FIELD.test(field)) {
    throw new Error(`${where}: ${what} must name an event field (letters, digits, '_' and '.' for nesting), got ${JSON.stringify(field)}.`);
  }
}

function checkWindow(where: string, window: unknown): WindowSpec {
  const w = window as WindowSpec | undefined;
  if (!w || typeof w !== 'object' || !['tumbling', 'sliding', 'session'].includes(w.kind)) {
    throw new Error(`${where}: window is missing or unknown; use sliding('5m', '1m'), tumbling('1m') or session('30s').`);
  }
  return w;
}

function slideSuggestion(sizeMs: number, slideMs: number): string {
  // the largest divisor of the size that is not longer than the requested slide
  for (let s = slideMs; s >= 1; s--) if (sizeMs % s === 0) return formatDuration(s);
  return '1ms';
}
