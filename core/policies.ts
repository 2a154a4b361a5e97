// Retry and freshness policies as users declare them; durations are strings such as '30s'.
import { parseDuration } from './duration.ts';

export interface RetryPolicy {
  /** attempts in all, the first included (default 3) */
  maxAttempts?: number;
  /** wait before the first retry (default '1s') */
  initialInterval?: string;
  /** each wait is the previous one times this (default 2) */
  backoff?: number;
  /** longest wait between attempts (default '1m') */
  maxInterval?: string;
}

/** A retry policy with every field filled and durations in ms. */
export interface ResolvedRetry {
  maxAttempts: number;
  initialIntervalMs: number;
  backoff: number;
  maxIntervalMs: number;
}

export function resolveRetry(policy: RetryPolicy | undefined, owner: string): ResolvedRetry {
  const maxAttempts = policy?.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new Error(`${owner}: retry.maxAttempts must be a whole number >= 1, got ${maxAttempts}.`);
  const backoff = policy?.backoff ?? 2;
  if (!(backoff >= 1)) throw new Error(`${owner}: retry.backoff must be >= 1, got ${backoff}.`);
  return {
    maxAttempts,
    initialIntervalMs: parseDuration(policy?.initialInterval ?? '1s'),
    backoff,
    maxIntervalMs: parseDuration(policy?.maxInterval ?? '1m'),
  };
}

export interface FreshnessPolicy {
  /** how old the newest data may be, e.g. '1h' */
  maxLag: string;
  /** how long one refresh may take, retries included (default: a quarter of maxLag) */
  computeBudget?: string;
}

export interface ResolvedFreshness {
  maxLagMs: number;
  computeBudgetMs: number;
}

export function resolveFreshness(policy: FreshnessPolicy, owner: string): ResolvedFreshness {
  const maxLagMs = parseDuration(policy.maxLag);
  const computeBudgetMs = policy.computeBudget ? parseDuration(policy.computeBudget) : Math.floor(maxLagMs / 4);
  if (computeBudgetMs <= 0 || computeBudgetMs > maxLagMs) {
    throw new Error(`${owner}: freshness.computeBudget (${policy.computeBudget}) must be positive and at most maxLag (${policy.maxLag}).`);
  }
  return { maxLagMs, computeBudgetMs };
}
