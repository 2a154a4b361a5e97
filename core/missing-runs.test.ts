import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { materializeMissingCommand, missingRuns } from './missing-runs.ts';
import { dailyPartitions, keysBetween } from './partitions.ts';

const daily = dailyPartitions({ start: '2026-01-01' });
const days = keysBetween(daily, '2026-01-01', '2026-02-28');

describe('missingRuns', () => {
  it('covers exactly the missing keys, in runs of neighbours split by a present key', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 0, maxLength: days.length }), (presence) => {
        const needed = days.slice(0, presence.length);
        const present = new Set(needed.filter((_, i) => presence[i]));
        const runs = missingRuns(needed, (k) => present.has(k));
        const covered = runs.flatMap((r) => needed.slice(needed.indexOf(r.from), needed.indexOf(r.to) + 1));
        expect(covered).toEqual(needed.filter((k) => !present.has(k)));
        // neighbouring runs are apart: something present lies between them
        for (let i = 1; i < runs.length; i++) expect(needed.indexOf(runs[i].from)).toBeGreaterThan(needed.indexOf(runs[i - 1].to) + 1);
      }),
    );
  });

  it('says one range as --from/--to, several as --outdated over their span, none for an unpartitioned asset', () => {
    expect(materializeMissingCommand('events', daily, [{ from: '2026-01-12', to: '2026-02-10' }])).toBe(
      'freshet materialize events --from 2026-01-12 --to 2026-02-10',
    );
    expect(
      materializeMissingCommand('events', daily, [
        { from: '2026-01-12', to: '2026-01-19' },
        { from: '2026-01-26', to: '2026-02-10' },
      ]),
    ).toBe('freshet materialize events --outdated --from 2026-01-12 --to 2026-02-10');
    expect(materializeMissingCommand('profiles', undefined, [])).toBe('freshet materialize profiles');
  });
});
