// Streaming jobs on the web, against a real `freshet worker` process and Temporal: the API says
// what `freshet stream status` says, the job page charts each shard's throughput and watermark
// lag, stop and restart are confirmed POSTs that Temporal carries out (a GET, a bad body or no
// JSON cannot), and the lineage graph draws each streaming asset between its source and sink.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStream, streamStatus } from '../control/streams.ts';
import { streamWorkflowId } from '../contract/ids.ts';
import type { StreamingJobStatus } from '../contract/streaming.ts';
import { launchBrowser, openPage, screenshot } from '../test/support/browser.ts';
import { streamCluster } from '../test/stream-cluster.ts';
import { spendPerUser, spendPerUserSalted } from '../test/support/stream/test-assets.ts';
import project from '../test/fixtures/stream-project.ts';
import type { AssetList, StreamingJob, StreamingJobDetail, StreamingJobs } from './api-types.ts';
import { startWebServer, type WebServer } from './index.ts';

const cluster = streamCluster('web-streams');
const asset = spendPerUser.name;
let web: WebServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  web = await startWebServer({ config: cluster.h.config, graph: project, client: cluster.h.client, port: 0 });
  browser = await launchBrowser();
  page = await openPage(browser);
  await cluster.spawn();
  await startStream(
    cluster.h.client,
    cluster.h.config.taskQueue,
    asset,
    { kind: 'generator', options: { partitions: 2, eventsPerSecond: 200, realtime: true, startTime: Date.now() - 20_000, seed: 3 } },
    // long enough for the worker to be held still (SIGSTOP) while the CLI reads the status
    { checkpointIntervalMs: 1_000, heartbeatTimeoutMs: 60_000 },
  );
  await cluster.untilStatus(asset, 'a first checkpoint', (s) => (s.shardsStatus[0]?.heartbeat?.checkpointId ?? 0) >= 2, {
    timeoutMs: 120_000,
  });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

const shot = (name: string) => screenshot(page, name);

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(web.url + path, init);
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}
const post = (path: string, body: string | undefined = '{}', type = 'application/json') =>
  call(path, { method: 'POST', headers: type ? { 'Content-Type': type } : {}, body });
const jobs = async () => ((await call('/api/streams')).body as StreamingJobs).jobs;
const apiJob = async () => (await jobs()).find((j) => j.name === asset)!;
const status = () => streamStatus(cluster.h.client, cluster.h.config.taskQueue, asset);

async function freshetStreamStatus(name: string): Promise<string> {
  const { stdout } = await promisify(execFile)('node', ['bin/freshet.mjs', 'stream', 'status', name], { env: cluster.h.env });
  return stdout;
}

/** The fields of `freshet stream status` the page must show the same. */
function parseCli(out: string) {
  const [head, ...lines] = out.trim().split('\n');
  const m = /^(\S+): (\S+) \((\S+)\), source (\S+), (\d+) shard\(s\), (\d+) restart\(s\) by signal$/.exec(head);
  if (!m) throw new Error(`unexpected status line: ${head}`);
  return {
    status: m[2],
    workflowStatus: m[3],
    sourceKind: m[4],
    shardCount: Number(m[5]),
    restartsBySignal: Number(m[6]),
    shards: lines.map((l) => {
      const s = /^ {2}shard (\d+): attempt (\d+) on worker (\S+), checkpoint (\d+),.* (\d+) keys/.exec(l);
      if (!s) throw new Error(`unexpected shard line: ${l}`);
      return { shard: Number(s[1]), attempt: Number(s[2]), worker: s[3], checkpointId: Number(s[4]), stateKeys: Number(s[5]) };
    }),
  };
}

const asCli = (j: StreamingJob) => ({
  status: j.status,
  workflowStatus: j.workflowStatus,
  sourceKind: j.sourceKind,
  shardCount: j.shardCount,
  restartsBySignal: j.restartsBySignal,
  shards: j.shards.map((s) => ({
    shard: s.shard,
    attempt: s.attempt,
    worker: s.worker,
    checkpointId: s.checkpointId,
    stateKeys: s.stateKeys,
  })),
});

async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(v).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('the streaming API', () => {
  it('GET /api/streams shows each job as `freshet stream status` does: shards, checkpoint, keys, restarts, worker', async () => {
    // The status moves at each checkpoint, every second, and the CLI takes seconds to start: read
    // the API before and after it. Everything but the checkpoint must be the same; the CLI's
    // checkpoint lies between the two reads, and its keys are what that checkpoint recorded.
    const before = await apiJob();
    const cli = parseCli(await freshetStreamStatus(asset));
    const after = await apiJob();
    const stable = (j: StreamingJob) => {
      const { shards, ...rest } = asCli(j);
      return { ...rest, shards: shards.map(({ shard, attempt, worker }) => ({ shard, attempt, worker })) };
    };
    expect(stable(before)).toEqual(stable(after));
    expect(stable(before)).toEqual({ ...cli, shards: cli.shards.map(({ shard, attempt, worker }) => ({ shard, attempt, worker })) });
    const history = ((await call(`/api/streams/${asset}`)).body as StreamingJobDetail).history[0].samples;
    const keysAt = (id: number | null) => history.find((x) => x.checkpointId === id)?.stateKeys;
    for (const [i, sh] of cli.shards.entries()) {
      expect(sh.checkpointId).toBeGreaterThanOrEqual(before.shards[i].checkpointId!);
      expect(sh.checkpointId).toBeLessThanOrEqual(after.shards[i].checkpointId!);
      expect(sh.stateKeys).toBe(keysAt(sh.checkpointId));
      expect(before.shards[i].stateKeys).toBe(keysAt(before.shards[i].checkpointId));
    }
    const j = await apiJob();
    expect(j).toMatchObject({ status: 'running', workflowStatus: 'RUNNING', sourceKind: 'generator', shardCount: 1, restarts: 0 });
    expect(j.workflowId).toBe(streamWorkflowId(cluster.h.config.taskQueue, asset));
    expect(j.shards).toHaveLength(1);
    expect(j.shards[0].worker).toMatch(new RegExp(`^${cluster.workers[0].pid}@`));
    expect(j.shards[0].pid).toBe(cluster.workers[0].pid);
    expect(j.shards[0].stateKeys).toBeGreaterThan(0);
    expect(j.eventsPerSecond).toBeGreaterThan(0);
    // a declared job never started is listed as the CLI says it
    expect((await jobs()).find((x) => x.name === spendPerUserSalted.name)).toMatchObject({ status: 'not started', shards: [] });
    expect(await freshetStreamStatus(spendPerUserSalted.name)).toContain('not started');
  }, 120_000);

  it('GET /api/streams/:name holds each shard’s throughput and watermark lag over time', async () => {
    const d = await waitFor(
      'three samples',
      async () => (await call(`/api/streams/${asset}`)).body as StreamingJobDetail,
      (x) => (x.history[0]?.samples.length ?? 0) >= 3,
    );
    expect(d).toMatchObject({ name: asset, source: 'purchases', sink: asset, key: ['user_id'], window: 'sliding 10s every 2s' });
    expect(d.history.map((h) => h.shard)).toEqual([0]);
    const samples = d.history[0].samples;
    for (let i = 1; i < samples.length; i++) {
      expect(samples[i].at).toBeGreaterThan(samples[i - 1].at);
      expect(samples[i].checkpointId).toBeGreaterThan(samples[i - 1].checkpointId);
    }
    const last = samples.at(-1)!;
    expect(last.eventsPerSecond).toBeGreaterThan(0);
    // realtime events, 2 s of out-of-orderness: the watermark trails the clock by seconds
    expect(last.watermarkLagMs).toBeGreaterThan(0);
    expect(last.watermarkLagMs).toBeLessThan(30_000);
    const unknown = await call('/api/streams/spend_per_usr_10s');
    expect(unknown).toEqual({
      status: 404,
      body: { error: `Unknown streaming asset 'spend_per_usr_10s'. Did you mean '${asset}'?`, field: 'name' },
    });
  });

  it('a GET, a body that is not an empty JSON object, or no JSON cannot stop or restart it', async () => {
    for (const verb of ['stop', 'restart']) {
      expect((await call(`/api/streams/${asset}/${verb}`)).status).toBe(404);
      expect(await post(`/api/streams/${asset}/${verb}`, '{"now": true}')).toMatchObject({
        status: 400,
        body: { field: 'body', error: expect.stringMatching(/now/) },
      });
      expect(await post(`/api/streams/${asset}/${verb}`, 'stop')).toMatchObject({
        status: 400,
        body: { error: 'The body is not valid JSON.' },
      });
      expect((await post(`/api/streams/${asset}/${verb}`, '{}', 'text/plain')).status).toBe(415);
      expect((await post(`/api/streams/${asset}/${verb}`, '{}', '')).status).toBe(415);
      expect((await post(`/api/streams/no_such_job/${verb}`)).status).toBe(404);
    }
    // a signal would have been handled within a second; Temporal still runs the same shard run
    await new Promise((r) => setTimeout(r, 2_000));
    const s = (await status())!;
    expect({ workflowStatus: s.workflowStatus, state: s.state, restarts: s.restarts, attempt: s.shardsStatus[0].attempt }).toEqual({
      workflowStatus: 'RUNNING',
      state: 'running',
      restarts: 0,
      attempt: 1,
    });
  });

  it('POST restart restarts it from its newest checkpoint (Temporal confirms), and the history goes on', async () => {
    const before = (await status())!.shardsStatus[0].heartbeat!.checkpointId;
    const samplesBefore = ((await call(`/api/streams/${asset}`)).body as StreamingJobDetail).history[0].samples.length;
    const res = await post(`/api/streams/${asset}/restart`);
    expect(res.status).toBe(202);
    const s = await cluster.untilStatus(
      asset,
      'restarted',
      (x) =>
        x.restarts === 1 && x.shardsStatus[0]?.heartbeat?.phase === 'running' && (x.shardsStatus[0].heartbeat.restoredFrom ?? 0) >= before,
      { timeoutMs: 90_000 },
    );
    // a new shard run (not a retry of the old one), restored from a checkpoint the old one took
    expect(s.shardsStatus[0].attempt).toBe(1);
    expect(s.workflowStatus).toBe('RUNNING');
    expect((await apiJob()).restartsBySignal).toBe(1);
    const d = await waitFor(
      'a checkpoint after the restart',
      async () => (await call(`/api/streams/${asset}`)).body as StreamingJobDetail,
      (x) => (x.history[0]?.samples.length ?? 0) > samplesBefore,
    );
    expect(d.history[0].samples.length).toBeGreaterThan(samplesBefore);
  }, 120_000);

  it('GET /api/assets gives the lineage graph each streaming asset with its source and sink', async () => {
    const { body } = await call('/api/assets');
    expect((body as AssetList).streams).toEqual([
      { name: asset, description: '', source: 'purchases', sink: asset },
      { name: spendPerUserSalted.name, description: '', source: 'purchases', sink: spendPerUserSalted.name },
    ]);
  });
});

describe('the streaming pages in Chromium', () => {
  it('the lineage graph draws each streaming asset between the stream it reads and the table it writes', async () => {
    await page.goto(`${web.url}/assets`);
    const graph = page.getByTestId('lineage-graph');
    await graph.waitFor();
    const box = async (id: string) => (await graph.getByTestId(id).boundingBox())!;
    const [source, job, sink] = [await box('stream-source-purchases'), await box(`node-${asset}`), await box(`stream-sink-${asset}`)];
    expect(job.x).toBeGreaterThan(source.x + source.width);
    expect(sink.x).toBeGreaterThan(job.x + job.width);
    await expect(graph.getByTestId(`stream-sink-${asset}`).textContent()).resolves.toContain('Delta table');
    // purchases → each job → its sink: one source for both
    expect(await graph.getByTestId('stream-source-purchases').count()).toBe(1);
    expect(await graph.locator('path[marker-end]').count()).toBe(4);
    await shot('lineage-streams');
    await graph.getByTestId(`node-${asset}`).click();
    await page.waitForURL(`**/streams/${asset}`);
  });

  it('the streams page lists the job as the CLI does and links to its page, which charts throughput and watermark lag', async () => {
    await page.goto(`${web.url}/streams`);
    const row = page.getByTestId(`stream-${asset}`);
    await row.waitFor();
    await expect(row.getByTestId('status').textContent()).resolves.toBe('running');
    await expect(row.textContent()).resolves.toContain(`${cluster.workers[0].pid}@`);
    await shot('streams');
    await row.getByRole('link', { name: asset }).click();
    await page.waitForURL(`**/streams/${asset}`);
    for (const id of ['throughput-chart', 'watermark-lag-chart']) {
      const chart = page.getByTestId(id);
      await chart.waitFor();
      expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
      expect(await chart.locator('canvas').count()).toBe(1);
    }
    const shard = page.getByTestId('shard-0');
    expect(Number(await shard.getByTestId('checkpoint').textContent())).toBeGreaterThan(0);
    await expect(shard.getByTestId('worker').textContent()).resolves.toContain(`${cluster.workers[0].pid}@`);
    await expect(page.getByTestId('stream-summary').textContent()).resolves.toMatch(
      /reads purchases \(generator\).*writes the Delta table/,
    );
    await shot('stream');
  });

  it('Restart asks first, then restarts the job from its newest checkpoint (Temporal confirms)', async () => {
    const before = (await status())!;
    await page.getByTestId('restart-stream').click();
    const dialog = page.getByTestId('confirm-restart');
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain('newest checkpoint');
    await dialog.getByRole('button', { name: 'Restart job' }).click();
    const s = await cluster.untilStatus(
      asset,
      'restarted from the page',
      (x) =>
        x.restarts === before.restarts! + 1 &&
        x.shardsStatus[0]?.heartbeat?.phase === 'running' &&
        (x.shardsStatus[0].heartbeat.restoredFrom ?? 0) >= before.shardsStatus[0].heartbeat!.checkpointId,
      { timeoutMs: 90_000 },
    );
    expect(s.workflowStatus).toBe('RUNNING');
    await page.getByText(`${before.restarts! + 1} restart(s) by signal`).waitFor({ timeout: 15_000 });
  }, 120_000);

  it('Stop asks first: Escape and "Keep running" leave it running; "Stop job" stops it (Temporal confirms)', async () => {
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
    });
    await page.getByTestId('stop-stream').click();
    const dialog = page.getByTestId('confirm-stop');
    await dialog.waitFor();
    // focus on the safe answer: Enter would not stop the job
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Keep running');
    await shot('stream-confirm-stop');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('stop-stream').click();
    await page.getByTestId('confirm-stop').getByRole('button', { name: 'Keep running' }).click();
    await page.getByTestId('confirm-stop').waitFor({ state: 'detached' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(posts).toEqual([]);
    expect((await status())!.workflowStatus).toBe('RUNNING');

    await page.getByTestId('stop-stream').click();
    await page.getByTestId('confirm-stop').getByRole('button', { name: 'Stop job' }).click();
    const done = (await cluster.h.client.workflow
      .getHandle(streamWorkflowId(cluster.h.config.taskQueue, asset))
      .result()) as StreamingJobStatus;
    expect(done).toMatchObject({ state: 'stopped', restarts: 2 });
    expect(posts).toEqual([`/api/streams/${asset}/stop`]);
    await page.getByTestId('stream-status').getByText('completed').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('stop-stream').isDisabled()).toBe(true);
    // nothing left to stop: said, not sent to an ended workflow
    expect(await post(`/api/streams/${asset}/stop`)).toMatchObject({
      status: 409,
      body: { error: expect.stringMatching(/is not running \(completed\).*freshet stream start/) },
    });
  }, 120_000);
});
