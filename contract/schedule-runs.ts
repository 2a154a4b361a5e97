// What a schedule's recent runs look like to the page and the CLI: each action Temporal's
// schedule took (ScheduleDescription.info.recentActions), with the outcome and duration of the
// workflow it started.
import type { BackfillStatus } from './backfill.ts';

/**
 * The started backfill's status, as the backfills list says it (succeeded, failed with partitions
 * failed, cancelled...); 'completed' for a run that ended before backfills kept their status in
 * their memo; 'unknown' once its history is gone (retention).
 */
export type ScheduleRunOutcome = BackfillStatus | 'completed' | 'unknown';

export interface ScheduleRun {
  workflowId: string;
  runId: string;
  /** when the schedule meant to run it (a "run now" is scheduled for the moment it was asked) */
  scheduledAt: number;
  /** when the schedule started the workflow */
  takenAt: number;
  outcome: ScheduleRunOutcome;
  /** closed runs: from start to close; null while it runs or when unknown */
  durationMs: number | null;
  closedAt: number | null;
}

/** The server's side of one schedule: whether it is paused, why, and what it ran lately (newest first). */
export interface ScheduleState {
  paused: boolean;
  note: string | null;
  recentRuns: ScheduleRun[];
}
