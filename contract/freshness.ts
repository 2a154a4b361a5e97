// The freshness monitor's contract: its input, what it reports, and the events it records.
import type { Freshness, FreshnessStatus } from '../core/freshness.ts';
import type { BackfillRequest } from './backfill.ts';

export type { Freshness, FreshnessStatus };

export interface FreshnessCheck extends Freshness {
  /** for a stale asset: the run that brings it back (newest partitions missed, upstream included) */
  catchUp?: BackfillRequest;
}

/** An asset turning stale or recovering, recorded under layout's FRESHNESS_EVENTS_PREFIX. */
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
