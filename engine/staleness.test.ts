// Staleness from the Delta logs alone (no Temporal): which partitions a late correction touches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import project from '../assets/index.ts';
import { definitions, keysBetween, type AssetDef } from '../core/index.ts';
import { tempDir } from '../test/harness.ts';
import { openStore } from '../storage/index.ts';
import { materializeMany, partitionStates } from './index.ts';

const dir = tempDir('staleness');
const warehouse = openStore(dir);
const days = (a: string, b: string) => keysBetween(project.get('transactions').partitions!, a, b);

/** The same project whose `transactions` source writes corrected amounts (a late correction). */
function corrected(): ReturnType<typeof definitions> {
  const tx = project.get('transactions');
  const sql = tx.sql as (c: Parameters<Exclude<AssetDef['sql'], string | undefined>>[0]) => string;
  const fixed: AssetDef = { ...tx, sql: (ctx) => `SELECT * REPLACE (CAST(amount + 1 AS DECIMAL(10, 2)) AS amount) FROM (${sql(ctx)})` };
  return definitions({ assets: [fixed, project.get('user_profiles'), project.get('user_purchases_30d')] });
}

beforeAll(async () => {
  await materializeMany({ graph: project, warehouse, asset: 'transactions', partitions: days('2026-01-03', '2026-03-15') });
  await materializeMany({ graph: project, warehouse, asset: 'user_profiles', partitions: [''] });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('partitionStates', () => {
  it('missing before, up to date after, stale exactly over the 30 days reading a corrected day', async () => {
    const keys = days('2026-02-01', '2026-03-15');
    const before = await partitionStates(project, warehouse, 'user_purchases_30d', keys);
    expect([...before.values()].every((s) => s.state === 'missing')).toBe(true);

    await materializeMany({ graph: project, warehouse, asset: 'user_purchases_30d', partitions: keys });
    const after = await partitionStates(project, warehouse, 'user_purchases_30d', keys);
    expect([...after.values()].every((s) => s.state === 'up_to_date')).toBe(true);

    await materializeMany({ graph: corrected(), warehouse, asset: 'transactions', partitions: ['2026-02-10'] });
    const states = await partitionStates(project, warehouse, 'user_purchases_30d', keys);
    const stale = keys.filter((k) => states.get(k)!.state === 'outdated');
    expect(stale).toEqual(days('2026-02-10', '2026-03-11'));
    expect(states.get('2026-02-10')!.reason).toMatch(/^transactions 2026-02-10 changed in v\d+ after this read v\d+$/);
    expect(states.get('2026-03-12')!.state).toBe('up_to_date');
  });

  it('an unpartitioned upstream read with allPartitions() makes every partition stale when it changes', async () => {
    await materializeMany({ graph: project, warehouse, asset: 'user_profiles', partitions: [''] });
    const states = await partitionStates(project, warehouse, 'user_purchases_30d', ['2026-02-01', '2026-03-15']);
    expect(states.get('2026-03-15')!.reason).toMatch(/^user_profiles changed in v1 after this read v0$/);
    const profile = await partitionStates(project, warehouse, 'user_profiles', undefined);
    expect(profile.get('')).toEqual({ state: 'up_to_date' });
  });
});
