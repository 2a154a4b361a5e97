// The final merge of a salted job: combines the shards' partial windows per key and window into
// the sink. A window is merged once every shard's committed watermark has passed its end plus
// the allowed lateness, so no shard can still change it, and it is written once, as revision 0.
//
// Exactly-once without state of its own: the sink commit carries txn (merge appId, pass) and a
// mark with the watermark merged up to. A pass reads both back from the sink, so a pass that died
// before its commit is simply done again, and one that committed is never repeated.
import { aggregateOutputType } from '../core/streaming.ts';
import type { StreamingAsset } from '../core/streaming.ts';
import type { AddFile, Table } from '../delta/types.ts';
import { compileAggregates, decodePane, mergePane, newPane, paneResults } from './aggregates.ts';
import type { Pane } from './aggregates.ts';
import { jobAppId } from './job.ts';
import type { WindowRow } from './operator.ts';
import { watermarkMark } from './partials.ts';
import { deltaSink, resultColumns } from './sink.ts';
import type { SinkWriter } from './sink.ts';

export interface MergeOptions {
  job: StreamingAsset;
  /** partialsTable(job store) */
  partials: Table;
  sinkTable: Table;
  shards: number;
  /** default: a deltaSink of its own, closed after the pass */
  sink?: SinkWriter;
  now?: () => number;
}

export interface MergeResult {
  /** the merge passes committed so far (this one included) */
  pass: number;
  /** windows written by this pass */
  windows: number;
  /** the watermark merged up to: every window with end − 1 + lateness ≤ it is in the sink */
  watermark: number;
  /** shards that have not committed a watermark yet (nothing can be merged before they do) */
  waitingFor: number[];
}

export function mergeAppId(asset: StreamingAsset): string {
  return `freshet-stream:${asset.name}:merge`;
}

/** One merge pass: everything newly final across all shards goes to the sink in one commit. */
export async function mergePartials(opts: MergeOptions): Promise<MergeResult> {
  const { job: asset, shards } = opts;
  const { loadSnapshot, parseStats, readRows } = await import('../delta/index.ts');
  const appId = mergeAppId(asset);
  const sinkSnap = await loadSnapshot(opts.sinkTable);
  const pass = sinkSnap?.txns.get(appId) ?? 0;
  const done = sinkSnap?.txns.get(watermarkMark(appId)) ?? -Infinity;
  const idle = (waitingFor: number[] = []): MergeResult => ({ pass, windows: 0, watermark: done, waitingFor });

  const snap = await loadSnapshot(opts.partials);
  if (!snap) return idle(Array.from({ length: shards }, (_, i) => i));
  const marks = Array.from({ length: shards }, (_, index) => snap.txns.get(watermarkMark(jobAppId(asset, { index, count: shards }))));
  const waitingFor = marks.flatMap((m, i) => (m === undefined ? [i] : []));
  if (waitingFor.length > 0) return idle(waitingFor);
  const watermark = Math.min(...(marks as number[]));
  if (watermark <= done) return idle();

  // a window is final at end − 1 + lateness ≤ watermark; this pass takes those not taken before
  const lateness = asset.allowedLatenessMs;
  const isNew = (end: number) => end - 1 + lateness <= watermark && end - 1 + lateness > done;
  const candidates = snap.files.filter((add: AddFile) => {
    const s = parseStats(add);
    const lo = Date.parse(String(s?.minValues.window_end ?? ''));
    const hi = Date.parse(String(s?.maxValues.window_end ?? ''));
    // without stats, read the file; with them, skip files wholly merged or wholly still open
    return !(hi - 1 + lateness <= done) && !(lo - 1 + lateness > watermark);
  });

  const aggs = compileAggregates(asset.aggregates);
  // newest revision of each shard's partial, per key and window
  const windows = new Map<
    string,
    { parts: string[]; start: number; end: number; byShard: Map<number, { revision: number; row: Record<string, unknown> }> }
  >();
  for (const r of await readRows(opts.partials, snap, candidates)) {
    const end = Date.parse(String(r.window_end));
    if (!isNew(end)) continue;
    const parts = asset.key.map((k) => String(r[k]));
    const start = Date.parse(String(r.window_start));
    const id = `${parts.join('\u0000')}\u0000${start}`;
    let w = windows.get(id);
    if (!w) windows.set(id, (w = { parts, start, end, byShard: new Map() }));
    const shard = Number(r.shard);
    const revision = Number(r.revision);
    const prev = w.byShard.get(shard);
    if (!prev || prev.revision < revision) w.byShard.set(shard, { revision, row: r });
  }
  const names = Object.keys(asset.aggregates);
  const types = Object.values(asset.aggregates).map(aggregateOutputType);
  const rows: WindowRow[] = [];
  for (const w of windows.values()) {
    let values: unknown[];
    if (w.byShard.size === 1) {
      // one shard saw the whole window (a key that was not salted): its values are final as written
      const [only] = w.byShard.values();
      values = names.map((n, i) => (only.row[n] === null || types[i] === 'string' ? only.row[n] : Number(only.row[n])));
    } else {
      const acc: Pane = newPane(aggs, w.start);
      for (const p of w.byShard.values()) mergePane(aggs, acc, decodePane(aggs, Buffer.from(String(p.row.state), 'base64')), true, true);
      values = paneResults(aggs, acc);
    }
    rows.push({ keyParts: w.parts, windowStart: w.start, windowEnd: w.end, revision: 0, values });
  }

  const sink = opts.sink ?? deltaSink();
  try {
    const stamp = { emittedAt: (opts.now ?? Date.now)(), checkpoint: pass + 1 };
    const columns = resultColumns(asset, stamp);
    const adds = await sink.stage(opts.sinkTable, rows, columns);
    const info = { operation: 'STREAMING UPDATE', freshetJob: asset.name, mergePass: pass + 1, watermark };
    const r = await sink.commit(
      opts.sinkTable,
      columns.map((c) => c.field),
      adds,
      { appId, version: pass + 1, marks: [{ appId: watermarkMark(appId), version: watermark }] },
      info,
    );
    // another pass (a retried activity still alive) got there first: it wrote the same windows
    if (r.skipped) return { pass: pass + 1, windows: 0, watermark, waitingFor: [] };
    return { pass: pass + 1, windows: rows.length, watermark, waitingFor: [] };
  } finally {
    if (!opts.sink) await sink.close();
  }
}
