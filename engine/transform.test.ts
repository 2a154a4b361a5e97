// TypeScript transforms stream: input in batches of batchSize, output appended batch by batch,
// so the JS heap never holds a whole partition.
import { DuckDBInstance } from '@duckdb/node-api';
import { rmSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asset, dailyPartitions, definitions, source, type Row } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { openStore } from '../storage/index.ts';
import { startHarness, testConfig, type Harness } from '../test/harness.ts';
import { startMaterialize } from '../control/materialize.ts';
import { assetTable, materialize } from './index.ts';

const ROWS = 400_000;
const BATCH = 10_000;
const days = dailyPartitions({ start: '2026-01-01' });
const events = source({
  name: 'events',
  partitions: days,
  sql: `SELECT CAST(i AS BIGINT) AS id, CAST(i % 1000 AS BIGINT) AS user_id, CAST(i % 997 AS DECIMAL(10, 2)) AS amount, 'label-' || (i % 13) AS label FROM range(${ROWS}) r(i)`,
});

let heapAtStart = 0;
let heapPeak = 0;
let inFlight = 0;
let inFlightPeak = 0;
// A full GC before each sample, so the heap measured is what is retained, not garbage not yet collected.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const sample = () => {
  gc();
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
};

const scored = asset({
  name: 'scored',
  partitions: days,
  deps: ['events'],
  batchSize: BATCH,
  schema: { id: 'BIGINT', user_id: 'BIGINT', score: 'DOUBLE', label: 'VARCHAR' },
  async *transform({ inputs }) {
    for await (const batch of inputs.events) {
      inFlight += batch.length;
      inFlightPeak = Math.max(inFlightPeak, inFlight);
      sample();
      const out: Row[] = batch.map((r) => ({
        id: r.id,
        user_id: r.user_id,
        score: Number(r.amount) * 2,
        label: String(r.label).toUpperCase(),
      }));
      yield out;
      inFlight -= batch.length;
    }
  },
});

const graph = definitions({ assets: [events, scored] });
let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness(graph, testConfig('transform'));
  dir = h.config.warehouse;
});
afterAll(async () => {
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('TypeScript transforms', () => {
  it('stream a partition 40x their batch size with bounded heap, and write every row', async () => {
    const warehouse = openStore(dir);
    await materialize({ graph, warehouse, asset: 'events', partition: '2026-01-05' });
    gc();
    heapAtStart = process.memoryUsage().heapUsed;
    // Through Temporal: the in-process worker runs the transform in this process, where the heap is sampled.
    const r = await (await startMaterialize(h.client, h.config.taskQueue, scored, '2026-01-05')).result();
    expect(r.rows).toBe(ROWS);
    expect(r.mode).toBe('transform');
    expect(r.transformBatches).toEqual({ input: { events: ROWS / BATCH }, output: ROWS / BATCH, largest: BATCH });
    // One batch in flight at a time: the transform never saw more than batchSize rows at once.
    expect(inFlightPeak).toBe(BATCH);
    const grewMb = (heapPeak - heapAtStart) / 2 ** 20;
    expect(grewMb).toBeLessThan(25);

    const snapshot = await loadSnapshot(assetTable(warehouse, 'scored'));
    const files = snapshot!.files.map((f) => `'${path.join(dir, 'scored', decodeURIComponent(f.path))}'`);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const check = (
      await db.runAndReadAll(
        `SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(score) AS s, min(label) AS l FROM read_parquet([${files.join(', ')}])`,
      )
    ).getRowObjectsJS()[0];
    const expected = (await db.runAndReadAll(`SELECT sum(CAST(i % 997 AS DOUBLE) * 2) AS s FROM range(${ROWS}) r(i)`)).getRowObjectsJS()[0];
    expect(check).toEqual({ n: BigInt(ROWS), ids: BigInt(ROWS), s: expected.s, l: 'LABEL-0' });
    db.closeSync();
  });
});
