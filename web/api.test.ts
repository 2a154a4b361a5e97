// The web API against a real worker and Temporal: every endpoint, bad input on each, security.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../storage/index.ts';
import { startHarness, tempDir, testConfig, type Harness } from '../test/harness.ts';
import type {
  AssetDetail,
  AssetList,
  BackfillDetail,
  BackfillPreview,
  Info,
  LagSeries,
  PartitionDetail,
  PartitionSummary,
  Schedules,
  StreamingJobs,
} from './api-types.ts';
import { serve, type ServerType } from '@hono/node-server';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  asset,
  dailyPartitions,
  definitions,
  hourlyPartitions,
  lastCompleteKey,
  lookback,
  source,
  staticPartitions,
} from '../core/index.ts';
import { MAX_BACKFILL_PARTITIONS, MAX_PLAN_BYTES } from '../core/backfill-plan.ts';
import { MAX_STREAMS_PER_CLIENT } from './api/backfills.ts';
import { createApp, createContext, startWebServer, type WebServer } from './index.ts';
import project from '../test/fixtures/web-project.ts';
import { until } from '../test/support/until.ts';

let h: Harness;
let web: WebServer;

beforeAll(async () => {
  h = await startHarness(project, testConfig('web-api'));
  web = await startWebServer({
    config: h.config,
    graph: project,
    client: h.client,
    port: 0,
    page: false,
    temporalUiUrl: 'http://127.0.0.1:8233',
  });
});
afterAll(async () => {
  await web?.stop();
  await h?.stop();
});

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(web.url + path, init);
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}
const get = (path: string) => call(path);
const post = (path: string, body: unknown) =>
  call(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('reading assets', () => {
  it('GET /api/info says what the server is connected to, and no path or credential', async () => {
    const { status, body } = await get('/api/info');
    expect(status).toBe(200);
    expect(body as Info).toEqual({
      namespace: 'default',
      taskQueue: h.config.taskQueue,
      temporalUiUrl: 'http://127.0.0.1:8233',
      warehouse: 'local',
      backfills: true,
    });
    expect(JSON.stringify(body)).not.toContain(h.config.warehouse);
  });

  it('GET /api/assets lists every asset with deps, partitions and freshness', async () => {
    const { status, body } = await get('/api/assets');
    expect(status).toBe(200);
    const list = body as AssetList;
    expect(list.assets.map((a) => a.name).sort()).toEqual(['broken', 'by_region', 'clicks', 'clicks_per_user', 'stuck', 'users']);
    const cpu = list.assets.find((a) => a.name === 'clicks_per_user')!;
    expect(cpu.deps).toEqual([
      { asset: 'clicks', mapping: 'identity' },
      { asset: 'users', mapping: 'all' },
    ]);
    expect(cpu.freshness).toEqual({ status: 'never', lagMs: null, maxLagMs: 2 * 86_400_000 });
    expect(list.assets.find((a) => a.name === 'users')!.freshness.status).toBe('no-sla');
    expect(cpu.partitions?.kind).toBe('daily');
  });

  it('GET /api/assets/:name gives the definition; an unknown name is a 404 with a suggestion', async () => {
    const ok = await get('/api/assets/clicks_per_user');
    expect(ok.status).toBe(200);
    const a = ok.body as AssetDetail;
    expect(a.sql).toContain('GROUP BY u.name');
    expect(a.downstream).toEqual([]);
    expect(a.sla).toEqual({ maxLagMs: 2 * 86_400_000, computeBudgetMs: 43_200_000 });
    expect(a.retry.maxAttempts).toBe(3);
    expect(a.schedule).toMatchObject({ everyMs: 2 * 86_400_000, runTimeoutMs: 43_200_000, onServer: false, nextRunAt: null });
    expect(a.schedule!.description).toMatch(/a run every 2d/);
    const bad = await get('/api/assets/clickz');
    expect(bad.status).toBe(404);
    expect(bad.body.error).toMatch(/Unknown asset 'clickz'.*Did you mean 'clicks'/);
    expect(bad.body.field).toBe('name');
  });

  it('GET /api/assets/:name/partitions summarizes every partition in runs', async () => {
    const { status, body } = await get('/api/assets/by_region/partitions');
    expect(status).toBe(200);
    expect(body as PartitionSummary).toMatchObject({ kind: 'static', total: 3, keys: ['eu', 'us', 'apac'], runs: [[0, 3]] });
    const daily = (await get('/api/assets/clicks/partitions')).body as PartitionSummary;
    expect(daily.first).toBe('2026-01-01');
    expect(daily.runs.reduce((n, [, c]) => n + c, 0)).toBe(daily.total);
    const none = (await get('/api/assets/users/partitions')).body as PartitionSummary;
    expect(none).toMatchObject({ kind: 'none', total: 1, first: null });
  });

  it('GET /api/assets/:name/partitions/:key checks the key against the definition', async () => {
    const ok = await get('/api/assets/clicks/partitions/2026-01-02');
    expect(ok.status).toBe(200);
    expect(ok.body as PartitionDetail).toMatchObject({ key: '2026-01-02', state: 'missing', materialization: null });
    for (const [key, why] of [
      ['2026-13-01', /not a real date/],
      ['yesterday', /malformed/],
      ['2025-12-31', /before the first partition/],
    ] as const) {
      const bad = await get(`/api/assets/clicks/partitions/${key}`);
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('key');
      expect(bad.body.error).toMatch(why);
    }
    expect((await get('/api/assets/by_region/partitions/mars')).status).toBe(400);
  });

  it('GET /api/assets/:name/materializations and /lag; a bad limit is a 400 naming it', async () => {
    expect((await get('/api/assets/clicks/materializations?limit=5')).body).toMatchObject({ asset: 'clicks', materializations: [] });
    expect((await get('/api/assets/clicks/lag')).body as LagSeries).toEqual({ asset: 'clicks', maxLagMs: 86_400_000, points: [] });
    for (const limit of ['0', 'ten', '100000']) {
      const bad = await get(`/api/assets/clicks/materializations?limit=${limit}`);
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('limit');
    }
  });

  it('GET /api/schedules and /api/streams answer, saying what is not reported yet', async () => {
    const s = (await get('/api/schedules')).body as Schedules;
    expect(s.assets.find((r) => r.asset === 'clicks')).toMatchObject({
      sla: { maxLagMs: 86_400_000 },
      freshness: { status: 'never' },
      schedule: { everyMs: 86_400_000, onServer: false },
    });
    expect(s.assets.find((r) => r.asset === 'users')).toMatchObject({ sla: null, schedule: null, freshness: { status: 'no-sla' } });
    expect(s.staleEvents).toEqual([]);
    expect(s.monitorRunning).toBe(false);
    expect((await get('/api/streams')).body as StreamingJobs).toEqual({ jobs: [], available: true });
  });

  it('GET /api/schedules lists the late events the freshness monitor recorded, newest first', async () => {
    const store = openStore(h.config.warehouse);
    const event = (at: number, to: string) =>
      JSON.stringify({
        at,
        asset: 'clicks',
        from: 'fresh',
        to,
        lagMs: 90_000_000,
        catchUpWorkflowId: to === 'stale' ? 'q/backfill/catchup-clicks-1' : undefined,
      });
    await store.put('_freshet/freshness-events/2026-11-01T00-00-00-000Z-clicks.json', event(Date.UTC(2026, 10, 1), 'stale'));
    await store.put('_freshet/freshness-events/2026-11-02T00-00-00-000Z-clicks.json', event(Date.UTC(2026, 10, 2), 'fresh'));
    const s = (await get('/api/schedules')).body as Schedules;
    expect(s.staleEvents).toEqual([
      { at: Date.UTC(2026, 10, 2), asset: 'clicks', from: 'fresh', to: 'fresh', lagMs: 90_000_000, catchUpBackfill: null },
      {
        at: Date.UTC(2026, 10, 1),
        asset: 'clicks',
        from: 'fresh',
        // written as 'stale', the name before 'late' and 'outdated' were told apart: read as 'late'
        to: 'late',
        lagMs: 90_000_000,
        catchUpBackfill: 'q/backfill/catchup-clicks-1',
      },
    ]);
    for (const f of await store.list('_freshet/')) await store.delete(f.path);
  });

  it('an unknown endpoint is a JSON 404', async () => {
    const r = await get('/api/nothing');
    expect(r.status).toBe(404);
    expect(r.body.error).toContain('/api/nothing');
  });
});

describe('backfill requests: bad input is a 400 naming the field', () => {
  const good = { assets: ['clicks'], from: '2026-01-01', to: '2026-01-03' };
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['unknown asset', { ...good, assets: ['clicks', 'clickz'] }, 'assets[1]', /Unknown asset 'clickz'.*'clicks'/],
    ['no asset', { ...good, assets: [] }, 'assets', /at least one/],
    ['malformed range', { ...good, from: '2026/01/01' }, 'from', /malformed/],
    ['not a real date', { ...good, to: '2026-02-30' }, 'to', /not a real date/],
    ['reversed range', { ...good, from: '2026-01-05', to: '2026-01-01' }, 'to', /reversed/],
    ['half a range', { assets: ['clicks'], from: '2026-01-01' }, 'to', /both ends/],
    ['range on an unpartitioned asset', { assets: ['users'], from: '2026-01-01', to: '2026-01-02' }, 'from', /not partitioned/],
    ['concurrency 0', { ...good, concurrency: 0 }, 'concurrency', /at least 1/],
    ['concurrency 2.5', { ...good, concurrency: 2.5 }, 'concurrency', /whole number/],
    ['concurrency as text', { ...good, concurrency: '4' }, 'concurrency', /number/],
    ['an unknown field', { ...good, sql: 'DROP TABLE x' }, 'body', /sql/],
    ['downstream not a boolean', { ...good, downstream: 'yes' }, 'downstream', /boolean/],
    // a request id becomes part of a workflow id
    ...(
      [
        ['a short request id', 'abc1234'],
        ['a request id with a slash', 'abcd/../efgh'],
        ['a request id with a space', 'abcd efgh'],
        ['a request id with a quote', "abcd'efgh"],
        ['a request id of letters outside ASCII', 'ünïcödé-ïd'],
        ['a request id of 65 characters', 'a'.repeat(65)],
        ['an empty request id', ''],
        ['a request id that is a number', 12345678],
      ] as const
    ).map(([name, requestId]): [string, unknown, string, RegExp] => [
      name,
      { ...good, requestId },
      'requestId',
      typeof requestId === 'number' ? /string/ : /8 to 64 letters, digits, '-' or '_'/,
    ]),
  ];
  for (const [name, body, field, message] of cases) {
    it(`${name} → 400 on '${field}'`, async () => {
      for (const path of ['/api/backfills/preview', '/api/backfills']) {
        const r = await post(path, body);
        expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(400);
        expect(r.body.field).toBe(field);
        expect(r.body.error).toMatch(message);
      }
    });
  }

  it('an oversized body is a 413, a body that is not JSON a 400, another content type a 415', async () => {
    const big = { ...good, assets: Array.from({ length: 20_000 }, () => 'clicks') };
    expect((await post('/api/backfills/preview', big)).status).toBe(413);
    const notJson = await call('/api/backfills/preview', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"assets": [',
    });
    expect(notJson).toMatchObject({ status: 400, body: { field: 'body' } });
    const form = await call('/api/backfills', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'assets=clicks',
    });
    expect(form.status).toBe(415);
    expect((await call('/api/backfills/preview', { method: 'DELETE' })).status).toBe(405);
  });

  it('unknown backfills are 404s; a malformed id or asset a 400', async () => {
    expect((await get(`/api/backfills/${encodeURIComponent(`${h.config.taskQueue}/backfill/nope`)}`)).status).toBe(404);
    expect((await get('/api/backfills/nope')).status).toBe(404);
    expect((await post('/api/backfills/nope/cancel', {})).status).toBe(404);
    expect((await get('/api/backfills/some-id/partitions/clickz')).body.field).toBe('asset');
  });

  it('a malformed backfill id in the path is a 400 naming the path parameter, on every route that takes one', async () => {
    for (const bad of ['a b', 'tab\there', 'x'.repeat(401)]) {
      const p = `/api/backfills/${encodeURIComponent(bad)}`;
      for (const r of [
        await get(p),
        await get(`${p}/events`),
        await get(`${p}/partitions/clicks`),
        await post(`${p}/cancel`, {}),
        await post(`${p}/retry-failed`, {}),
      ]) {
        expect(r.status, JSON.stringify(r.body)).toBe(400);
        expect(r.body.field).toBe('id');
        expect(r.body.error).toMatch(/^id: /);
      }
    }
  });
});

describe('no backfill request can hold the server', () => {
  const today = new Date().toISOString().slice(0, 10);
  const newest = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

  // (That such a range is refused from its bounds, before any key is listed, is core/backfill-limits.test.ts's
  // to show; this one had a `< 5 s` check per request, a timed assertion that failed on a loaded machine.)
  it('a range past the newest complete partition is refused on "to", naming it, for preview and start alike', async () => {
    for (const to of ['9999-12-31', '2526-01-01', today]) {
      for (const path of ['/api/backfills/preview', '/api/backfills']) {
        const r = await post(path, { assets: ['clicks'], downstream: true, from: '2026-01-01', to });
        expect(r.status, JSON.stringify(r.body)).toBe(400);
        expect(r.body.field).toBe('to');
        expect(r.body.error).toContain(`the newest complete daily partition is '${newest}'`);
      }
    }
    expect((await get('/api/info')).status).toBe(200);
  });

  // Hourly since 2019: about 8,760 keys a year, so a whole history is over the limit.
  const hourly = hourlyPartitions({ start: '2019-01-01-00' });
  // 15,000 static keys of 128 chars: under the task limit, over the bytes a plan may take
  const wideKeys = Array.from({ length: 15_000 }, (_, i) => String(i).padStart(128, 'k'));
  const big = definitions({
    assets: [
      source({ name: 'events', partitions: hourly, sql: 'SELECT 1 AS x' }),
      source({ name: 'quiet', partitions: dailyPartitions({ start: '2026-01-01' }), sql: 'SELECT 1 AS x' }),
      source({ name: 'wide', partitions: staticPartitions(wideKeys), sql: 'SELECT 1 AS x' }),
      asset({ name: 'rolling', deps: { events: lookback(720) }, partitions: hourly, sql: 'SELECT 1 AS x' }),
    ],
  });
  const request = (app: ReturnType<typeof createApp>, path: string, body: unknown) =>
    app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it(`a backfill of more than ${MAX_BACKFILL_PARTITIONS} partitions is refused, naming the limit and a first range that fits`, async () => {
    const ctx = createContext({ config: h.config, graph: big, client: h.client });
    const app = createApp(ctx, { loopback: false });
    try {
      for (const body of [
        { assets: ['events'] },
        { assets: ['events'], downstream: true, from: '2019-01-01-00', to: lastCompleteKey(hourly, Date.now()) },
      ]) {
        for (const path of ['/api/backfills/preview', '/api/backfills']) {
          const r = await request(app, path, body);
          const json = await r.json();
          expect(r.status, JSON.stringify(json)).toBe(400);
          expect(json.field).toBe(body.from ? 'to' : 'from');
          expect(json.error).toMatch(
            new RegExp(
              `more than the ${MAX_BACKFILL_PARTITIONS.toLocaleString('en-US')} one backfill may plan\\. Split the range into backfills of at most [\\d,]+ hourly partitions: from '2019-01-01-00' to '[\\d-]+'`,
            ),
          );
          const [, from, to] = /from '([^']+)' to '([^']+)'/.exec(json.error)!;
          const fits = await request(app, '/api/backfills/preview', { ...body, from, to });
          expect(fits.status).toBe(200);
          expect((await fits.json()).tasks).toBeLessThanOrEqual(MAX_BACKFILL_PARTITIONS);
        }
      }
    } finally {
      await ctx.planner?.close();
    }
  });

  it('a backfill whose plan would not fit in one Temporal payload is refused, naming its size and the limit', async () => {
    const ctx = createContext({ config: h.config, graph: big, client: h.client });
    const app = createApp(ctx, { loopback: false });
    try {
      for (const path of ['/api/backfills/preview', '/api/backfills']) {
        const r = await request(app, path, { assets: ['wide'] });
        const json = await r.json();
        expect(r.status, JSON.stringify(json)).toBe(400);
        expect(json.field).toBe('from');
        expect(json.error).toMatch(/^This backfill's plan would take (\d+\.\d) MB, mostly its partition keys, more than the (\d+\.\d) MB/);
        const [, took, limit] = /take (\S+) MB.*than the (\S+) MB/.exec(json.error)!;
        expect(Number(took)).toBeGreaterThan(Number(limit));
        expect(Number(limit)).toBe(MAX_PLAN_BYTES / 1e6);
        expect(json.error).toContain('Select fewer assets, or split the selection into several backfills.');
      }
    } finally {
      await ctx.planner?.close();
    }
  });

  it('a plan that runs too long is stopped on its thread with a 503; the server answered all along and plans again after', async () => {
    // A log of 30,000 commits and no checkpoint: reading it takes seconds, more than the 1 s allowed here.
    const log = path.join(h.config.warehouse, 'events', '_delta_log');
    mkdirSync(log, { recursive: true });
    const schema = JSON.stringify({ type: 'struct', fields: [{ name: 'x', type: 'integer', nullable: true, metadata: {} }] });
    writeFileSync(
      path.join(log, `${'0'.padStart(20, '0')}.json`),
      `${JSON.stringify({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } })}\n${JSON.stringify({ metaData: { id: 'e', format: { provider: 'parquet', options: {} }, schemaString: schema, partitionColumns: [], configuration: {}, createdTime: 0 } })}\n`,
    );
    for (let v = 1; v <= 30_000; v++)
      writeFileSync(path.join(log, `${String(v).padStart(20, '0')}.json`), '{"commitInfo":{"timestamp":0,"operation":"WRITE"}}\n');
    const ctx = createContext({ config: h.config, graph: big, client: h.client, planTimeoutMs: 1_000 });
    const app = createApp(ctx, { loopback: false });
    try {
      const small = { assets: ['quiet'], from: '2026-01-01', to: '2026-01-06' };
      expect(await (await request(app, '/api/backfills/preview', small)).json()).toMatchObject({ tasks: 6 });
      let answered = 0;
      let planning = true;
      const probe = (async () => {
        while (planning) {
          expect((await app.request('/api/info')).status).toBe(200);
          answered++;
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const r = await request(app, '/api/backfills/preview', { assets: ['events'], from: '2026-01-01-00', to: '2026-01-01-05' });
      planning = false;
      await probe;
      expect(r.status).toBe(503);
      expect((await r.json()).error).toMatch(/took more than 1 s, so it was stopped: select fewer assets or a shorter range/);
      expect(answered).toBeGreaterThan(3);
      expect(await (await request(app, '/api/backfills/preview', small)).json()).toMatchObject({ tasks: 6 });
    } finally {
      await ctx.planner?.close();
      rmSync(path.join(h.config.warehouse, 'events'), { recursive: true, force: true });
    }
  });
});

describe('running backfills through the API', () => {
  it('previews, starts, lists, streams and completes a backfill; the partitions then show materialized', async () => {
    const req = { assets: ['clicks'], downstream: true, from: '2026-01-01', to: '2026-01-03', concurrency: 2 };
    const preview = await post('/api/backfills/preview', req);
    expect(preview.status).toBe(200);
    expect(preview.body as BackfillPreview).toEqual({
      tasks: 6,
      assets: [
        { asset: 'clicks', partitions: 3, toRun: 3, upToDate: 0 },
        { asset: 'clicks_per_user', partitions: 3, toRun: 3, upToDate: 0 },
      ],
    });
    // clicks_per_user reads users, which must exist first
    const users = await post('/api/backfills', { assets: ['users'] });
    expect(users.status).toBe(201);
    await until(
      'users backfill',
      () => get(`/api/backfills/${encodeURIComponent(users.body.id)}`),
      (r) => r.body.status === 'succeeded',
    );

    const started = await post('/api/backfills', req);
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const path = `/api/backfills/${encodeURIComponent(id)}`;

    // Server-sent events: the first event is the progress as it stands.
    const res = await fetch(web.url + path + '/events');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: progress');
    expect(JSON.parse(first.split('data: ')[1].split('\n')[0]).id).toBe(id);
    await reader.cancel();

    const done = await until(
      'backfill to complete',
      () => get(path),
      (r) => r.body.status === 'succeeded',
    );
    const detail = done.body as BackfillDetail;
    expect(detail.assets.map((a) => [a.asset, a.counts.materialized])).toEqual([
      ['clicks', 3],
      ['clicks_per_user', 3],
    ]);
    expect(detail.failures).toEqual([]);
    expect(detail.temporalUrl).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(id)}`);

    const parts = await get(`${path}/partitions/clicks_per_user`);
    expect(parts.body).toEqual({
      asset: 'clicks_per_user',
      keys: ['2026-01-01', '2026-01-02', '2026-01-03'],
      states: ['materialized', 'materialized', 'materialized'],
    });

    const list = await get('/api/backfills?limit=10');
    expect(list.body.backfills.map((b: { id: string }) => b.id)).toContain(id);

    const summary = await until(
      'partitions summary',
      () => get('/api/assets/clicks_per_user/partitions'),
      (r) => r.body.counts.materialized === 3,
    );
    expect((summary.body as PartitionSummary).runs.slice(0, 1)).toEqual([[1, 3]]);
    const one = (await get('/api/assets/clicks_per_user/partitions/2026-01-02')).body as PartitionDetail;
    expect(one.state).toBe('materialized');
    expect(one.materialization?.rows).toBe(7);
    expect(Object.keys(one.materialization!.inputVersions).sort()).toEqual(['clicks', 'users']);
    const mats = (await get('/api/assets/clicks_per_user/materializations')).body;
    expect(mats.materializations).toHaveLength(3);
    const lag = (await get('/api/assets/clicks/lag')).body as LagSeries;
    expect(lag.points.length).toBeGreaterThan(1);
    const assets = (await get('/api/assets')).body as AssetList;
    const clicks = assets.assets.find((a) => a.name === 'clicks')!;
    expect(clicks).toMatchObject({ materialized: 3, freshness: { status: 'late' } }); // January data, SLA 1 day
    expect(clicks.freshness.lagMs).toBeGreaterThan(300 * 86_400_000);
  });

  it('pauses, resumes and cancels a running backfill; the action bodies are checked', async () => {
    const started = await post('/api/backfills', { assets: ['stuck'], from: '2026-02-01', to: '2026-02-20', concurrency: 1 });
    expect(started.status).toBe(201);
    const path = `/api/backfills/${encodeURIComponent(started.body.id)}`;
    await until(
      'running',
      () => get(path),
      (r) => r.body.status === 'running',
    );
    // concurrency 1 is one activity, computing a batch of many partitions
    const computing = await until(
      'a batch running',
      () => get(path),
      (r) => r.body.assets[0].counts.running > 0,
    );
    expect(computing.body.runningActivities).toBe(1);
    expect(computing.body.assets[0].counts.running).toBeGreaterThan(1);
    expect((await post(`${path}/pause`, { now: true })).body.field).toBe('body');
    expect((await post(`${path}/pause`, {})).status).toBe(200);
    await until(
      'paused',
      () => get(path),
      (r) => r.body.status === 'paused',
    );
    expect((await post(`${path}/resume`, {})).status).toBe(200);
    await until(
      'running again',
      () => get(path),
      (r) => r.body.status === 'running',
    );
    expect((await post(`${path}/cancel`, {})).status).toBe(200);
    const end = await until(
      'cancelled',
      () => get(path),
      (r) => r.body.status === 'cancelled',
    );
    const counts = end.body.assets[0].counts;
    expect(counts.cancelled).toBeGreaterThan(10);

    // Re-run finishes what the cancel left, as a new backfill that names its parent; the parent lists it.
    expect((await post(`${path}/retry-failed`, { requestId: 'not ok!' })).body.field).toBe('requestId');
    const requestId = `rerun-${Date.now()}`;
    const [rerun, twice] = await Promise.all([post(`${path}/retry-failed`, { requestId }), post(`${path}/retry-failed`, { requestId })]);
    expect(rerun.status, JSON.stringify(rerun.body)).toBe(200);
    expect(rerun.body.id).toBe(`${started.body.id}/rerun-${requestId}`);
    expect(twice.body.id).toBe(rerun.body.id); // a double click starts one re-run
    expect(rerun.body.request).toMatchObject({ parent: started.body.id, requestId, assets: ['stuck'] });
    expect(rerun.body.request.only.stuck).toHaveLength(counts.cancelled + counts.failed);
    const rerunPath = `/api/backfills/${encodeURIComponent(rerun.body.id)}`;
    try {
      const parent = await until(
        'the parent to list its re-run',
        () => get(path),
        (r) => r.body.reruns?.length > 0,
        10_000,
      );
      expect((parent.body as BackfillDetail).reruns.map((r) => [r.id, r.request.parent])).toEqual([[rerun.body.id, started.body.id]]);
      expect((await get(rerunPath)).body.reruns).toEqual([]); // running: none yet
    } finally {
      await post(`${rerunPath}/cancel`, {});
    }
  });
});

describe('launching safely', () => {
  const backfillsOf = async (asset: string, from: string) =>
    ((await get('/api/backfills?limit=500')).body.backfills as Array<{ id: string; request: { assets: string[]; from?: string } }>).filter(
      (b) => b.request.assets?.[0] === asset && b.request.from === from,
    );

  it('the same request id sent twice at once starts one backfill, and both answer its id; later, too', async () => {
    const requestId = `double-click-${Date.now()}`;
    const req = { assets: ['stuck'], from: '2026-05-01', to: '2026-05-03', concurrency: 1, requestId };
    const [a, b] = await Promise.all([post('/api/backfills', req), post('/api/backfills', req)]);
    expect([a.status, b.status], JSON.stringify([a.body, b.body])).toEqual([201, 201]);
    expect(a.body.id).toBe(`${h.config.taskQueue}/backfill/request-${requestId}`);
    expect(b.body.id).toBe(a.body.id);
    const path = `/api/backfills/${encodeURIComponent(a.body.id)}`;
    try {
      await until(
        'the backfill to be listed',
        () => backfillsOf('stuck', '2026-05-01'),
        (l) => l.length > 0,
        10_000,
      );
      await new Promise((r) => setTimeout(r, 1_000)); // a second one would be listed by now too
      expect((await backfillsOf('stuck', '2026-05-01')).map((x) => x.id)).toEqual([a.body.id]);
      // the same request id with another request is a conflict, not that backfill
      const other = await post('/api/backfills', { ...req, to: '2026-05-04' });
      expect(other.status).toBe(409);
      expect(other.body.field).toBe('requestId');
      expect(other.body.error).toMatch(/already launched backfill .* with another request: give each new backfill a new request id/);
    } finally {
      await post(`${path}/cancel`, {});
    }
    await until(
      'cancelled',
      () => get(path),
      (r) => r.body.status === 'cancelled',
    );
    // sent again once the backfill ended (a retry after a lost answer): still that one, not a new one
    const late = await post('/api/backfills', req);
    expect(late).toMatchObject({ status: 201, body: { id: a.body.id } });
    expect((await get(path)).body.status).toBe('cancelled');
  });

  it('a request with nothing to run is refused with a 409 saying why; force recomputes up-to-date partitions', async () => {
    const req = { assets: ['by_region'] };
    const first = await post('/api/backfills', req);
    expect(first.status).toBe(201);
    await until(
      'by_region backfill',
      () => get(`/api/backfills/${encodeURIComponent(first.body.id)}`),
      (r) => r.body.status === 'succeeded',
    );
    expect((await post('/api/backfills/preview', req)).body).toEqual({
      tasks: 0,
      assets: [{ asset: 'by_region', partitions: 3, toRun: 0, upToDate: 3 }],
    });
    const bodies: Array<{ assets: string[]; requestId?: string; onlyFailedAndMissing?: boolean }> = [
      req,
      { ...req, requestId: `empty-${Date.now()}` },
      { ...req, onlyFailedAndMissing: true },
    ];
    for (const body of bodies) {
      const empty = await post('/api/backfills', body);
      expect(empty.status, JSON.stringify(empty.body)).toBe(409);
      expect(empty.body.field).toBe('force');
      expect(empty.body.error).toMatch(
        body.onlyFailedAndMissing
          ? /^Nothing to run: none of the 3 selected partitions is missing or failed\./
          : /^Nothing to run: all 3 selected partitions are up to date\. Recompute them anyway with force/,
      );
    }
    const forced = { ...req, force: true };
    expect((await post('/api/backfills/preview', forced)).body).toMatchObject({ tasks: 3 });
    const again = await post('/api/backfills', forced);
    expect(again.status).toBe(201);
    const done = await until(
      'forced backfill',
      () => get(`/api/backfills/${encodeURIComponent(again.body.id)}`),
      (r) => r.body.status === 'succeeded',
    );
    expect(done.body.assets[0].counts).toMatchObject({ materialized: 3, skipped: 0 });
    const nothing = await post(`/api/backfills/${encodeURIComponent(first.body.id)}/retry-failed`, {});
    expect(nothing.status).toBe(409);
    expect(nothing.body.error).toMatch(/has no failed or cancelled partitions/);
  });
});

describe("following a backfill's progress (server-sent events)", () => {
  it(`one poller per backfill serves every follower; a client past ${MAX_STREAMS_PER_CLIENT} streams gets a 429 saying why`, async () => {
    // Temporal reads counted on the real client: each progress read gets one workflow handle.
    let reads = 0;
    const workflow = new Proxy(h.client.workflow, {
      get(target, prop) {
        const v = Reflect.get(target, prop);
        if (prop === 'getHandle')
          return (...args: Parameters<typeof target.getHandle>) => {
            reads++;
            return target.getHandle(...args);
          };
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const client = new Proxy(h.client, { get: (target, prop) => (prop === 'workflow' ? workflow : Reflect.get(target, prop)) });
    const ctx = createContext({ config: h.config, graph: project, client });
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: createApp(ctx, { loopback: true }).fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const started = await post('/api/backfills', { assets: ['stuck'], from: '2026-03-01', to: '2026-03-02', concurrency: 1 });
    const path = `/api/backfills/${encodeURIComponent(started.body.id)}`;
    const readers: Array<ReadableStreamDefaultReader<Uint8Array>> = [];
    try {
      for (let i = 0; i < MAX_STREAMS_PER_CLIENT; i++) {
        const res = await fetch(`${base}${path}/events`);
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: progress');
        readers.push(reader);
      }
      const refused = await fetch(`${base}${path}/events`);
      expect(refused.status).toBe(429);
      expect((await refused.json()).error).toMatch(
        /already has 16 progress streams open, the most one client may: close other backfill pages/,
      );

      const before = reads;
      await new Promise((r) => setTimeout(r, 3_000));
      expect(reads - before).toBeGreaterThan(0);
      expect(reads - before).toBeLessThanOrEqual(5); // one read a second for all 16, not 16 a second

      await readers.pop()!.cancel();
      const again = await until(
        'a stream slot to free up',
        () => fetch(`${base}${path}/events`),
        (r) => r.status === 200,
        10_000,
      );
      readers.push(again.body!.getReader());
    } finally {
      for (const r of readers) await r.cancel();
      await post(`${path}/cancel`, {});
    }
    // Nobody follows any more: the poller stops.
    await new Promise((r) => setTimeout(r, 1_500));
    const after = reads;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(reads).toBe(after);
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    await new Promise((r) => server.close(r));
  });
});

describe('failures', () => {
  it('failed partitions show on the asset grid and in the backfill; re-running them starts a new backfill', async () => {
    const started = await post('/api/backfills', { assets: ['broken'], from: '2026-04-01', to: '2026-04-02' });
    const path = `/api/backfills/${encodeURIComponent(started.body.id)}`;
    const end = await until(
      'completed with failures',
      () => get(path),
      (r) => r.body.status === 'failed',
    );
    // A failed batch re-runs its partitions alone, so each failure carries its own error.
    const failures = [...(end.body as BackfillDetail).failures].sort((a, b) => String(a.partition).localeCompare(String(b.partition)));
    expect(failures).toEqual([
      { asset: 'broken', partition: '2026-04-01', error: expect.stringContaining('bad data in 2026-04-01') },
      { asset: 'broken', partition: '2026-04-02', error: expect.stringContaining('bad data in 2026-04-02') },
    ]);
    const summary = await until(
      'failed cells',
      () => get('/api/assets/broken/partitions'),
      (r) => r.body.counts.failed === 2,
    );
    const i = Math.round((Date.UTC(2026, 3, 1) - Date.UTC(2026, 0, 1)) / 86_400_000);
    expect((summary.body as PartitionSummary).runs.slice(0, 3)).toEqual([
      [0, i],
      [4, 2],
      [0, (summary.body as PartitionSummary).total - i - 2],
    ]);
    expect((await get('/api/assets/broken/partitions/2026-04-02')).body.state).toBe('failed');

    const rerun = await post(`${path}/retry-failed`, {});
    expect(rerun.status).toBe(200);
    expect(rerun.body.id).toMatch(new RegExp(`^${started.body.id}/rerun-[0-9a-f-]{36}$`));
    expect(rerun.body.request.parent).toBe(started.body.id);
    expect(rerun.body.request.only.broken.sort()).toEqual(['2026-04-01', '2026-04-02']);
  });
});

describe('one unreadable table', () => {
  it('shows on its own card in /api/assets and /api/schedules while the rest answer; only its own page names the file in full', async () => {
    const config = { ...h.config, warehouse: tempDir('web-broken') };
    const ctx = createContext({ config, graph: project });
    const app = createApp(ctx, { loopback: false });
    const json = async (p: string) => {
      const r = await app.request(p);
      return { status: r.status, body: await r.json() };
    };
    // clicks has a truncated commit; clicks_per_user reads clicks
    for (const [table, text] of [
      ['clicks', '{"protocol": {"minReaderVersion": 1,'],
      ['by_region', ''],
    ] as const) {
      mkdirSync(path.join(config.warehouse, table, '_delta_log'), { recursive: true });
      writeFileSync(path.join(config.warehouse, table, '_delta_log', `${'0'.padStart(20, '0')}.json`), text);
    }
    const commit = (t: string) => `${t}/_delta_log/${'0'.padStart(20, '0')}.json`;

    const list = await json('/api/assets');
    expect(list.status).toBe(200);
    const card = (name: string) => (list.body as AssetList).assets.find((a) => a.name === name)!;
    expect(card('clicks')).toMatchObject({ materialized: 0, total: 0, freshness: { status: 'unknown' } });
    expect(card('clicks').error).toMatch(
      new RegExp(
        `^Its table cannot be read: corrupt commit file ${commit('clicks')}, line 1: not valid JSON \\(the file looks truncated\\)`,
      ),
    );
    expect(card('by_region').error).toBe(`Its table cannot be read: corrupt commit file ${commit('by_region')}: it is empty`);
    for (const name of ['users', 'clicks_per_user', 'stuck', 'broken']) expect(card(name).error).toBeUndefined();
    expect(card('clicks_per_user')).toMatchObject({ materialized: 0, freshness: { status: 'never' } });
    expect(card('clicks_per_user').total).toBeGreaterThan(300);

    const schedules = await json('/api/schedules');
    expect(schedules.status).toBe(200);
    const row = (name: string) => (schedules.body as Schedules).assets.find((a) => a.asset === name)!;
    expect(row('clicks')).toMatchObject({ freshness: { status: 'unknown', maxLagMs: 86_400_000 }, error: card('clicks').error });
    expect(row('clicks_per_user').error).toBeUndefined();

    const downstream = await json('/api/assets/clicks_per_user');
    expect(downstream.status).toBe(200);
    expect(downstream.body.error).toBeUndefined();
    expect((await json('/api/assets/clicks_per_user/partitions')).body.counts.missing).toBeGreaterThan(300);
    for (const body of [list.body, schedules.body, downstream.body]) expect(JSON.stringify(body)).not.toContain(config.warehouse);

    const own = await json('/api/assets/clicks');
    expect(own.status).toBe(200);
    expect(own.body.error).toContain(`corrupt commit file ${path.join(config.warehouse, commit('clicks'))}`);
    const grid = await json('/api/assets/clicks/partitions');
    expect(grid.status).toBe(500);
    expect(grid.body.error).toMatch(/^The table cannot be read: corrupt commit file/);
  });
});

describe('who may call the API', () => {
  const ctx = () => createContext({ config: h.config, graph: project });

  it('on 127.0.0.1 it answers only requests addressed to a loopback host (no DNS rebinding)', async () => {
    const app = createApp(ctx(), { loopback: true });
    expect((await app.request('/api/info', { headers: { Host: '127.0.0.1:8300' } })).status).toBe(200);
    expect((await app.request('/api/info', { headers: { Host: 'localhost:8300' } })).status).toBe(200);
    expect((await app.request('/api/info', { headers: { Host: 'evil.example:8300' } })).status).toBe(403);
  });

  it('with a token, API calls need it by header or by the cookie that /?token= sets', async () => {
    const app = createApp(ctx(), { loopback: false, token: 's3cret' });
    expect((await app.request('/api/info')).status).toBe(401);
    expect((await app.request('/api/info', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await app.request('/api/info', { headers: { Authorization: 'Bearer s3cret' } })).status).toBe(200);
    const login = await app.request('/assets?token=s3cret');
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/assets');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect((await app.request('/api/info', { headers: { Cookie: cookie.split(';')[0] } })).status).toBe(200);
    expect((await app.request('/?token=wrong')).status).toBe(401);
  });

  it('refuses to listen beyond loopback without a token', async () => {
    await expect(startWebServer({ config: h.config, graph: project, host: '0.0.0.0', port: 0, page: false, token: '' })).rejects.toThrow(
      /FRESHET_TOKEN/,
    );
  });

  it('without a Temporal client, backfill endpoints say why they cannot run', async () => {
    const app = createApp(ctx(), { loopback: false });
    const r = await app.request('/api/backfills/preview', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ assets: ['clicks'] }),
    });
    expect(r.status).toBe(503);
    expect((await r.json()).error).toMatch(/no Temporal connection/);
  });
});
