// Statuses that tell the truth: a backfill with failed partitions ends `failed` with its counts, a
// cancelled one `cancelled` (in the API, in `freshet backfill --list` and in Temporal's own
// status), a paused one is listed `paused`; and the counts keep materialized, skipped, failed,
// cancelled and left apart, adding up to the total. A real worker, Temporal dev server and CLI.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, testConfig, type Harness } from '../test/harness.ts';
import project from '../test/fixtures/web-project.ts';
import { backfillCounts, type BackfillCounts, type BackfillDetail, type BackfillSummary } from './api-types.ts';
import { startWebServer, type WebServer } from './index.ts';
import { until } from '../test/support/until.ts';

let h: Harness;
let web: WebServer;

beforeAll(async () => {
  h = await startHarness(project, testConfig('backfill-status', { project: path.resolve('test/fixtures/web-project.ts') }));
  web = await startWebServer({ config: h.config, graph: project, client: h.client, port: 0, page: false });
});
afterAll(async () => {
  await web?.stop();
  await h?.stop();
});

async function call<T>(p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(
    web.url + p,
    body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
  );
  return { status: res.status, body: (await res.json()) as T };
}
const detail = async (id: string) => (await call<BackfillDetail>(`/api/backfills/${encodeURIComponent(id)}`)).body;
const listed = async (id: string) =>
  (await call<{ backfills: BackfillSummary[] }>('/api/backfills?limit=500')).body.backfills.find((b) => b.id === id);

const cli = (args: string[]) =>
  promisify(execFile)('node', ['bin/freshet.mjs', ...args], { env: h.env, timeout: 90_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
/** The status column of backfill `id` in `freshet backfill --list`. */
async function cliStatus(id: string): Promise<string | undefined> {
  const list = await cli(['backfill', '--list']);
  expect(list.code, list.out).toBe(0);
  const row = list.out.split('\n').find((l) => l.trim().startsWith(id + ' '));
  return row?.trim().split(/\s+/)[1];
}

const adds = (c: BackfillCounts) => c.materialized + c.skipped + c.failed + c.cancelled + c.left;

async function launch(request: object): Promise<string> {
  const r = await call<{ id: string }>('/api/backfills', request);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

describe('backfill statuses', () => {
  it('a backfill with failed partitions ends `failed` with its counts; Temporal completes it; the list and the CLI say failed', async () => {
    const id = await launch({ assets: ['clicks', 'broken'], from: '2026-01-01', to: '2026-01-02', concurrency: 2 });
    const end = await until(
      'the end',
      () => detail(id),
      (d) => d.status !== 'running' && d.status !== 'planning',
    );
    expect(end.status).toBe('failed');
    const counts = backfillCounts(end.assets);
    expect(counts).toEqual({ total: 4, materialized: 2, skipped: 0, failed: 2, cancelled: 0, left: 0, running: 0 });
    expect(end.endedAt).toBeGreaterThanOrEqual(end.startedAt);
    // the workflow ran to its end: Temporal says completed, its result says failed
    const handle = h.client.workflow.getHandle(id);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(((await handle.result()) as { status: string }).status).toBe('failed');
    const row = await until(
      'listed',
      () => listed(id),
      (b) => b !== undefined,
    );
    expect(row).toMatchObject({ status: 'failed', workflowStatus: 'COMPLETED', counts });
    expect(await cliStatus(id)).toBe('failed');
    // an ended backfill cannot be cancelled: said, and its status stays
    const late = await call<{ error: string; field: string }>(`/api/backfills/${encodeURIComponent(id)}/cancel`, {});
    expect(late).toEqual({
      status: 409,
      body: { field: 'id', error: `Backfill '${id}' has already ended (completed): there is nothing to cancel.` },
    });
    expect((await handle.describe()).status.name).toBe('COMPLETED');

    // all succeeded: `succeeded`
    const ok = await launch({ assets: ['clicks'], from: '2026-01-03', to: '2026-01-03' });
    await until(
      'succeeded',
      () => detail(ok),
      (d) => d.status === 'succeeded',
    );
    expect(
      await until(
        'listed',
        () => listed(ok),
        (b) => b?.status === 'succeeded',
      ),
    ).toMatchObject({
      counts: { total: 1, materialized: 1, left: 0 },
    });
  });

  it('a paused backfill is listed `paused`; a cancelled one ends CANCELLED in Temporal and `cancelled` everywhere; the counts add up', async () => {
    // clicks of 2026-01-01..03 are up to date (the test above): skipped, not done work
    const id = await launch({ assets: ['clicks', 'stuck'], from: '2026-01-01', to: '2026-01-05', concurrency: 1 });
    await until(
      'stuck running',
      () => detail(id),
      (d) => (d.assets.find((a) => a.asset === 'stuck')?.counts.running ?? 0) > 0,
    );
    expect((await call(`/api/backfills/${encodeURIComponent(id)}/pause`, {})).status).toBe(200);
    await until(
      'listed paused',
      () => listed(id),
      (b) => b?.status === 'paused',
    );
    expect(await cliStatus(id)).toBe('paused');
    expect((await h.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
    expect((await call(`/api/backfills/${encodeURIComponent(id)}/resume`, {})).status).toBe(200);
    await until(
      'listed running',
      () => listed(id),
      (b) => b?.status === 'running',
    );

    // while it runs, what is left is apart from what is done
    const mid = backfillCounts((await detail(id)).assets);
    expect(adds(mid)).toBe(10);
    expect(mid.skipped).toBe(3);
    expect(mid.left).toBeGreaterThan(0);

    const cancel = await cli(['backfill', '--cancel', id]);
    expect(cancel.code, cancel.out).toBe(0);
    const end = await until(
      'cancelled',
      () => detail(id),
      (d) => d.status === 'cancelled',
    );
    const counts = backfillCounts(end.assets);
    expect(adds(counts)).toBe(counts.total);
    expect(counts.total).toBe(10);
    expect(counts).toMatchObject({ skipped: 3, materialized: 2, failed: 0, left: 0, running: 0, cancelled: 5 });
    expect(end.endedAt).toBeGreaterThanOrEqual(end.startedAt);
    expect((await h.client.workflow.getHandle(id).describe()).status.name).toBe('CANCELLED');
    expect(
      await until(
        'listed cancelled',
        () => listed(id),
        (b) => b?.status === 'cancelled',
      ),
    ).toMatchObject({
      workflowStatus: 'CANCELLED',
      counts,
    });
    expect(await cliStatus(id)).toBe('cancelled');
  });
});
