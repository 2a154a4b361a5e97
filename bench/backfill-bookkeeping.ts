// The backfill workflow's own bookkeeping as the backfill grows, without Temporal: a 5-asset
// daily chain (batches of 16, 8 running at once) driven to the end as the workflow drives it,
// once with the incremental readiness the workflow uses (workflows/backfill-readiness.ts) and
// once with the full scan of every task it replaced (test/support/ready-batches.ts), plus the
// plan's size as it crosses Temporal, ranges as runs and as arrays. Writes
// bench/results/backfill-bookkeeping.json.
//   node --import tsx bench/backfill-bookkeeping.ts [--sizes 400,2000,10000]
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { BackfillFailure, BackfillPlan } from '../contract/backfill.ts';
import { readiness, type Batch } from '../workflows/backfill-readiness.ts';
import { arraysOf, backfillPlan, plannedAsset, sameKey } from '../test/support/backfill-plan.ts';
import { readyBatchesByScan } from '../test/support/ready-batches.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '400,2000,10000' } } });
const sizes = values.sizes!.split(',').map(Number);
const ASSETS = 5;
const BATCH = 16;
const CONCURRENCY = 8;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function chain(n: number): BackfillPlan {
  // daily keys from 1990-01-01, as the plan carries them
  const keys = Array.from({ length: n }, (_, i) => new Date(Date.UTC(1990, 0, 1 + i)).toISOString().slice(0, 10));
  return backfillPlan(
    ...Array.from({ length: ASSETS }, (_, i) => plannedAsset(`b${i + 1}`, 'p'.repeat(n), i === 0 ? [] : [sameKey(i - 1, n)], BATCH, keys)),
  );
}

/** Drives the plan to the end: `ready(limit)` gives the next batches, the oldest running batch completes next. Returns ms per completion. */
function drive(
  plan: BackfillPlan,
  states: string[][],
  ready: (limit: number) => Batch[],
  set: (i: number, k: number, c: string) => void,
): { completions: number; msPerCompletion: number } {
  const running: Batch[] = [];
  let completions = 0;
  const started = performance.now();
  for (;;) {
    for (const b of ready(CONCURRENCY - running.length)) {
      for (const k of b.keys) set(b.asset, k, 'r');
      running.push(b);
    }
    const b = running.shift();
    if (!b) break;
    for (const k of b.keys) set(b.asset, k, 'm');
    completions++;
  }
  const ms = performance.now() - started;
  if (!states.every((s) => s.every((c) => c === 'm'))) throw new Error('the drive left tasks undone');
  return { completions, msPerCompletion: ms / completions };
}

const loadBefore = os.loadavg().map((x) => round(x));
const bySize: Record<string, unknown> = {};
// a middle size once at the start, unrecorded: the JIT's warm-up would count against the first size
for (const [n, recorded] of [[2000, false] as const, ...sizes.map((n) => [n, true] as const)]) {
  const plan = chain(n);
  const failures: BackfillFailure[] = [];
  const incStates = plan.assets.map((a) => [...a.initial]);
  const tasks = readiness(plan, incStates);
  const incremental = drive(plan, incStates, (limit) => tasks.next(limit, failures), tasks.set);
  const scanStates = plan.assets.map((a) => [...a.initial]);
  const scan = drive(
    plan,
    scanStates,
    (limit) => readyBatchesByScan(plan, scanStates, failures).slice(0, limit),
    (i, k, c) => (scanStates[i][k] = c),
  );
  if (!recorded) continue;
  const asArrays = { ...plan, assets: plan.assets.map((a) => ({ ...a, deps: a.deps.map((d) => arraysOf(d, a.keys.length)) })) };
  bySize[n] = {
    tasks: n * ASSETS,
    completions: incremental.completions,
    incremental_us_per_completion: round(incremental.msPerCompletion * 1000),
    full_scan_us_per_completion: round(scan.msPerCompletion * 1000),
    plan_bytes_ranges_as_runs: JSON.stringify(plan).length,
    plan_bytes_ranges_as_arrays: JSON.stringify(asArrays).length,
  };
  console.log(`${n} × ${ASSETS}: ${JSON.stringify(bySize[n])}`);
}
const at = (n: number, key: string) => (bySize[n] as Record<string, number>)[key];
const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
const result = {
  when: new Date().toISOString(),
  command: `node --import tsx bench/backfill-bookkeeping.ts --sizes ${sizes.join(',')}`,
  workload: `${ASSETS}-asset daily chain, batches of ${BATCH}, ${CONCURRENCY} running at once, driven to the end in one process (no Temporal): the workflow's readiness work per completed batch`,
  load_average_before: loadBefore,
  load_average_after: os.loadavg().map((x) => round(x)),
  by_partitions: bySize,
  // cost per completion at the largest size over the smallest: 1 is flat
  incremental_growth: round(at(large, 'incremental_us_per_completion') / at(small, 'incremental_us_per_completion')),
  full_scan_growth: round(at(large, 'full_scan_us_per_completion') / at(small, 'full_scan_us_per_completion')),
  growth_sizes: `${large} over ${small}`,
};
writeFileSync('bench/results/backfill-bookkeeping.json', JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify({ incremental_growth: result.incremental_growth, full_scan_growth: result.full_scan_growth }));
