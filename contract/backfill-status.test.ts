// A backfill's counts, pace and listed status: the outcomes add up to the total whatever the
// states, nothing skipped or cancelled counts as run, and the time left follows the pace.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BACKFILL_STATUSES,
  backfillCounts,
  backfillPace,
  isFinalBackfillStatus,
  outcomeOf,
  TASK_STATES,
  type AssetProgress,
  listedStatus,
  type TaskState,
} from './backfill.ts';

const n = fc.nat({ max: 10_000 });
const asset = fc.record({
  asset: fc.string(),
  counts: fc.record(Object.fromEntries(TASK_STATES.map((s) => [s, n])) as Record<TaskState, typeof n>),
});

describe('backfill counts', () => {
  it('materialized + skipped + failed + cancelled + left = total, each summed over the assets', () => {
    fc.assert(
      fc.property(fc.array(asset, { maxLength: 8 }), (assets: AssetProgress[]) => {
        const c = backfillCounts(assets);
        const sum = (s: TaskState) => assets.reduce((t, a) => t + a.counts[s], 0);
        expect(c.materialized + c.skipped + c.failed + c.cancelled + c.left).toBe(c.total);
        expect(c.total).toBe(TASK_STATES.reduce((t, s) => t + sum(s), 0));
        expect(c.left).toBe(sum('pending') + sum('running'));
        expect(c.cancelled).toBe(sum('cancelled'));
        expect(c.skipped).toBe(sum('skipped'));
        expect(outcomeOf(c)).toBe(sum('failed') > 0 ? 'failed' : 'succeeded');
      }),
    );
  });

  it('pace: partitions run per minute over the time so far; time left = left / pace while it runs, none once ended or paused', () => {
    const start = Date.UTC(2026, 0, 1);
    fc.assert(
      fc.property(
        fc.array(asset, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 86_400_000 }),
        fc.constantFrom(...BACKFILL_STATUSES),
        (assets, elapsed, status) => {
          const c = backfillCounts(assets);
          const ended = isFinalBackfillStatus(status);
          const p = backfillPace(
            { status, startedAt: start, endedAt: ended ? start + elapsed : undefined },
            c,
            start + (ended ? 5 * elapsed : elapsed),
          );
          expect(p.durationMs).toBe(elapsed);
          expect(p.perMinute).toBeCloseTo(((c.materialized + c.failed) * 60_000) / elapsed, 6);
          if (ended || status === 'paused' || status === 'cancelling' || p.perMinute === 0) expect(p.etaMs).toBeUndefined();
          else expect(p.etaMs).toBe(Math.round((c.left / p.perMinute) * 60_000));
        },
      ),
    );
    // 30 run in 10 minutes, 60 left: 20 minutes more; skipped and cancelled ones do not speed it up
    const counts = { pending: 50, running: 10, materialized: 25, skipped: 300, failed: 5, cancelled: 7 };
    expect(backfillPace({ status: 'running', startedAt: start }, backfillCounts([{ asset: 'a', counts }]), start + 600_000)).toEqual({
      durationMs: 600_000,
      perMinute: 3,
      etaMs: 1_200_000,
    });
  });
});

describe('a listed backfill status', () => {
  it("comes from Temporal's status and the memo's", () => {
    expect(listedStatus('RUNNING', undefined)).toBe('running');
    expect(listedStatus('RUNNING', 'paused')).toBe('paused');
    expect(listedStatus('RUNNING', 'cancelling')).toBe('cancelling');
    expect(listedStatus('COMPLETED', 'failed')).toBe('failed');
    expect(listedStatus('COMPLETED', 'succeeded')).toBe('succeeded');
    // a backfill cancelled by the old signal completed, its memo says cancelled
    expect(listedStatus('COMPLETED', 'cancelled')).toBe('cancelled');
    // completed before the memo: only its result can tell
    expect(listedStatus('COMPLETED', undefined)).toBeUndefined();
    expect(listedStatus('CANCELLED', undefined)).toBe('cancelled');
    expect(listedStatus('CANCELLED', 'cancelling')).toBe('cancelled');
    for (const s of ['TERMINATED', 'TIMED_OUT', 'FAILED']) expect(listedStatus(s, 'running')).toBe('terminated');
  });
});
