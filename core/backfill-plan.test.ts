// planTasks: which tasks of a backfill run, and the upstream ranges each one waits for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asset, source } from './asset.ts';
import { planTasks, selectTasks, type KeyState, type PlanOptions, type Selection } from './backfill-plan.ts';
import { definitions } from './graph.ts';
import { lookback, upstreamKeys } from './mappings.ts';
import { dailyPartitions, keysBetween, staticPartitions } from './partitions.ts';

const daily = dailyPartitions({ start: '2026-01-01' });
const regions = staticPartitions(['eu', 'us', 'apac']);
// raw → clean (same day) → rolling (last 3 days of clean) → summary (unpartitioned, all of rolling)
const graph = definitions({
  assets: [
    source({ name: 'raw', partitions: daily, sql: 'SELECT 1 AS x' }),
    asset({ name: 'clean', deps: ['raw'], partitions: daily, sql: 'SELECT 1 AS x' }),
    asset({ name: 'rolling', deps: { clean: lookback(3) }, partitions: daily, sql: 'SELECT 1 AS x' }),
    asset({ name: 'summary', deps: ['rolling'], sql: 'SELECT 1 AS x' }),
    source({ name: 'by_region', partitions: regions, sql: 'SELECT 1 AS x' }),
    asset({ name: 'region_stats', deps: ['by_region'], partitions: regions, sql: 'SELECT 1 AS x' }),
  ],
});
const NOW = Date.UTC(2026, 5, 1);
const days = keysBetween(daily, '2026-01-01', '2026-01-05');
const chain = selectTasks(graph, { assets: ['raw'], downstream: true, from: days[0], to: days[4] }, NOW);

/** every planned key up to date, except those given */
function states(selection: Selection, except: Record<string, Record<string, KeyState>> = {}): Map<string, Map<string, KeyState>> {
  return new Map(selection.map(({ asset: a, keys }) => [a.name, new Map(keys.map((k) => [k, except[a.name]?.[k] ?? 'up_to_date']))]));
}

/** asset → which keys run, as the keys themselves */
function running(selection: Selection, st: Map<string, Map<string, KeyState>>, opts: PlanOptions = {}): Record<string, string[]> {
  return Object.fromEntries(planTasks(graph, selection, st, opts).map((p) => [p.asset.name, p.keys.filter((_, i) => p.run[i])]));
}

describe('planTasks', () => {
  it('plans nothing for an empty selection', () => {
    expect(planTasks(graph, [], new Map(), {})).toEqual([]);
  });

  it('runs everything when nothing is materialized, each task waiting on the planned upstream keys it reads', () => {
    expect(chain.map((s) => s.asset.name)).toEqual(['raw', 'clean', 'rolling', 'summary']);
    const plan = planTasks(graph, chain, new Map(), {});
    expect(plan.every((p) => p.run.every(Boolean))).toBe(true);
    expect(plan.map((p) => p.deps)).toEqual([
      [],
      [{ up: 0, lo: [0, 1, 2, 3, 4], hi: [0, 1, 2, 3, 4] }],
      // lookback(3) clipped at the first planned day
      [{ up: 1, lo: [0, 0, 0, 1, 2], hi: [0, 1, 2, 3, 4] }],
      [{ up: 2, lo: [0], hi: [4] }],
    ]);
  });

  it('skips what is up to date; a stale partition re-runs every planned task that reads it, transitively', () => {
    expect(running(chain, states(chain))).toEqual({ raw: [], clean: [], rolling: [], summary: [] });
    expect(running(chain, states(chain, { raw: { '2026-01-03': 'outdated' } }))).toEqual({
      raw: ['2026-01-03'],
      clean: ['2026-01-03'],
      rolling: ['2026-01-03', '2026-01-04', '2026-01-05'],
      summary: [''],
    });
    expect(running(chain, states(chain, { rolling: { '2026-01-02': 'missing' } }))).toEqual({
      raw: [],
      clean: [],
      rolling: ['2026-01-02'],
      summary: [''],
    });
    // a key with no recorded state is missing
    expect(running(chain, new Map([['raw', new Map()]]))).toEqual({ raw: days, clean: days, rolling: days, summary: [''] });
  });

  it('onlyFailedAndMissing runs missing keys and not stale ones', () => {
    const r = running(chain, states(chain, { raw: { '2026-01-02': 'outdated' }, clean: { '2026-01-05': 'missing' } }), {
      onlyFailedAndMissing: true,
    });
    expect(r.raw).toEqual([]);
    expect(r.clean).toEqual(['2026-01-05']);
  });

  it('force runs every task; forceAssets runs those assets and what reads them', () => {
    expect(running(chain, states(chain), { force: true })).toEqual({ raw: days, clean: days, rolling: days, summary: [''] });
    const latest = selectTasks(graph, { assets: ['raw'], downstream: true, from: '2026-01-05', to: '2026-01-05' }, NOW);
    expect(running(latest, states(latest), { forceAssets: ['raw'] })).toEqual({
      raw: ['2026-01-05'],
      clean: ['2026-01-05'],
      rolling: ['2026-01-05'],
      summary: [''],
    });
    expect(running(latest, states(latest), { forceAssets: ['rolling'] })).toEqual({
      raw: [],
      clean: [],
      rolling: ['2026-01-05'],
      summary: [''],
    });
  });

  it('only runs exactly the listed keys, missing or not, and nothing downstream of them', () => {
    const st = states(chain, { raw: { '2026-01-01': 'missing' } });
    expect(running(chain, st, { only: { clean: ['2026-01-02', '2026-01-04'] } })).toEqual({
      raw: [],
      clean: ['2026-01-02', '2026-01-04'],
      rolling: [],
      summary: [],
    });
  });

  it('with one key', () => {
    const one = selectTasks(graph, { assets: ['clean'], downstream: false, from: '2026-01-03', to: '2026-01-03' }, NOW);
    expect(
      planTasks(graph, one, states(one, { clean: { '2026-01-03': 'outdated' } }), {}).map((p) => [p.asset.name, p.keys, p.run, p.deps]),
    ).toEqual([['clean', ['2026-01-03'], [true], []]]);
  });

  it('gaps: a key reading no planned upstream key has an empty range (lo > hi) and runs only on its own state', () => {
    const cleanDef = graph.get('clean');
    const rollingDef = graph.get('rolling');
    const gappy: Selection = [
      { asset: cleanDef, keys: ['2026-01-02', '2026-01-05'] },
      { asset: rollingDef, keys: ['2026-01-01', '2026-01-03', '2026-01-08'] },
    ];
    const [, rolling] = planTasks(graph, gappy, states(gappy, { clean: { '2026-01-02': 'outdated' } }), {});
    // 01-01 reads 12-30…01-01 (none planned); 01-03 reads 01-01…01-03 (clean 01-02); 01-08 reads 01-06…01-08 (none)
    expect(rolling.deps).toEqual([{ up: 0, lo: [0, 0, 0], hi: [-1, 0, -1] }]);
    expect(rolling.run).toEqual([false, true, false]);
  });

  it('static partitions map key to key', () => {
    const sel = selectTasks(graph, { assets: ['by_region'], downstream: true, from: 'us', to: 'apac' }, NOW);
    expect(sel.map((s) => [s.asset.name, s.keys])).toEqual([
      ['by_region', ['us', 'apac']],
      ['region_stats', ['us', 'apac']],
    ]);
    expect(running(sel, states(sel, { by_region: { apac: 'outdated' } }))).toEqual({ by_region: ['apac'], region_stats: ['apac'] });
  });

  it('runs a task exactly when forced, missing, stale, or reading a planned task that runs (property)', () => {
    const universe = keysBetween(daily, '2026-01-01', '2026-01-10');
    const stateArb = fc.constantFrom<KeyState>('missing', 'outdated', 'up_to_date', 'up_to_date', 'up_to_date');
    const optsArb = fc.constantFrom<PlanOptions>({}, {}, { onlyFailedAndMissing: true }, { force: true }, { forceAssets: ['clean'] });
    fc.assert(
      fc.property(
        fc.tuple(fc.subarray(universe), fc.subarray(universe), fc.subarray(universe), fc.boolean()),
        fc.array(stateArb, { minLength: 40, maxLength: 40 }),
        optsArb,
        ([rawKeys, cleanKeys, rollingKeys, withSummary], drawn, opts) => {
          const selection: Selection = [
            { asset: graph.get('raw'), keys: rawKeys },
            { asset: graph.get('clean'), keys: cleanKeys },
            { asset: graph.get('rolling'), keys: rollingKeys },
            ...(withSummary ? [{ asset: graph.get('summary'), keys: [''] }] : []),
          ];
          let n = 0;
          const st = new Map(selection.map(({ asset: a, keys }) => [a.name, new Map(keys.map((k) => [k, drawn[n++ % drawn.length]]))]));
          const plan = planTasks(graph, selection, st, opts);
          // The oracle reads the mappings directly, not planTasks' index ranges.
          const runs = new Map<string, Set<string>>();
          selection.forEach(({ asset: a, keys }, i) => {
            const set = new Set<string>();
            keys.forEach((k, j) => {
              const state = st.get(a.name)!.get(k)!;
              const ups = a.deps.map((d) => {
                const up = graph.get(d.asset);
                const read = upstreamKeys(
                  a.partitions,
                  up.partitions,
                  graph.upstream(a.name).find((u) => u.asset.name === d.asset)!.mapping,
                  k || undefined,
                );
                const planned = selection.find((s) => s.asset.name === d.asset)?.keys ?? [];
                return { up: d.asset, planned, keys: planned.filter((u) => read === 'all' || read.includes(u)) };
              });
              const expected =
                opts.force || state === 'missing' || !!opts.forceAssets?.includes(a.name)
                  ? true
                  : opts.onlyFailedAndMissing
                    ? false
                    : state === 'outdated' || ups.some((u) => u.keys.some((x) => runs.get(u.up)!.has(x)));
              expect(plan[i].run[j]).toBe(expected);
              if (expected) set.add(k);
              // Each range covers exactly the planned upstream keys this key reads.
              for (const u of ups.filter((x) => runs.has(x.up))) {
                const d = plan[i].deps.find((x) => selection[x.up].asset.name === u.up)!;
                expect(u.planned.slice(d.lo[j], d.hi[j] + 1)).toEqual(u.keys);
              }
            });
            runs.set(a.name, set);
          });
        },
      ),
    );
  });
});
