// Durations as users write them in asset declarations: '500ms', '30s', '5m', '1h', '1d'.
// One number and one unit; compound forms ('1h30m') are refused so a typo cannot pass as a value.

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;

export const DURATION_FORM = "a number and a unit: '500ms', '30s', '5m', '1h' or '1d'";

/** Parses '5m' into milliseconds. Throws an Error naming the bad text and the accepted form. */
export function parseDuration(text: string): number {
  if (typeof text !== 'string') {
    throw new Error(`Duration ${JSON.stringify(text)} is not a string; write it as ${DURATION_FORM}.`);
  }
  const match = DURATION.exec(text);
  if (!match) {
    throw new Error(`Duration '${text}' is not understood; write it as ${DURATION_FORM}.`);
  }
  const ms = Number(match[1]) * UNIT_MS[match[2]];
  if (!Number.isFinite(ms) || !Number.isInteger(ms)) {
    throw new Error(`Duration '${text}' is not a whole number of milliseconds; write it as ${DURATION_FORM}.`);
  }
  return ms;
}

/** Formats milliseconds back into the largest exact unit ('300000' → '5m'). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit];
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
