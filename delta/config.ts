// Table properties (metaData.configuration) that change how Freshet reads and writes.
import type { Metadata } from './types.ts';

const DAY = 24 * 3600 * 1000;

/**
 * Commits between checkpoints. A table that sets `delta.checkpointInterval` gets exactly that.
 * Otherwise 10 (Spark's default) while the table is small, doubled while a checkpoint would
 * rewrite more than ROWS_PER_COMMIT rows for each commit it covers, up to 160: a checkpoint
 * rewrites every live file, txn and tombstone, so a fixed interval makes each commit cost more
 * as the table grows (10,000 files: 100 ms every 10 commits). Powers of two over 10 keep the
 * checkpointed versions nested as the interval grows (every 160th is also every 80th), so writers
 * that see a slightly different size still mostly agree, and a cold reader replays at most 159
 * small commits (delta-rs's own default interval is 100).
 */
export function checkpointInterval(m: Pick<Metadata, 'configuration'>, rows = 0): number {
  const n = Number(m.configuration['delta.checkpointInterval']);
  if (Number.isInteger(n) && n > 0) return n;
  let interval = 10;
  while (interval < MAX_ADAPTIVE_INTERVAL && interval * ROWS_PER_COMMIT < rows) interval *= 2;
  return interval;
}

const ROWS_PER_COMMIT = 200;
const MAX_ADAPTIVE_INTERVAL = 160;

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
