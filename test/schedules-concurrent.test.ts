// Several workers start at once (docker-compose.yml runs two replicas; `--scale` more): each
// reconciles the SLA schedules on start, and none may fail because another got there first.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { definitions, source } from '../core/index.ts';
import { reconcileSchedules } from '../schedules/reconcile.ts';

let connection: Connection;
let client: Client;
const taskQueue = `test-schedules-concurrent-${process.pid}-${Date.now()}`;
const ASSETS = ['a', 'b', 'c', 'd', 'e'];
const WORKERS = 4;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
});
afterAll(async () => {
  for await (const s of client.schedule.list())
    if (s.scheduleId.startsWith(taskQueue))
      await client.schedule
        .getHandle(s.scheduleId)
        .delete()
        .catch(() => {});
  await connection?.close();
});

const graph = (lag?: string) =>
  definitions({ assets: ASSETS.map((name) => source({ name, sql: 'SELECT 1 AS x', ...(lag ? { freshness: { maxLag: lag } } : {}) })) });
const ids = ASSETS.map((a) => `${taskQueue}/freshness/${a}`);

async function everyWorkerAtOnce(lag?: string) {
  const results = await Promise.allSettled(Array.from({ length: WORKERS }, () => reconcileSchedules(client, graph(lag), taskQueue)));
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
  expect(failed).toEqual([]);
  return results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof reconcileSchedules>>>).value);
}

describe('schedules reconciled by several workers starting together', () => {
  it('creates, updates and deletes each schedule once, and every worker starts', async () => {
    const created = await everyWorkerAtOnce('10s');
    // each asset is reported by some worker, as created or as already there
    for (const a of ASSETS)
      expect(
        created.some((r) => r.created.includes(a) || r.unchanged.includes(a)),
        a,
      ).toBe(true);
    for (const id of ids) expect((await client.schedule.getHandle(id).describe()).spec.intervals?.[0].every).toBe(10_000);

    await everyWorkerAtOnce('30s');
    for (const id of ids) expect((await client.schedule.getHandle(id).describe()).spec.intervals?.[0].every).toBe(30_000);

    await everyWorkerAtOnce(undefined);
    for (const id of ids) await expect(client.schedule.getHandle(id).describe()).rejects.toThrow(/not found/i);
  });
});
