// A streaming job whose workers are all gone: the status query has no one to answer it, and
// Temporal would hold it ~30 s. GET /api/streams and `freshet stream status` answer within a few
// seconds from Temporal's own record instead, saying the live state is unavailable.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStream, STATUS_QUERY_DEADLINE_MS } from '../control/streams.ts';
import { streamCluster } from '../test/stream-cluster.ts';
import { spendPerUser } from '../test/support/stream/test-assets.ts';
import project from '../test/fixtures/stream-project.ts';
import type { StreamingJobs } from './api-types.ts';
import { startWebServer, type WebServer } from './index.ts';

const cluster = streamCluster('web-streams-no-worker');
const asset = spendPerUser.name;
let web: WebServer;

beforeAll(async () => {
  web = await startWebServer({ config: cluster.h.config, graph: project, client: cluster.h.client, port: 0 });
  const worker = await cluster.spawn();
  await startStream(
    cluster.h.client,
    cluster.h.config.taskQueue,
    asset,
    { kind: 'generator', options: { partitions: 2, eventsPerSecond: 100, realtime: true, startTime: Date.now() - 10_000, seed: 5 } },
    { checkpointIntervalMs: 1_000 },
  );
  await cluster.untilStatus(asset, 'a first checkpoint', (s) => (s.shardsStatus[0]?.heartbeat?.checkpointId ?? 0) >= 1, {
    timeoutMs: 120_000,
  });
  await worker.stop();
}, 300_000);
afterAll(async () => {
  await web?.stop();
});

describe('stream status with no worker', () => {
  it('GET /api/streams lists the job from Temporal within a few seconds, with the note', async () => {
    const t0 = Date.now();
    const res = await fetch(`${web.url}/api/streams`);
    const took = Date.now() - t0;
    expect(res.status).toBe(200);
    const job = ((await res.json()) as StreamingJobs).jobs.find((j) => j.name === asset)!;
    expect(took).toBeLessThan(STATUS_QUERY_DEADLINE_MS + 3_000);
    expect(job.workflowStatus).toBe('RUNNING');
    expect(job.workflowId).toContain(asset);
    expect(job.startedAt).toBeGreaterThan(0);
    expect(job.liveUnavailable).toMatch(/No worker answered/);
    expect(job.status).toMatch(/state unknown/);
  }, 60_000);

  it('`freshet stream status` says the same, with the run id and start', async () => {
    const t0 = Date.now();
    const { stdout } = await promisify(execFile)('node', ['bin/freshet.mjs', 'stream', 'status', asset], { env: cluster.h.env });
    expect(Date.now() - t0).toBeLessThan(STATUS_QUERY_DEADLINE_MS + 15_000);
    expect(stdout).toMatch(new RegExp(`^${asset}: RUNNING, run [0-9a-f-]+, started \\d{4}-\\d\\d-\\d\\dT.*No worker answered`));
  }, 60_000);
});
