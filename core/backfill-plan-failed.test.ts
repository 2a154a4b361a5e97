// Which partitions a backfill runs once some partitions' last run failed: "only failed and
// missing" runs exactly those two, the default runs failed ones too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asset, source } from './asset.ts';
import { planTasks, selectTasks, type KeyState, type PlannedTasks } from './backfill-plan.ts';
import { definitions } from './graph.ts';
import { lookback } from './mappings.ts';
import { dailyPartitions, keysBetween } from './partitions.ts';

const daily = dailyPartitions({ start: '2026-01-01' });
const graph = definitions({
  assets: [
    source({ name: 'raw', partitions: daily, sql: 'SELECT 1 AS x' }),
    asset({ name: 'clean', deps: ['raw'], partitions: daily, sql: 'SELECT 1 AS x' }),
    asset({ name: 'rolling', deps: { clean: lookback(3) }, partitions: daily, sql: 'SELECT 1 AS x' }),
  ],
});
const NOW = Date.UTC(2026, 5, 1);
const DAYS = keysBetween(daily, '2026-01-01', '2026-01-08');
const NAMES = ['raw', 'clean', 'rolling'];
const selection = selectTasks(graph, { assets: ['raw'], downstream: true, from: DAYS[0], to: DAYS[DAYS.length - 1] }, NOW);

function statesOf(lists: KeyState[][]): Map<string, Map<string, KeyState>> {
  return new Map(NAMES.map((n, a) => [n, new Map(DAYS.map((d, i) => [d, lists[a][i]]))]));
}

const running = (plan: PlannedTasks[], name: string) => {
  const p = plan.find((t) => t.asset.name === name)!;
  return p.keys.filter((_, i) => p.run[i]);
};

const keyState = fc.constantFrom<KeyState>('missing', 'failed', 'outdated', 'up_to_date');
const allStates = fc.array(fc.array(keyState, { minLength: DAYS.length, maxLength: DAYS.length }), { minLength: 3, maxLength: 3 });

describe('planning with failed partitions', () => {
  it('only failed and missing: a partition whose last run failed runs even when it holds older data; stale and up to date ones do not', () => {
    const s: KeyState[] = ['up_to_date', 'failed', 'outdated', 'missing', 'up_to_date', 'failed', 'up_to_date', 'outdated'];
    const plan = planTasks(graph, selection, statesOf([s, s, s]), { onlyFailedAndMissing: true });
    for (const n of NAMES) expect(running(plan, n)).toEqual(['2026-01-02', '2026-01-04', '2026-01-06']);
  });

  it('only failed and missing runs exactly the failed and missing partitions, whatever the states', () => {
    fc.assert(
      fc.property(allStates, (lists) => {
        const plan = planTasks(graph, selection, statesOf(lists), { onlyFailedAndMissing: true });
        NAMES.forEach((n, a) => {
          expect(running(plan, n)).toEqual(DAYS.filter((_, i) => lists[a][i] === 'missing' || lists[a][i] === 'failed'));
        });
      }),
    );
  });

  it('the default runs failed, missing and stale partitions, and what reads a partition that runs', () => {
    fc.assert(
      fc.property(allStates, (lists) => {
        const plan = planTasks(graph, selection, statesOf(lists), {});
        NAMES.forEach((n, a) => {
          const p = plan[a];
          p.keys.forEach((k, i) => {
            const upstreamRuns = p.deps.some((d) => plan[d.up].run.slice(d.lo[i], d.hi[i] + 1).some(Boolean));
            expect(p.run[i], `${n} ${k} ${lists[a][i]}`).toBe(lists[a][i] !== 'up_to_date' || upstreamRuns);
          });
        });
      }),
    );
  });

  it('force runs everything, failed or not', () => {
    fc.assert(
      fc.property(allStates, (lists) => {
        const plan = planTasks(graph, selection, statesOf(lists), { force: true, onlyFailedAndMissing: true });
        expect(plan.every((p) => p.run.every(Boolean))).toBe(true);
      }),
    );
  });
});
