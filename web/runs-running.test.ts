// GET /api/runs lists the attempts running now, from Temporal, before the recorded ones: a slow
// backfill shows one `running` row per partition it computes (asset, partition, trigger,
// attempt, start), the status filter keeps them or leaves them out, and they go once cancelled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyPartitions, definitions, source } from '../core/index.ts';
import { startHarness, testConfig, type Harness } from '../test/harness.ts';
import type { RunList } from './api-types.ts';
import { startWebServer, type WebServer } from './index.ts';
import { until } from '../test/support/until.ts';

// Computes for a minute in 100 ms steps, so the engine sees a cancel at the next step.
const project = definitions({
  assets: [
    source({
      name: 'slow',
      partitions: dailyPartitions({ start: '2026-01-01' }),
      schema: { id: 'BIGINT' },
      async *transform() {
        for (let left = 60_000; left > 0; left -= 100) {
          await new Promise((r) => setTimeout(r, 100));
          yield [];
        }
        yield [{ id: 1 }];
      },
    }),
  ],
});

let h: Harness;
let web: WebServer;

beforeAll(async () => {
  h = await startHarness(project, testConfig('web-runs-running'));
  web = await startWebServer({ config: h.config, graph: project, client: h.client, port: 0, page: false });
}, 120_000);
afterAll(async () => {
  await web?.stop();
  await h?.stop();
});

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(web.url + path, init);
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}
const runs = async (query = '') => {
  const r = await call(`/api/runs${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as RunList;
};

describe('running attempts in the runs list', () => {
  it('lists the running attempts first, one row per partition, then not after it is cancelled', async () => {
    const t0 = Date.now();
    const started = await call('/api/backfills', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ assets: ['slow'], from: '2026-02-01', to: '2026-02-02', concurrency: 2 }),
    });
    expect(started.status).toBe(201);
    const id = started.body.id as string;

    const list = await until(
      'two running rows',
      () => runs('?status=running'),
      (l) => l.runs.length === 2,
    );
    expect(list.total).toBe(2);
    expect(list.runs.map((r) => r.partition).sort()).toEqual(['2026-02-01', '2026-02-02']);
    for (const r of list.runs) {
      expect(r).toMatchObject({ asset: 'slow', status: 'running', trigger: 'backfill', attempt: 1, workflowId: id, durationMs: null });
      expect(r.startedAt).toBeGreaterThanOrEqual(t0 - 1_000);
      expect(r.startedAt).toBeLessThanOrEqual(Date.now());
      expect(r.runId).toMatch(/^[0-9a-f-]{36}$/);
    }
    // unfiltered, running rows come first; the trigger and asset filters keep them, others do not
    expect((await runs()).runs.slice(0, 2).map((r) => r.status)).toEqual(['running', 'running']);
    expect((await runs('?asset=slow&trigger=backfill')).runs.filter((r) => r.status === 'running')).toHaveLength(2);
    expect((await runs('?trigger=schedule')).runs).toEqual([]);
    expect((await runs('?status=failed')).runs).toEqual([]);
    expect((await runs('?status=succeeded')).runs).toEqual([]);
    // paging goes on past the running rows
    expect((await runs('?status=running&offset=1&limit=5')).runs).toHaveLength(1);

    const cancelled = await call(`/api/backfills/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBeLessThan(300);
    const after = await until(
      'no running rows',
      () => runs('?status=running'),
      (l) => l.runs.length === 0,
    );
    expect(after.total).toBe(0);
    expect((await runs()).runs.filter((r) => r.status === 'running')).toEqual([]);
  }, 120_000);
});
