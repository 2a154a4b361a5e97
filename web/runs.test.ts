// Runs and logs against a real worker and Temporal: the runs list (every attempt, whatever started
// it, filtered), a partition's full history, a failure's error, stack, attempt, log lines and its
// own Temporal link, and `freshet logs` printing the same lines.
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fileURLToPath } from 'node:url';
import { startMaterialize } from '../control/materialize.ts';
import { startWorkflow } from '../control/start-workflow.ts';
import { backfillWorkflowId, catchUpWorkflowId, refreshWorkflowId } from '../contract/ids.ts';
import { scheduledQueue } from '../contract/queues.ts';
import type { BackfillRequest } from '../contract/backfill.ts';
import { logsCommand } from '../cli/commands/logs.ts';
import { startHarness, testConfig, type Harness } from '../test/harness.ts';
import project from '../test/fixtures/web-project.ts';
import type { PartitionHistory, RunList } from './api-types.ts';
import { startWebServer, type WebServer } from './index.ts';

let h: Harness;
let web: WebServer;
const UI = 'http://127.0.0.1:8233';

beforeAll(async () => {
  h = await startHarness(project, testConfig('web-runs'));
  web = await startWebServer({ config: h.config, graph: project, client: h.client, port: 0, page: false, temporalUiUrl: UI });
});
afterAll(async () => {
  await web?.stop();
  await h?.stop();
});

async function get<T>(path: string): Promise<T> {
  const res = await fetch(web.url + path);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A backfill started as the page starts one, followed to its end through Temporal. */
async function backfill(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${web.url}/api/backfills`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await h.client.workflow.getHandle(id).result();
  return id;
}

/** What `freshet materialize <asset> --partition <key>` starts; returns its workflow id and run id. */
async function materialize(name: string, key: string | undefined): Promise<{ workflowId: string; runId: string; failed: boolean }> {
  const handle = await startMaterialize(h.client, h.config.taskQueue, project.get(name), key);
  const failed = await handle.result().then(
    () => false,
    () => true,
  );
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, failed };
}

async function freshetLogs(...args: string[]): Promise<string> {
  const program = new Command('freshet').exitOverride();
  logsCommand(program);
  const out: string[] = [];
  vi.stubEnv('TEMPORAL_ADDRESS', h.config.temporalAddress);
  vi.stubEnv('FRESHET_TASK_QUEUE', h.config.taskQueue);
  vi.stubEnv('FRESHET_WAREHOUSE', h.config.warehouse);
  vi.stubEnv('FRESHET_PROJECT', fileURLToPath(new URL('../test/fixtures/web-project.ts', import.meta.url)));
  const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => {
    out.push(s);
  });
  try {
    await program.parseAsync(['node', 'freshet', 'logs', ...args]);
  } finally {
    spy.mockRestore();
    vi.unstubAllEnvs();
  }
  return out.join('\n');
}

describe('runs and logs', () => {
  let cli: { workflowId: string; runId: string };
  let backfillId: string;

  it('lists a `materialize --partition` run and a backfill run with their trigger, status and rows; filters by asset, status and trigger', async () => {
    cli = await materialize('clicks', '2026-01-01');
    backfillId = await backfill({ assets: ['clicks'], from: '2026-01-02', to: '2026-01-03' });

    const all = await get<RunList>('/api/runs?asset=clicks');
    expect(all.total).toBe(3);
    // newest first: the backfill's two, then the CLI's
    expect(all.runs.map((r) => r.partition)).toEqual(expect.arrayContaining(['2026-01-02', '2026-01-03']));
    expect(all.runs[2]).toMatchObject({
      asset: 'clicks',
      partition: '2026-01-01',
      trigger: 'materialize',
      status: 'succeeded',
      attempt: 1,
      rows: 50,
      workflowId: cli.workflowId,
      runId: cli.runId,
      temporalUrl: `${UI}/namespaces/default/workflows/${encodeURIComponent(cli.workflowId)}/${cli.runId}/history`,
    });
    for (const r of all.runs.slice(0, 2)) {
      expect(r).toMatchObject({ asset: 'clicks', trigger: 'backfill', status: 'succeeded', attempt: 1, rows: 50, workflowId: backfillId });
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
      expect(r.startedAt).toBeGreaterThan(Date.now() - 600_000);
    }
    expect(all.runs[0].startedAt).toBeGreaterThanOrEqual(all.runs[2].startedAt);

    const byTrigger = await get<RunList>('/api/runs?trigger=materialize');
    expect(byTrigger.runs.map((r) => [r.asset, r.partition])).toEqual([['clicks', '2026-01-01']]);
    expect((await get<RunList>('/api/runs?trigger=backfill&asset=clicks')).total).toBe(2);
    expect((await get<RunList>('/api/runs?status=failed&asset=clicks')).total).toBe(0);
    expect((await get<RunList>('/api/runs?asset=users')).total).toBe(0);
    // paged: the same rows, one at a time
    const second = await get<RunList>('/api/runs?asset=clicks&offset=1&limit=1');
    expect(second).toMatchObject({ total: 3, offset: 1 });
    expect(second.runs).toEqual([all.runs[1]]);
    // bad filters are refused, naming the field
    const bad = await fetch(`${web.url}/api/runs?trigger=cron`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/trigger/);
  });

  it("a partition's history holds every attempt (more than 20), newest first, paged, with the input versions each read", async () => {
    await materialize('users', undefined);
    const N = 23;
    for (let i = 0; i < N; i++) expect((await materialize('clicks_per_user', '2026-01-01')).failed).toBe(false);
    const seen: PartitionHistory['runs'] = [];
    for (let offset = 0; ; offset += 10) {
      const p = await get<PartitionHistory>(`/api/runs/clicks_per_user/history?key=2026-01-01&offset=${offset}&limit=10`);
      expect(p.total).toBe(N);
      seen.push(...p.runs);
      if (p.runs.length < 10) break;
    }
    expect(seen).toHaveLength(N);
    const versions = seen.map((r) => r.version!);
    expect(versions).toEqual([...versions].sort((a, b) => b - a));
    expect(new Set(versions).size).toBe(N);
    for (const r of seen) {
      expect(r).toMatchObject({ status: 'succeeded', trigger: 'materialize', rows: 7, inputVersions: { clicks: 2, users: 0 } });
      expect(r.peakMemoryBytes).toBeGreaterThan(0);
      expect(r.mode).toBe('partition');
    }
    // each from its own workflow run
    expect(new Set(seen.map((r) => r.runId)).size).toBe(N);
  });

  it('a failed attempt shows its error with the stack, its attempt, its own log lines and a Temporal link to its own run; `freshet logs` prints them', async () => {
    const one = await materialize('broken', '2026-01-05');
    expect(one.failed).toBe(true);
    const viaBackfill = await backfill({ assets: ['broken'], from: '2026-01-06', to: '2026-01-06' });

    const first = await get<PartitionHistory>('/api/runs/broken/history?key=2026-01-05');
    expect(first.total).toBe(1);
    const f = first.runs[0];
    expect(f).toMatchObject({
      status: 'failed',
      attempt: 1,
      trigger: 'materialize',
      workflowId: one.workflowId,
      runId: one.runId,
      error: expect.stringContaining('bad data in 2026-01-05'),
      temporalUrl: `${UI}/namespaces/default/workflows/${encodeURIComponent(one.workflowId)}/${one.runId}/history`,
    });
    expect(f.errorDetail!.stack).toMatch(/bad data in 2026-01-05[\s\S]*\n\s+at /);
    // the worker's lines of this attempt, and of no other
    expect(f.lines!.length).toBeGreaterThan(0);
    expect(f.lines!.some((l) => JSON.stringify(l).includes('bad data in 2026-01-05'))).toBe(true);
    for (const l of f.lines!) {
      expect(l).toMatchObject({ asset: 'broken', partition: '2026-01-05', workflowId: one.workflowId });
      expect(JSON.stringify(l)).not.toContain('2026-01-06');
    }

    const second = (await get<PartitionHistory>('/api/runs/broken/history?key=2026-01-06')).runs[0];
    expect(second).toMatchObject({ status: 'failed', trigger: 'backfill', workflowId: viaBackfill, attempt: 1 });
    expect(second.temporalUrl).toContain(encodeURIComponent(viaBackfill));
    expect(second.temporalUrl).not.toBe(f.temporalUrl);
    expect(second.lines!.some((l) => JSON.stringify(l).includes('bad data in 2026-01-06'))).toBe(true);

    // the runs list has both failures, filtered by status
    const failed = await get<RunList>('/api/runs?status=failed');
    expect(failed.runs.map((r) => r.partition).sort()).toEqual(['2026-01-05', '2026-01-06']);
    expect(failed.runs.every((r) => r.status === 'failed' && r.error?.includes('bad data'))).toBe(true);

    const printed = await freshetLogs('broken', '--partition', '2026-01-05');
    expect(printed).toContain(`failed · attempt 1 · materialize`);
    expect(printed).toContain(`workflow ${one.workflowId} run ${one.runId}`);
    expect(printed).toMatch(/Error: bad data in 2026-01-05\n\s+at /);
    // its log lines, one per line, as the API gave them
    for (const l of f.lines!) expect(printed).toContain(String(l.msg));
    expect(printed).not.toContain('2026-01-06');
  });

  it("`freshet logs` of a success names its run; an unknown partition's says so", async () => {
    const printed = await freshetLogs('clicks', '--partition', '2026-01-01');
    expect(printed).toContain('succeeded · attempt 1 · materialize');
    expect(printed).toContain(`workflow ${cli.workflowId} run ${cli.runId}`);
    expect(printed).toContain('50 rows');
    expect(await freshetLogs('clicks', '--partition', '2026-01-20')).toContain('no attempt recorded yet');
    await expect(freshetLogs('clicks')).rejects.toThrow(/partitioned: give --partition/);
  });

  it('a scheduled refresh and a catch-up are listed as such, as their starters send them and by their ids when a request carries no trigger', async () => {
    const q = h.config.taskQueue;
    const start = async (workflowId: string, request: BackfillRequest) =>
      (await startWorkflow(h.client, 'backfill', { taskQueue: scheduledQueue(q), workflowId, args: [{ request }] })).result();
    const base = { assets: ['by_region'], downstream: false, force: true };
    // the trigger the request carries is what is recorded (this id alone would say 'backfill')
    await start(backfillWorkflowId(q, 'threaded-01'), { ...base, from: 'eu', to: 'eu', trigger: 'schedule' });
    await start(catchUpWorkflowId(q, 'g', 1), { ...base, from: 'us', to: 'us', trigger: 'catch-up' });
    // a schedule created before triggers were recorded sends none: its workflow id tells
    await start(`${refreshWorkflowId(q, 'by_region')}-2`, { ...base, from: 'apac', to: 'apac' });
    // read at once: the API sees a commit as soon as it has landed
    const rows = (await get<RunList>('/api/runs?asset=by_region')).runs;
    expect(Object.fromEntries(rows.map((r) => [r.partition, r.trigger]))).toEqual({ eu: 'schedule', us: 'catch-up', apac: 'schedule' });
    expect((await get<RunList>('/api/runs?trigger=catch-up')).runs.map((r) => r.partition)).toEqual(['us']);
  });

  it('the log endpoint reads only the asset’s own log objects', async () => {
    const res = await fetch(`${web.url}/api/runs/clicks/log?path=${encodeURIComponent('_freshet/failures/broken/key=2026-01-05.json')}`);
    expect(res.status).toBe(400);
    const up = await fetch(
      `${web.url}/api/runs/clicks/log?path=${encodeURIComponent('_freshet/logs/clicks/../../clicks/_delta_log/00000000000000000000.json')}`,
    );
    expect(up.status).toBe(400);
  });
});
