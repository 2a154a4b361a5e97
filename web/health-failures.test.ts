// The grid shows a partition whose last run failed as failed from its failure record alone (a
// single run, no backfill), as soon as it is written, and materialized again after a commit.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { materialize, materializeMany, recordFailure } from '../engine/index.ts';
import { testConfig } from '../test/harness.ts';
import { createContext } from './context.ts';
import { computeHealth, stateOf } from './health.ts';
import project from '../test/fixtures/web-project.ts';

const config = testConfig('health-failures');
afterAll(() => rmSync(config.warehouse, { recursive: true, force: true }));

describe('grid health from failure records', () => {
  it('failed once recorded, though no table changed; materialized after the next commit', async () => {
    const ctx = createContext({ config, graph: project });
    const clicks = project.get('clicks');
    const days = ['2026-01-01', '2026-01-02', '2026-01-03'];
    await materializeMany({ graph: project, warehouse: ctx.warehouse, asset: 'clicks', partitions: days });
    const first = await computeHealth(ctx, clicks);
    expect(days.map((d) => stateOf(first, d))).toEqual(['materialized', 'materialized', 'materialized']);

    await recordFailure(ctx.warehouse, clicks, '2026-01-02', { error: 'boom', attempt: 3, txnVersion: 1 });
    const second = await computeHealth(ctx, clicks, first);
    expect(days.map((d) => stateOf(second, d))).toEqual(['materialized', 'failed', 'materialized']);
    expect(second.reasons.get('2026-01-02')).toMatch(/last run failed .*\(attempt 3\): boom/);

    await materialize({ graph: project, warehouse: ctx.warehouse, asset: 'clicks', partition: '2026-01-02', txnVersion: 2 });
    const third = await computeHealth(ctx, clicks, second);
    expect(days.map((d) => stateOf(third, d))).toEqual(['materialized', 'materialized', 'materialized']);
  });
});
