// Failure records against a real warehouse directory and real Delta tables (no Temporal): a
// recorded failure makes the partition 'failed' and planned by "only failed and missing"; a
// later commit clears it.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { failureRecordPath } from '../contract/failure-records.ts';
import { asset, dailyPartitions, definitions, keysBetween, source, staticPartitions } from '../core/index.ts';
import { openStore } from '../storage/index.ts';
import { tempDir } from '../test/harness.ts';
import { materialize, materializeMany, partitionStates, planPartitions, readFailures, recordFailure } from './index.ts';

const dir = tempDir('failure-records');
const warehouse = openStore(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const daily = dailyPartitions({ start: '2026-01-01' });
const broken = new Set<string>();
const graph = definitions({
  assets: [
    source({ name: 'raw', partitions: daily, sql: (ctx) => `SELECT i AS v, ${ctx.partition!.sql.key} AS label FROM range(5) r(i)` }),
    asset({
      name: 'clean',
      deps: ['raw'],
      partitions: daily,
      sql: (ctx) => {
        if (broken.has(ctx.partition!.key)) throw new Error(`clean ${ctx.partition!.key} is broken (test)`);
        return 'SELECT v * 2 AS v2 FROM raw';
      },
    }),
  ],
});
const days = keysBetween(daily, '2026-01-01', '2026-01-07');
const [d1, d2, d3, d4, , d6, d7] = days;

/** What a failed activity does: try, and record the failure it threw. */
async function failOnce(key: string, txnVersion: number): Promise<string> {
  const err = await materialize({ graph, warehouse, asset: 'clean', partition: key, txnVersion }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err?.message).toMatch(/is broken/);
  await recordFailure(warehouse, graph.get('clean'), key, { error: err!.message, attempt: 1, txnVersion });
  return err!.message;
}

const stateOf = async (keys: string[]) =>
  Object.fromEntries([...(await partitionStates(graph, warehouse, 'clean', keys))].map(([k, s]) => [k, s.state]));

describe('failure records', () => {
  it('a failed last run makes a partition failed and planned by only-failed-and-missing; a later commit clears it', async () => {
    await materializeMany({ graph, warehouse, asset: 'raw', partitions: days });
    await materializeMany({ graph, warehouse, asset: 'clean', partitions: days.slice(0, 5) });
    broken.add(d2).add(d3).add(d6);
    await failOnce(d2, 1);
    await failOnce(d3, 1);
    await failOnce(d6, 1); // never materialized, and failed
    await materializeMany({ graph, warehouse, asset: 'raw', partitions: [d4] }); // clean d4 goes stale

    expect(await stateOf(days)).toEqual({
      [d1]: 'up_to_date',
      [d2]: 'failed',
      [d3]: 'failed',
      [d4]: 'outdated',
      '2026-01-05': 'up_to_date',
      [d6]: 'failed',
      [d7]: 'missing',
    });
    expect((await partitionStates(graph, warehouse, 'clean', [d2])).get(d2)!.reason).toMatch(
      /^its last run failed at 20\d\d-.*Z \(attempt 1\): .*clean 2026-01-02 is broken \(test\)/,
    );

    const plan = await planPartitions(
      graph,
      warehouse,
      { assets: ['clean'], downstream: false, from: d1, to: d7, onlyFailedAndMissing: true },
      Date.now(),
    );
    expect(plan[0].keys.filter((_, i) => plan[0].run[i])).toEqual([d2, d3, d6, d7]);
    const all = await planPartitions(graph, warehouse, { assets: ['clean'], downstream: false, from: d1, to: d7 }, Date.now());
    expect(all[0].keys.filter((_, i) => all[0].run[i])).toEqual([d2, d3, d4, d6, d7]);

    broken.clear();
    await materialize({ graph, warehouse, asset: 'clean', partition: d2, txnVersion: 2 });
    expect(await stateOf([d2, d3])).toEqual({ [d2]: 'up_to_date', [d3]: 'failed' });

    // Failing again after that success: the newest run wins again.
    broken.add(d2);
    await failOnce(d2, 3);
    expect(await stateOf([d2])).toEqual({ [d2]: 'failed' });
  });

  it('records nothing for a partition this run already committed (its retry reports that commit)', async () => {
    broken.clear();
    await materialize({ graph, warehouse, asset: 'clean', partition: d3, txnVersion: 10 });
    expect(
      await recordFailure(warehouse, graph.get('clean'), d3, { error: 'lost after the commit', attempt: 1, txnVersion: 10 }),
    ).toBeUndefined();
    expect(await stateOf([d3])).toEqual({ [d3]: 'up_to_date' });
    // Another run failing after it still counts.
    expect(await recordFailure(warehouse, graph.get('clean'), d3, { error: 'later run', attempt: 1, txnVersion: 11 })).toBeDefined();
    expect(await stateOf([d3])).toEqual({ [d3]: 'failed' });
  });

  it('keeps one record per key for keys that are unsafe in paths, differ only in case or are long', async () => {
    const keys = ['US', 'us', '..', '.', 'A.b-C_1', 'Q'.repeat(128)];
    const regions = definitions({ assets: [source({ name: 'regions', partitions: staticPartitions(keys), sql: 'SELECT 1 AS x' })] });
    const def = regions.get('regions');
    for (const k of keys) await recordFailure(warehouse, def, k, { error: `failed ${k}`, attempt: 2 });
    const read = await readFailures(warehouse, 'regions');
    expect([...read.keys()].sort()).toEqual([...keys].sort());
    for (const k of keys) expect(read.get(k)).toMatchObject({ partition: k, error: `failed ${k}`, tableVersion: -1 });
    expect([...(await partitionStates(regions, warehouse, 'regions', keys)).values()].map((s) => s.state)).toEqual(
      keys.map(() => 'failed'),
    );

    await materializeMany({ graph: regions, warehouse, asset: 'regions', partitions: ['us', '..'] });
    const states = await partitionStates(regions, warehouse, 'regions', keys);
    expect(keys.map((k) => states.get(k)!.state)).toEqual(['failed', 'up_to_date', 'up_to_date', 'failed', 'failed', 'failed']);
  });

  it('an unreadable record stops planning with its path and the fix', async () => {
    await warehouse.put(failureRecordPath('clean', d7), '{"asset": "cle');
    await expect(partitionStates(graph, warehouse, 'clean', [d7])).rejects.toThrow(
      /failures\/clean\/key=2026-01-07\.json is not JSON .*delete it/,
    );
    await warehouse.delete(failureRecordPath('clean', d7));
  });
});
