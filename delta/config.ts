// Table properties (metaData.configuration) that change how Freshet reads and writes.
import type { Metadata } from './types.ts';

const DAY = 24 * 3600 * 1000;

/** Commits between checkpoints: 10 unless delta.checkpointInterval says otherwise. */
export function checkpointInterval(m: Pick<Metadata, 'configuration'>): number {
  const n = Number(m.configuration['delta.checkpointInterval']);
  return Number.isInteger(n) && n > 0 ? n : 10;
}

/** How long removed files stay for time travel and vacuum: delta.deletedFileRetentionDuration, default 7 days. */
export function deletedFileRetentionMs(m: Pick<Metadata, 'configuration'>): number {
  return parseInterval(m.configuration['delta.deletedFileRetentionDuration']) ?? 7 * DAY;
}

export function isAppendOnly(m: Pick<Metadata, 'configuration'>): boolean {
  return m.configuration['delta.appendOnly'] === 'true';
}

/** Parses Delta's "interval 7 days" (units: millisecond … week). */
export function parseInterval(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^\s*(?:interval\s+)?(\d+)\s+(\w+?)s?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit: Record<string, number> = {
    millisecond: 1,
    second: 1000,
    minute: 60_000,
    hour: 3_600_000,
    day: DAY,
    week: 7 * DAY,
  };
  const ms = unit[m[2].toLowerCase()];
  return ms === undefined ? undefined : Number(m[1]) * ms;
}
