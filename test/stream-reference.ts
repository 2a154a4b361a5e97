// What the supervised streaming tests compare: the sink's windows (newest revision of each), and
// DuckDB's windows over the same events. Both as `user@windowStartMs` -> `purchases|spend`.
import { DuckDBInstance } from '@duckdb/node-api';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSnapshot, readRows } from '../delta/index.ts';
import type { PurchaseEvent } from './support/stream/kafka-fixture.ts';
import { openStore } from '../storage/index.ts';
import type { ObjectStore } from '../storage/types.ts';
import { listCheckpoints, readCheckpointHeader } from '../stream/checkpoint.ts';
import { generatorSource, type GeneratorOptions } from '../stream/source-generator.ts';
import { tempDir } from './harness.ts';

/** DuckDB over `events`: every sliding window (10 s, every 2 s) that `watermark` closed. */
export async function referenceWindows(events: PurchaseEvent[], watermark: number): Promise<Map<string, string>> {
  const dir = tempDir('stream-events');
  const file = path.join(dir, 'events.json');
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const reference = (
      await c.runAndReadAll(`
      WITH e AS (SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {id: 'VARCHAR', user_id: 'VARCHAR', amount: 'DOUBLE', ts: 'BIGINT'})),
      w AS (SELECT user_id, amount, (floor(ts / 2000)::BIGINT * 2000) - i * 2000 AS ws FROM e, range(0, 5) t(i))
      SELECT user_id, ws, count(*) AS purchases, sum(amount) AS spend FROM w WHERE ws + 10000 - 1 <= ${watermark} GROUP BY ALL`)
    ).getRowObjectsJson();
    return new Map(reference.map((r) => [`${r.user_id}@${Number(r.ws)}`, `${Number(r.purchases)}|${Number(r.spend).toFixed(2)}`]));
  } finally {
    c.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sink's windows, each at its newest revision; `doubled` counts revisions committed more than once; `rows` all rows read. */
export async function sinkWindows(sink: ObjectStore): Promise<{ windows: Map<string, string>; doubled: number; rows: number }> {
  const snap = await loadSnapshot(sink);
  const rows = snap ? await readRows(sink, snap) : [];
  const newest = new Map<string, { revision: number; value: string }>();
  const revisions = new Set<string>();
  let doubled = 0;
  for (const r of rows) {
    const key = `${r.user_id}@${new Date(String(r.window_start)).getTime()}`;
    const revision = Number(r.revision);
    if (revisions.has(`${key}#${revision}`)) doubled++;
    revisions.add(`${key}#${revision}`);
    const prev = newest.get(key);
    if (!prev || prev.revision < revision) newest.set(key, { revision, value: `${Number(r.purchases)}|${Number(r.spend).toFixed(2)}` });
  }
  return { windows: new Map([...newest].map(([k, v]) => [k, v.value])), doubled, rows: rows.length };
}

/** Windows wrong or missing in `got`, and windows `got` has that `want` has not, with a few samples. */
export function compareWindows(got: Map<string, string>, want: Map<string, string>) {
  const wrong = [...want.keys()].filter((k) => got.get(k) !== want.get(k));
  const extra = [...got.keys()].filter((k) => !want.has(k));
  return {
    wrong: wrong.length,
    extra: extra.length,
    sample: [...wrong.slice(0, 3).map((k) => [k, got.get(k), want.get(k)]), ...extra.slice(0, 3).map((k) => [k, got.get(k), undefined])],
  };
}

/** The generator's events below each partition's offset: what the job read. */
export async function eventsUpTo(options: GeneratorOptions, offsets: Record<string, number>): Promise<PurchaseEvent[]> {
  const src = generatorSource({ ...options, realtime: false, limit: Math.max(...Object.values(offsets)) });
  await src.open({});
  const out: PurchaseEvent[] = [];
  for (let b = await src.poll(4096, 0); b; b = await src.poll(4096, 0)) {
    for (const sb of b)
      sb.records.forEach((r, i) => {
        if (sb.firstOffset + i < (offsets[String(sb.partition)] ?? 0)) out.push(r as PurchaseEvent);
      });
  }
  return out;
}

/**
 * A stopped job's output against the reference: every window its last checkpoint's watermark
 * closed, computed in DuckDB from exactly the events that checkpoint had read. `compare` is
 * `{ doubled: 0, wrong: 0, extra: 0, sample: [] }` when the output is exactly-once.
 */
export async function checkStoppedJobOutput(warehouse: string, asset: string, options: GeneratorOptions) {
  const store = openStore(warehouse);
  const jobStore = store.at(`_streams/${asset}`);
  const last = await readCheckpointHeader(jobStore, (await listCheckpoints(jobStore)).at(-1)!);
  const events = await eventsUpTo(options, last.offsets);
  const want = await referenceWindows(events, last.watermark.watermark);
  const { windows: got, doubled } = await sinkWindows(store.at(asset));
  return { events: events.length, windows: want.size, compare: { doubled, ...compareWindows(got, want) } };
}
