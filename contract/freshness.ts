// The freshness monitor's contract: its input, what it reports, and the events it records.
import type { Freshness, FreshnessStatus } from '../core/freshness.ts';
import type { BackfillRequest } from './backfill.ts';

export type { Freshness, FreshnessStatus };

/**
 * Whether a status says the SLA is missed. Histories, continue-as-new inputs and event files
 * written before the rename say 'stale' for 'late': a replayed monitor must decide as it did then.
 */
export function isLate(status: string | undefined): boolean {
  return status === 'late' || status === 'stale';
}

/** A status as recorded, with the old name 'stale' read as 'late' (outdated inputs are another matter: engine/staleness.ts). */
export function currentStatusName(status: string): string {
  return status === 'stale' ? 'late' : status;
}

export interface FreshnessCheck extends Freshness {
  /** for a late asset: the run that brings it back (newest partitions missed, upstream included) */
  catchUp?: BackfillRequest;
}

/** An asset turning late (past its SLA) or recovering, recorded under layout's FRESHNESS_EVENTS_PREFIX. */
export interface FreshnessEvent {
  at: number;
  asset: string;
  from: FreshnessStatus | 'unknown';
  to: FreshnessStatus;
  lagMs: number | undefined;
  catchUpWorkflowId?: string;
}

export interface FreshnessMonitorInput {
  intervalMs: number;
  /** carried across continue-as-new */
  last?: Record<string, { status: FreshnessStatus; catchUpAt?: number }>;
}

export type FreshnessMonitorWorkflow = (input: FreshnessMonitorInput) => Promise<void>;
