import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backfillWorkflowId, catchUpWorkflowId, materializeWorkflowId, refreshWorkflowId, rerunWorkflowId } from './ids.ts';
import {
  attemptLogPath,
  failedAttemptPath,
  failedPartitionPrefix,
  isAttemptLogPath,
  parseAttemptLog,
  parseFailedAttemptPath,
  RUN_TRIGGERS,
  triggerOfWorkflowId,
} from './runs.ts';

const run = fc.record({
  trigger: fc.constantFrom(...RUN_TRIGGERS),
  workflowId: fc.string({ minLength: 1 }),
  runId: fc.uuid(),
  activityId: fc.string({ minLength: 1, maxLength: 5 }),
  attempt: fc.integer({ min: 1, max: 10_000 }),
  // 2000-01-01 .. 2200-01-01: the names' time stamp has four digits of year
  startedAt: fc.integer({ min: 946_684_800_000, max: 7_258_118_400_000 }),
});

describe('run log paths', () => {
  it("a failed attempt's name gives back its partition, start, attempt and trigger, for any key", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), run, (key, r) => {
        const path = failedAttemptPath('asset_a', key, r);
        expect(path.startsWith(failedPartitionPrefix('asset_a', key))).toBe(true);
        expect(parseFailedAttemptPath('asset_a', path)).toEqual({
          path,
          partition: key,
          startedAt: r.startedAt,
          attempt: r.attempt,
          trigger: r.trigger,
        });
        expect(isAttemptLogPath('asset_a', path)).toBe(true);
        // another asset's listing does not take it
        expect(parseFailedAttemptPath('asset', path)).toBeUndefined();
      }),
    );
  });

  it('attempts that differ only in their workflow, run or activity get different objects', () => {
    fc.assert(
      fc.property(run, run, (a, b) => {
        const same = { ...b, startedAt: a.startedAt, attempt: a.attempt, trigger: a.trigger };
        fc.pre(a.workflowId !== same.workflowId || a.runId !== same.runId || a.activityId !== same.activityId);
        expect(attemptLogPath('x', a)).not.toBe(attemptLogPath('x', same));
      }),
    );
  });

  it('the API reads only log objects: no other file of the warehouse, no way up', () => {
    const r = { trigger: 'backfill' as const, workflowId: 'w', runId: 'r', activityId: '1', attempt: 1, startedAt: Date.UTC(2026, 0, 1) };
    expect(isAttemptLogPath('clicks', attemptLogPath('clicks', r))).toBe(true);
    expect(isAttemptLogPath('clicks', attemptLogPath('broken', r))).toBe(false);
    expect(isAttemptLogPath('clicks', '_freshet/failures/clicks/key=2026-01-01.json')).toBe(false);
    expect(isAttemptLogPath('clicks', `_freshet/logs/clicks/../../clicks/${attemptLogPath('clicks', r).split('/').pop()}`)).toBe(false);
    expect(
      parseFailedAttemptPath('clicks', '_freshet/logs/clicks/failed/key=%zz/20260101T000000000Z_1_backfill_0000abcd.json'),
    ).toBeUndefined();
  });

  it('a log object that is not one says which and what to do', () => {
    expect(() => parseAttemptLog('s3://b/_freshet/logs/x.json', '{')).toThrow(
      /Run log s3:\/\/b\/_freshet\/logs\/x.json is not JSON.*delete it/,
    );
    expect(() => parseAttemptLog('p', '{"asset":"a"}')).toThrow(/p lacks asset, partitions, run, status or lines/);
  });
});

describe('the trigger of a workflow id', () => {
  it('names each way a run starts, for any task queue and name', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/);
    const queue = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
    fc.assert(
      fc.property(queue, name, fc.integer({ min: 0 }), (q, a, at) => {
        expect(triggerOfWorkflowId(materializeWorkflowId(q, a, '2026-01-01'))).toBe('materialize');
        expect(triggerOfWorkflowId(`${refreshWorkflowId(q, a)}-2026-01-01T00:00:00Z`)).toBe('schedule');
        expect(triggerOfWorkflowId(catchUpWorkflowId(q, a, at))).toBe('catch-up');
        const user = backfillWorkflowId(q, 'abcdefgh12');
        expect(triggerOfWorkflowId(user)).toBe('backfill');
        expect(triggerOfWorkflowId(rerunWorkflowId(user, 'ijklmnop34'))).toBe('backfill');
      }),
    );
  });
});
