// The backfill's bookkeeping without Temporal: which tasks are ready, how they batch, how a failure spreads.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countStates, newestFailures } from './backfill-scheduler.ts';
import { readiness, type Batch } from './backfill-readiness.ts';
import { readyBatches, readyBatchesByScan } from '../test/support/ready-batches.ts';
import type { BackfillFailure, BackfillPlan, PlannedAsset } from '../contract/backfill.ts';
import {
  allKeys,
  arraysOf,
  backfillPlan,
  lastKeys,
  plannedAsset,
  range,
  runsOf,
  sameKey,
  upstreamOf,
  type PlannedDep,
} from '../test/support/backfill-plan.ts';

function ready(p: BackfillPlan, states: string[]): { batches: number[][][]; states: string[]; failures: BackfillFailure[] } {
  const st = states.map((s) => [...s]);
  const failures: BackfillFailure[] = [];
  const batches = readyBatches(p, st, failures);
  const byAsset = p.assets.map((_, i) => batches.filter((b) => b.asset === i).map((b) => b.keys));
  return { batches: byAsset, states: st.map((s) => s.join('')), failures };
}

describe('readyBatches', () => {
  it('has nothing to do for an empty plan, an asset with no keys, or everything skipped', () => {
    expect(ready(backfillPlan(), [])).toEqual({ batches: [], states: [], failures: [] });
    expect(ready(backfillPlan(plannedAsset('a', '')), [''])).toEqual({ batches: [[]], states: [''], failures: [] });
    const skipped = backfillPlan(plannedAsset('a', 'sss'), plannedAsset('b', 'sss', [sameKey(0, 3)]));
    expect(ready(skipped, ['sss', 'sss']).batches).toEqual([[], []]);
    expect(readiness(skipped, [[...'sss'], [...'sss']]).finished()).toBe(true);
  });

  it('runs a single key', () => {
    expect(ready(backfillPlan(plannedAsset('a', 'p')), ['p']).batches).toEqual([[[0]]]);
    expect(readiness(backfillPlan(plannedAsset('a', 'p')), [['p']]).finished()).toBe(false);
  });

  it('batches contiguous pending keys up to batchSize; anything not pending breaks a run', () => {
    expect(ready(backfillPlan(plannedAsset('a', 'ppppp', [], 2)), ['ppppp']).batches).toEqual([[[0, 1], [2, 3], [4]]]);
    expect(ready(backfillPlan(plannedAsset('a', 'pppppppp', [], 16)), ['ppsprpmp']).batches).toEqual([[[0, 1], [3], [5], [7]]]);
    expect(ready(backfillPlan(plannedAsset('a', 'pppp', [], 1)), ['pppp']).batches).toEqual([[[0], [1], [2], [3]]]);
  });

  it("a pooled asset's batches never exceed its batch size (the pool)", () => {
    const pooled = plannedAsset('a', 'p'.repeat(7), [], 3);
    pooled.pool = 3;
    expect(ready(backfillPlan(pooled), ['p'.repeat(7)]).batches).toEqual([[[0, 1, 2], [3, 4, 5], [6]]]);
  });

  it("'P' (left over from a failed batch) runs alone, and splits the run around it", () => {
    expect(ready(backfillPlan(plannedAsset('a', 'pppp')), ['pPpp']).batches).toEqual([[[0], [1], [2, 3]]]);
    expect(countStates([...'pPrmsfc'])).toEqual({ pending: 2, running: 1, materialized: 1, skipped: 1, failed: 1, cancelled: 1 });
  });

  it('waits for every upstream key a task reads, across several upstreams', () => {
    // b reads a's same key; c reads b's last 3 keys and all of a.
    const p = backfillPlan(
      plannedAsset('a', 'pppp'),
      plannedAsset('b', 'pppp', [sameKey(0, 4)]),
      plannedAsset('c', 'pppp', [lastKeys(1, 4, 3), allKeys(0, 4, 4)]),
    );
    expect(ready(p, ['pppp', 'pppp', 'pppp']).batches).toEqual([[[0, 1, 2, 3]], [], []]);
    expect(ready(p, ['mmrs', 'pppp', 'pppp']).batches).toEqual([[], [[0, 1], [3]], []]);
    // c0 reads b0 only; c2 reads b0..b2 and b2 is still pending; a is done (m or s) everywhere.
    expect(ready(p, ['mmms', 'mmpm', 'pppp']).batches).toEqual([[], [[2]], [[0, 1]]]);
    expect(ready(p, ['mmmp', 'mmmm', 'pppp']).batches).toEqual([[[3]], [], []]);
  });

  it('a key that reads no planned upstream key (lo > hi) is ready at once', () => {
    const none: PlannedDep = { up: 0, lo: [1, 0], hi: [0, 0] };
    expect(ready(backfillPlan(plannedAsset('a', 'p'), plannedAsset('b', 'pp', [none])), ['p', 'pp']).batches).toEqual([[[0]], [[0]]]);
  });

  it('fails the downstream of a failed or cancelled upstream, transitively in one pass, and says why', () => {
    const p = backfillPlan(
      plannedAsset('raw', 'pppp'),
      plannedAsset('clean', 'pppp', [sameKey(0, 4)]),
      plannedAsset('rolling', 'pppp', [lastKeys(1, 4, 2)]),
    );
    const r = ready(p, ['fmcm', 'pppp', 'pppp']);
    // clean0 and clean2 fail with raw; every rolling key reads a failed clean key (rolling k reads clean k-1..k); clean1, clean3 run.
    expect(r.states).toEqual(['fmcm', 'fpfp', 'ffff']);
    expect(r.batches).toEqual([[], [[1], [3]], []]);
    expect(r.failures).toEqual([
      { asset: 'clean', partition: 'k0', error: "not run: upstream 'raw' failed or was cancelled in this backfill" },
      { asset: 'clean', partition: 'k2', error: "not run: upstream 'raw' failed or was cancelled in this backfill" },
      ...[0, 1, 2, 3].map((k) => ({
        asset: 'rolling',
        partition: `k${k}`,
        error: "not run: upstream 'clean' failed or was cancelled in this backfill",
      })),
    ]);
  });

  it('names an unpartitioned task null and leaves finished tasks alone', () => {
    const p = backfillPlan(plannedAsset('raw', 'pp'), plannedAsset('summary', 'p', [allKeys(0, 1, 2)], 16, ['']));
    const r = ready(p, ['mf', 'p']);
    expect(r.failures).toEqual([{ asset: 'summary', partition: null, error: expect.stringContaining("upstream 'raw'") }]);
    // Done, running, skipped or already failed keys are never touched.
    const q = backfillPlan(plannedAsset('raw', 'pppp'), plannedAsset('clean', 'pppp', [sameKey(0, 4)]));
    expect(ready(q, ['ffff', 'msrc'])).toEqual({ batches: [[], []], states: ['ffff', 'msrc'], failures: [] });
  });
});

// ---- properties over random plans ----

const STATE_CHARS = ['p', 'p', 'p', 'P', 's', 'm', 'r', 'f', 'c'];

/** Random plans in dependency order: each asset reads earlier ones through ranges [lo, hi] (lo > hi: none). */
const arbPlan = fc.integer({ min: 1, max: 4 }).chain((n) =>
  fc
    .tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.record({
          size: fc.integer({ min: 0, max: 10 }),
          batchSize: fc.integer({ min: 1, max: 5 }),
          ups: fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { maxLength: i }),
          seed: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 40, maxLength: 40 }),
          // as the planner sends ranges, or as plans made before runs carry them
          runs: fc.boolean(),
        }),
      ),
    )
    .map((specs) => {
      const assets: PlannedAsset[] = [];
      specs.forEach((s, i) => {
        let r = 0;
        const next = (m: number) => s.seed[r++ % s.seed.length] % m;
        const deps: PlannedDep[] = (i === 0 ? [] : s.ups).map((up) => {
          const m = assets[up].keys.length;
          const lo: number[] = [];
          const hi: number[] = [];
          for (let k = 0; k < s.size; k++) {
            if (m === 0 || next(5) === 0) {
              lo.push(m === 0 ? 0 : next(m) + 1);
              hi.push(lo[k] - 1);
              continue;
            }
            const a = next(m);
            lo.push(a);
            hi.push(Math.min(m - 1, a + next(3)));
          }
          return s.runs ? runsOf({ up, lo, hi }) : { up, lo, hi };
        });
        // about one key in five skipped as up to date
        assets.push(
          plannedAsset(
            `a${i}`,
            range(s.size)
              .map(() => (next(5) === 0 ? 's' : 'p'))
              .join(''),
            deps,
            s.batchSize,
          ),
        );
      });
      return backfillPlan(...assets);
    }),
);

const arbStates = (p: BackfillPlan) =>
  fc.tuple(
    ...p.assets.map((a) =>
      fc.array(fc.constantFrom(...STATE_CHARS), { minLength: a.keys.length, maxLength: a.keys.length }).map((s) => s.join('')),
    ),
  );

describe('readyBatches properties', () => {
  it('a batch is a contiguous run of pending keys, at most batchSize long, each with every upstream key done; nothing ready is left out', () => {
    fc.assert(
      fc.property(
        arbPlan.chain((p) => fc.tuple(fc.constant(p), arbStates(p))),
        ([p, before]) => {
          const st = before.map((s) => [...s]);
          const failures: BackfillFailure[] = [];
          const batches = readyBatches(p, st, failures);
          const inBatch = new Set<string>();
          for (const b of batches) {
            const a = p.assets[b.asset];
            expect(b.keys.length).toBeGreaterThan(0);
            expect(b.keys.length).toBeLessThanOrEqual(a.batchSize);
            b.keys.forEach((k, j) => {
              if (j > 0) expect(k).toBe(b.keys[j - 1] + 1);
            });
            if (b.keys.some((k) => before[b.asset][k] === 'P')) expect(b.keys).toHaveLength(1);
            for (const k of b.keys) {
              expect('pP').toContain(st[b.asset][k]);
              for (const [u, j] of upstreamOf(p, b.asset, k)) expect('ms').toContain(st[u][j]);
              expect(inBatch.has(`${b.asset}/${k}`)).toBe(false);
              inBatch.add(`${b.asset}/${k}`);
            }
          }
          p.assets.forEach((a, i) =>
            a.keys.forEach((_, k) => {
              const ups = upstreamOf(p, i, k).map(([u, j]) => st[u][j]);
              const wasPending = 'pP'.includes(before[i][k]);
              // A pending key fails exactly when it reads a failed or cancelled key, and is ready exactly when all it reads is done.
              expect(st[i][k]).toBe(wasPending && ups.some((c) => 'fc'.includes(c)) ? 'f' : before[i][k]);
              expect(inBatch.has(`${i}/${k}`)).toBe(wasPending && st[i][k] !== 'f' && ups.every((c) => 'ms'.includes(c)));
            }),
          );
          expect(failures).toHaveLength(st.flat().filter((c, n) => c !== before.join('')[n]).length);
        },
      ),
    );
  });

  it('adjacent batches of one asset are split only by batchSize or a lone P', () => {
    fc.assert(
      fc.property(
        arbPlan.chain((p) => fc.tuple(fc.constant(p), arbStates(p))),
        ([p, before]) => {
          const batches: Batch[] = readyBatches(
            p,
            before.map((s) => [...s]),
            [],
          );
          for (let n = 1; n < batches.length; n++) {
            const [x, y] = [batches[n - 1], batches[n]];
            if (x.asset !== y.asset || x.keys[x.keys.length - 1] + 1 !== y.keys[0]) continue;
            const lone = (b: Batch) => b.keys.length === 1 && before[b.asset][b.keys[0]] === 'P';
            expect(x.keys.length === p.assets[x.asset].batchSize || lone(x) || lone(y)).toBe(true);
          }
        },
      ),
    );
  });

  it('driven to the end as the workflow drives it, every task ends done or failed, never before its upstream, failures only where earned', () => {
    fc.assert(
      fc.property(
        arbPlan.chain((p) =>
          fc.tuple(
            fc.constant(p),
            fc.tuple(...p.assets.map((a) => fc.uniqueArray(fc.nat({ max: Math.max(0, a.keys.length - 1) }), { maxLength: 3 }))),
          ),
        ),
        ([p, broken]) => {
          const st = p.assets.map((a) => [...a.initial]);
          const failures: BackfillFailure[] = [];
          const runs = new Map<string, number>();
          for (let round = 0; ; round++) {
            expect(round).toBeLessThan(500);
            const batches = readyBatches(p, st, failures);
            if (batches.length === 0) break;
            for (const b of batches) {
              for (const k of b.keys) for (const [u, j] of upstreamOf(p, b.asset, k)) expect('ms').toContain(st[u][j]);
              // As the workflow: a failing batch of several is re-run key by key; a failing single key fails.
              const bad = b.keys.filter((k) => broken[b.asset].includes(k));
              for (const k of b.keys) {
                runs.set(`${b.asset}/${k}`, (runs.get(`${b.asset}/${k}`) ?? 0) + 1);
                st[b.asset][k] = bad.length === 0 ? 'm' : b.keys.length > 1 ? 'P' : 'f';
              }
              if (bad.length && b.keys.length === 1)
                failures.push({ asset: p.assets[b.asset].asset, partition: p.assets[b.asset].keys[b.keys[0]], error: 'broken' });
            }
          }
          expect(readiness(p, st).finished()).toBe(true);
          // Expected failures, computed independently: a key to run that is broken or reads a failed key.
          const failed: boolean[][] = [];
          p.assets.forEach((a, i) =>
            failed.push(
              a.keys.map((_, k) => a.initial[k] === 'p' && (broken[i].includes(k) || upstreamOf(p, i, k).some(([u, j]) => failed[u][j]))),
            ),
          );
          p.assets.forEach((a, i) =>
            a.keys.forEach((key, k) => {
              expect(st[i][k]).toBe(a.initial[k] === 's' ? 's' : failed[i][k] ? 'f' : 'm');
              expect(failures.filter((f) => f.asset === a.asset && f.partition === key)).toHaveLength(failed[i][k] ? 1 : 0);
              // a successful key runs once, or twice when its first batch broke on another key
              expect(runs.get(`${i}/${k}`) ?? 0).toBeLessThanOrEqual(2);
            }),
          );
        },
      ),
    );
  });

  it('a plan plans the same whether its ranges come as runs or as arrays', () => {
    fc.assert(
      fc.property(
        arbPlan.chain((p) => fc.tuple(fc.constant(p), arbStates(p))),
        ([p, before]) => {
          const as = (form: (d: PlannedDep, n: number) => PlannedDep) =>
            backfillPlan(...p.assets.map((a) => ({ ...a, deps: a.deps.map((d) => form(d, a.keys.length)) })));
          const viaRuns = ready(
            as((d, n) => runsOf(arraysOf(d, n))),
            before,
          );
          expect(ready(as(arraysOf), before)).toEqual(viaRuns);
        },
      ),
    );
  });
});

describe('failures carried through continue-as-new', () => {
  const arbFailure = fc.record({
    asset: fc.constantFrom('raw', 'clean'),
    partition: fc.option(fc.string({ maxLength: 12 }), { nil: null }),
    error: fc.string({ maxLength: 3_000 }),
  });

  it('are the newest ones, in order, within the count and the byte budget, errors cut to their limit', () => {
    fc.assert(
      fc.property(fc.array(arbFailure, { maxLength: 60 }), fc.nat({ max: 40 }), fc.nat({ max: 40_000 }), (all, count, budget) => {
        const kept = newestFailures(all, count, budget, 500);
        expect(kept.length).toBeLessThanOrEqual(count);
        expect(JSON.stringify(kept).length - 2 - Math.max(0, kept.length - 1)).toBeLessThanOrEqual(budget);
        const tail = all.slice(all.length - kept.length);
        kept.forEach((f, i) => {
          expect({ ...f, error: '' }).toEqual({ ...tail[i], error: '' });
          expect(f.error).toBe(tail[i].error.length > 500 ? `${tail[i].error.slice(0, 500)}…` : tail[i].error);
        });
        // nothing newer left out while room remained
        if (kept.length < Math.min(count, all.length)) {
          const next = all[all.length - kept.length - 1];
          const cut = next.error.length > 500 ? { ...next, error: `${next.error.slice(0, 500)}…` } : next;
          expect(JSON.stringify([cut, ...kept]).length - 2 - kept.length).toBeGreaterThan(budget);
        }
      }),
    );
  });
});

describe('readiness kept up to date', () => {
  type Op =
    | { op: 'next'; limit: number }
    | { op: 'launch' }
    | { op: 'complete'; pick: number; to: 'm' | 'f' | 'P' | 'c' }
    | { op: 'retryFailed' }
    | { op: 'cancel' };
  const arbOp: fc.Arbitrary<Op> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ op: fc.constant('next' as const), limit: fc.integer({ min: 0, max: 4 }) }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('launch' as const) }) },
    {
      weight: 5,
      arbitrary: fc.record({
        op: fc.constant('complete' as const),
        pick: fc.nat(),
        to: fc.constantFrom('m' as const, 'm' as const, 'f' as const, 'P' as const, 'c' as const),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('retryFailed' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const) }) },
  );

  it('answers at every step what a full scan of every task answers: the same batches in the same order, the same failures, the same states', () => {
    fc.assert(
      fc.property(
        arbPlan.chain((p) =>
          fc.tuple(fc.constant(p), fc.oneof(fc.constant(p.assets.map((a) => a.initial)), arbStates(p)), fc.array(arbOp, { maxLength: 60 })),
        ),
        ([p, start, ops]) => {
          const mine = start.map((s) => [...s]);
          const scan = start.map((s) => [...s]);
          let tasks = readiness(p, mine);
          const [mineFailures, scanFailures]: BackfillFailure[][] = [[], []];
          const setBoth = (i: number, k: number, c: string) => {
            tasks.set(i, k, c);
            scan[i][k] = c;
          };
          for (const o of ops) {
            if (o.op === 'next' || o.op === 'launch') {
              const limit = o.op === 'next' ? o.limit : 1;
              const expected = readyBatchesByScan(p, scan, scanFailures).slice(0, limit);
              expect(tasks.next(limit, mineFailures)).toEqual(expected);
              expect(mineFailures).toEqual(scanFailures);
              if (o.op === 'launch') for (const b of expected) for (const k of b.keys) setBoth(b.asset, k, 'r');
            } else if (o.op === 'complete') {
              const running = scan.flatMap((st, i) => st.flatMap((c, k) => (c === 'r' ? [[i, k] as const] : [])));
              if (running.length) {
                const [i, k] = running[o.pick % running.length];
                setBoth(i, k, o.to);
              }
            } else if (o.op === 'retryFailed') {
              // as the workflow's retry signal: every failed task pending again, the bookkeeping built anew
              for (const st of [mine, scan]) st.forEach((s) => s.forEach((c, k) => c === 'f' && (s[k] = 'p')));
              tasks = readiness(p, mine);
            } else {
              scan.forEach((s, i) => s.forEach((c, k) => (c === 'p' || c === 'P') && setBoth(i, k, 'c')));
            }
            expect(mine).toEqual(scan);
            expect(tasks.finished()).toBe(scan.every((s) => s.every((c) => !'pPr'.includes(c))));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
