// Backfill workflow ids: any valid request id makes one of this deployment's backfill ids, one per
// request id; ids made before request ids existed still count as backfills.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REQUEST_ID_PATTERN } from './backfill.ts';
import { backfillWorkflowId, catchUpWorkflowId, isBackfillWorkflowId, materializeWorkflowId, refreshWorkflowId } from './ids.ts';

const requestId = fc.stringMatching(REQUEST_ID_PATTERN);
const queue = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);

describe('backfill workflow ids', () => {
  it('a request id gives a backfill id of its queue only, and two request ids two ids', () => {
    fc.assert(
      fc.property(queue, queue, requestId, requestId, (q, other, a, b) => {
        const id = backfillWorkflowId(q, a);
        expect(isBackfillWorkflowId(q, id)).toBe(true);
        if (!`${other}/`.startsWith(`${q}/`)) expect(isBackfillWorkflowId(other, id)).toBe(false);
        expect(id.slice(`${q}/backfill/`.length)).not.toContain('/');
        if (a !== b) expect(backfillWorkflowId(q, b)).not.toBe(id);
      }),
    );
  });

  it('keeps taking the ids made before request ids, and the scheduled and catch-up ones; not a materialization', () => {
    expect(isBackfillWorkflowId('freshet', 'freshet/backfill/2026-12-01T18-15-55-123Z-3fa2c1')).toBe(true);
    expect(isBackfillWorkflowId('freshet', refreshWorkflowId('freshet', 'clicks'))).toBe(true);
    expect(isBackfillWorkflowId('freshet', catchUpWorkflowId('freshet', 'clicks', 1))).toBe(true);
    expect(isBackfillWorkflowId('freshet', materializeWorkflowId('freshet', 'clicks', '2026-01-01'))).toBe(false);
  });
});
