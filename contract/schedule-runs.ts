// What a schedule's recent runs look like to the page and the CLI: each action Temporal's
// schedule took (ScheduleDescription.info.recentActions), with the outcome and duration of the
// workflow it started.

/** The started workflow's status as Temporal reports it, lower-cased; 'unknown' once its history is gone (retention). */
export type ScheduleRunOutcome =
  'running' | 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed_out' | 'continued_as_new' | 'unknown';

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
