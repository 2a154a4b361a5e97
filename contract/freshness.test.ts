import { describe, expect, it } from 'vitest';
import { currentStatusName, isLate } from './freshness.ts';

describe('late, and its former name', () => {
  it("'late' and the 'stale' that histories and event files recorded before the rename both mean the SLA is missed", () => {
    expect(['late', 'stale'].map(isLate)).toEqual([true, true]);
    expect(['fresh', 'at-risk', 'never', 'no-sla', 'outdated', undefined].map(isLate)).toEqual([false, false, false, false, false, false]);
  });

  it("reads a recorded 'stale' as 'late' and leaves every other status as it is", () => {
    expect(['stale', 'late', 'fresh', 'at-risk', 'never', 'unknown'].map(currentStatusName)).toEqual([
      'late',
      'late',
      'fresh',
      'at-risk',
      'never',
      'unknown',
    ]);
  });
});
