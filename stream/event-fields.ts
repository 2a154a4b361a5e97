// What the decoder accepts in each kind of event field, and the reason it gives for a value it
// refuses. A value let through that the runtime cannot represent either stops the job later
// (an event time past the Date range throws on the window bound, forever, since a restore re-reads
// the same event) or silently merges unrelated entities ({} keyed as "[object Object]", [1] as
// user "1"); so each rule names exactly what passes, and everything else is a dead letter.

/** The first and last instant an event time may name: 1970-01-01T00:00:00.000Z and
 *  9999-12-31T23:59:59.999Z, the years ISO-8601 and the sink's timestamps spell with four digits. */
export const MIN_EVENT_TIME = 0;
export const MAX_EVENT_TIME = 253_402_300_799_999;

const DIGITS = /^\d{1,15}$/;
/** RFC 3339 date-time (ISO-8601 profile): the zone is required, so the worker's time zone never decides the instant. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * An event time as epoch milliseconds, or NaN when `v` is not one (eventTimeError says why).
 * Accepted: whole epoch milliseconds from MIN_EVENT_TIME to MAX_EVENT_TIME, as a number or a
 * string of digits; an ISO-8601 date-time with a zone (Z or ±hh:mm), digits beyond the
 * millisecond truncated.
 */
export function eventTimeMs(v: unknown): number {
  if (typeof v === 'number') return Number.isInteger(v) && v >= MIN_EVENT_TIME && v <= MAX_EVENT_TIME ? v : NaN;
  if (typeof v !== 'string') return NaN;
  if (DIGITS.test(v)) {
    const t = Number(v);
    return t <= MAX_EVENT_TIME ? t : NaN;
  }
  return isoMs(v);
}

function isoMs(text: string): number {
  const m = ISO.exec(text);
  if (m === null || (m[8] === undefined && m[9] === undefined)) return NaN;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  // a year before 1969 cannot be in range whatever its offset; from 1969 on Date.UTC takes it as written
  if (year < 1969 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  let offset = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return NaN;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
  return t >= MIN_EVENT_TIME && t <= MAX_EVENT_TIME ? t : NaN;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** ISO text of a time for a message; a number Date cannot hold is printed as it is rather than throwing. */
export function isoText(t: number): string {
  return Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : String(t);
}

const RANGE = `epoch milliseconds from 0 (1970-01-01T00:00:00Z) to ${MAX_EVENT_TIME} (9999-12-31T23:59:59.999Z)`;
const FORMS = 'whole epoch milliseconds or an ISO-8601 time with a zone, e.g. 2026-01-01T10:00:00Z';

/** Why `v` is not an event time (for values eventTimeMs refused). */
export function eventTimeError(field: string, v: unknown): string {
  const what = `event time field '${field}'`;
  if (v === undefined) return `${what} is missing`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return `${what} is ${v}: use ${FORMS}`;
    if (!Number.isInteger(v)) return `${what} is ${v}, not whole milliseconds (seconds with a fraction? multiply by 1000 and round)`;
    return `${what} is ${v}, outside ${RANGE}`;
  }
  if (typeof v === 'string') {
    if (DIGITS.test(v) || /^-\d+$/.test(v) || /^\d{16,}$/.test(v)) return `${what} is ${describe(v)}, outside ${RANGE}`;
    const m = ISO.exec(v);
    if (m !== null && m[8] === undefined && m[9] === undefined) {
      return `${what} is ${describe(v)}, an ISO-8601 time without a zone: add Z or an offset (+02:00), as the worker's time zone must not decide the instant`;
    }
    if (m !== null) return `${what} is ${describe(v)}: not a valid date-time, or outside 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z`;
    return `${what} is ${describe(v)}: not ${FORMS}`;
  }
  return `${what} is ${describe(v)}: use ${FORMS}`;
}

/** true when `v` may be (one field of) a key or a dedup id: a non-empty string, or a finite number that JSON carried exactly. */
export function isIdentity(v: unknown): boolean {
  if (typeof v === 'string') return v !== '';
  // every number past 2^53 is an integer JSON may have rounded into another id's value
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER;
}

/** Why `v` is not a key or dedup id (`what` names the field, e.g. "key field 'user_id'"). */
export function identityError(what: string, v: unknown): string {
  if (v === undefined) return `${what} is missing`;
  if (v === '') return `${what} is empty`;
  if (typeof v === 'number' && Number.isFinite(v)) {
    return `${what} is ${v}, a number beyond 2^53 that JSON rounds (other ids may round to the same value): send it as a string`;
  }
  return `${what} is ${describe(v)}: it must be a string or a finite number`;
}

/** A string of a decimal number, as a producer that quotes its numbers writes them ("12.50", "-3e2"); not hex, not empty. */
const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * A numeric field's value: a finite number, NaN for null or missing (no value: the aggregates
 * skip it), or undefined when it is no number at all (numberError says why).
 */
export function numberValue(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'string' && DECIMAL.test(v)) {
    const x = Number(v);
    return Number.isFinite(x) ? x : undefined;
  }
  return undefined;
}

/** How a value field (last, distinctCount, frequency, topK) is read. */
export type ValueKind =
  /** last(field) as a string: any JSON value; objects and arrays keep their JSON text */
  | 'any'
  /** sketches: a string, a finite number or a boolean; an object would count as its text "[object Object]" */
  | 'scalar'
  /** last(field, { type: 'long' | 'double' }): what numberValue accepts */
  | 'number';

/** true when `v` is acceptable for a field of this kind; null and missing always are (no value). */
export function valueFits(kind: ValueKind, v: unknown): boolean {
  if (v === null || v === undefined) return true;
  switch (kind) {
    case 'number':
      return numberValue(v) !== undefined;
    case 'scalar':
      return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    case 'any':
      return typeof v === 'number' ? Number.isFinite(v) : typeof v !== 'bigint' && typeof v !== 'function' && typeof v !== 'symbol';
  }
}

const KIND_TEXT: Record<ValueKind, string> = {
  number: 'a finite number or a decimal string',
  scalar: 'a string, a finite number or a boolean',
  any: 'a JSON value',
};

/** Why `v` does not fit a field of this kind; `uses` names the aggregates reading it. */
export function valueError(field: string, kind: ValueKind | 'numeric', uses: string, v: unknown): string {
  return `field '${field}' is ${describe(v)}: ${uses} takes ${kind === 'numeric' ? KIND_TEXT.number : KIND_TEXT[kind]}, or null for no value`;
}

/** A value for a message: its type and at most 80 characters of its JSON text. */
export function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  let text: string;
  try {
    text = typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? String(v));
  } catch {
    text = String(v);
  }
  if (text.length > 80) text = `${text.slice(0, 77)}...`;
  if (typeof v === 'string') return text;
  const type = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
  return v === null ? 'null' : `${type} (${text})`;
}
