// Checkpoints: the operator's keyed state, the source offsets, the watermark and the sink commit
// the checkpoint stands for, in one object written put-if-absent (atomic, and a second writer
// of the same id is refused, which fences a zombie run). Incremental checkpoints hold only the
// keys changed or evicted since their parent; every `compactEvery`-th one is full, and once a
// full one is durable the chains before it are deleted.
import type { ObjectStore } from '../storage/types.ts';
import { readPane, writePane } from './aggregates.ts';
import { BinaryReader, BinaryWriter } from './codec.ts';
import type { KeyState, RestoreReset, SessionPane, StoredKey, WindowOperator } from './operator.ts';
import type { WatermarkState } from './watermark.ts';
import type { AddFile } from '../delta/types.ts';

const MAGIC = 'FRESHET-CKPT-1';
const DIR = 'checkpoints/';

/** The sink commit a checkpoint stands for: committed with txn version = checkpoint id. */
export interface PendingCommit {
  rows: AddFile[];
  late: AddFile[];
  dead: AddFile[];
}

export interface CheckpointHeader {
  magic: string;
  job: string;
  id: number;
  /** previous checkpoint this one's state builds on; null for a full checkpoint */
  parent: number | null;
  createdAt: number;
  /** next offset to read, per source partition */
  offsets: Record<string, number>;
  watermark: WatermarkState;
  /** files to commit with txn version `id`, written before this checkpoint */
  pending: PendingCommit;
  /** the newest txn version known committed to the sink when this checkpoint was taken */
  sinkVersion: number;
  /** checkpoints since the last full one (0 for a full one) */
  chainLength: number;
  /** keys, panes and windows must mean the same thing to be restored */
  fingerprint: string;
  keyCount: number;
  metrics?: Record<string, number>;
}

export interface StateSnapshot {
  full: boolean;
  /** the encoded state section (keys, tombstones, dedup ids), at the start of `writer` */
  body: Uint8Array;
  /** the writer holding the body; writeCheckpoint appends the header to it */
  writer: BinaryWriter;
  keyCount: number;
  /** how long the synchronous encode held up processing */
  encodeMs: number;
}

const SESSION = 1;

function writeKey(op: WindowOperator, w: BinaryWriter, k: StoredKey, session: boolean): void {
  w.str(k.key);
  if (op.asset.key.length > 1) for (const p of k.parts) w.str(p);
  w.f64(k.lastSeen);
  w.f64(k.firedEnd);
  const revisions = k.revisions;
  w.uint(revisions ? revisions.size : 0);
  if (revisions) {
    for (const [end, rev] of revisions) {
      w.f64(end);
      w.f64(rev);
    }
  }
  w.uint(k.panes.length);
  for (const p of k.panes) {
    writePane(op.aggs, w, p);
    if (session) {
      const s = p as SessionPane;
      w.f64(s.end);
      w.f64(s.revision);
      w.u8(s.pending ? 1 : 0);
    }
  }
}

function readKey(op: WindowOperator, r: BinaryReader, session: boolean): StoredKey {
  const key = r.str();
  const parts = op.asset.key.length > 1 ? op.asset.key.map(() => r.str()) : [key];
  const lastSeen = r.f64();
  const firedEnd = r.f64();
  const nRev = r.uint();
  let revisions: Map<number, number> | null = null;
  if (nRev > 0) {
    revisions = new Map();
    for (let i = 0; i < nRev; i++) revisions.set(r.f64(), r.f64());
  }
  const nPanes = r.uint();
  const panes = [];
  for (let i = 0; i < nPanes; i++) {
    const p = readPane(op.aggs, r);
    if (session) panes.push(Object.assign(p, { end: r.f64(), revision: r.f64(), pending: r.u8() === 1 }));
    else panes.push(p);
  }
  return { key, parts, panes, lastSeen, firedEnd, revisions };
}

/**
 * A snapshot encoded in slices while processing goes on. start() fixes what the snapshot
 * holds (the keys to write, tombstones, dedup ids, in a few ms even for 1M keys); step() encodes
 * keys for a time budget between batches; a key about to change before its turn is encoded
 * first (copy-on-write, WindowOperator.beginSnapshot), so the body is the state as of start().
 */
export class SnapshotWriter {
  readonly full: boolean;
  private readonly op: WindowOperator;
  private readonly w: BinaryWriter;
  private readonly session: boolean;
  private keys: Iterator<KeyState> | undefined;
  private ids: Array<[string, number]> = [];
  private countAt = 0;
  private written = 0;
  done = false;
  /** the longest single pause: start() or one step() */
  maxPauseMs = 0;

  constructor(op: WindowOperator, full: boolean, writer?: BinaryWriter) {
    this.op = op;
    this.full = full;
    this.w = writer ?? new BinaryWriter(1 << 20);
    this.session = op.asset.window.kind === 'session';
  }

  start(): void {
    const t0 = performance.now();
    const w = this.w;
    const start = this.op.beginSnapshot(this.full, (k) => this.encode(k));
    w.reset();
    w.u8(this.full ? 1 : 0);
    w.u8(this.session ? SESSION : 0);
    w.uint(start.tombstones.length);
    for (const key of start.tombstones) w.str(key);
    this.keys = start.keys;
    this.ids = start.ids;
    // the key count is patched in at the end; keys are written as they come
    this.countAt = w.length;
    w.u32(0);
    this.maxPauseMs = performance.now() - t0;
  }

  private encode(k: StoredKey): void {
    writeKey(this.op, this.w, k, this.session);
    this.written++;
  }

  /** Encodes keys for about `budgetMs`; true once the snapshot is complete. */
  step(budgetMs: number): boolean {
    if (this.done) return true;
    const t0 = performance.now();
    const op = this.op;
    const keys = this.keys!;
    let n = 0;
    for (;;) {
      const r = keys.next();
      if (r.done) {
        this.complete();
        break;
      }
      if (op.takeForSnapshot(r.value)) this.encode(r.value);
      if ((++n & 63) === 0 && performance.now() - t0 >= budgetMs) break;
    }
    this.maxPauseMs = Math.max(this.maxPauseMs, performance.now() - t0);
    return this.done;
  }

  private complete(): void {
    const w = this.w;
    w.patchU32(this.countAt, this.written);
    w.uint(this.ids.length);
    for (const [id, until] of this.ids) {
      w.str(id);
      w.f64(until);
    }
    this.op.endSnapshot();
    this.keys = undefined;
    this.ids = [];
    this.done = true;
  }

  result(): StateSnapshot {
    if (!this.done) throw new Error('snapshot not complete');
    return { full: this.full, body: this.w.bytesView(), writer: this.w, keyCount: this.written, encodeMs: this.maxPauseMs };
  }
}

/** Encodes the operator's state at once: everything (full) or what changed since the last snapshot. */
export function snapshotState(op: WindowOperator, full: boolean, writer?: BinaryWriter): StateSnapshot {
  const s = new SnapshotWriter(op, full, writer);
  const t0 = performance.now();
  s.start();
  s.step(Infinity);
  const r = s.result();
  r.encodeMs = performance.now() - t0;
  return r;
}

/** Applies one encoded state section onto the operator (keys replaced or deleted, ids added). */
function applyState(op: WindowOperator, body: Uint8Array, restored: Map<string, StoredKey>, ids: Map<string, number>): void {
  const r = new BinaryReader(body);
  const full = r.u8() === 1;
  const session = r.u8() === SESSION;
  if (full) {
    restored.clear();
    ids.clear();
  }
  const nTomb = r.uint();
  for (let i = 0; i < nTomb; i++) restored.delete(r.str());
  const nKeys = r.u32();
  for (let i = 0; i < nKeys; i++) {
    const k = readKey(op, r, session);
    restored.set(k.key, k);
  }
  const nIds = r.uint();
  for (let i = 0; i < nIds; i++) ids.set(r.str(), r.f64());
}

export function checkpointPath(id: number): string {
  return `${DIR}${String(id).padStart(20, '0')}.ckpt`;
}

const utf8 = new TextEncoder();
const unutf8 = new TextDecoder();

/** Layout: [state body][header JSON][u32 header length]. The header goes last so it can be
 *  appended to the snapshot's own buffer: a large state is written without being copied. */
function encodeCheckpoint(header: CheckpointHeader, snap: { body: Uint8Array; writer?: BinaryWriter }): Uint8Array {
  const json = utf8.encode(JSON.stringify(header));
  const w = snap.writer && snap.writer.length === snap.body.length ? snap.writer : undefined;
  if (w) {
    w.bytesRaw(json);
    w.u32(json.length);
    return w.bytesView();
  }
  const out = new Uint8Array(snap.body.length + json.length + 4);
  out.set(snap.body, 0);
  out.set(json, snap.body.length);
  new DataView(out.buffer).setUint32(out.length - 4, json.length, true);
  return out;
}

function decodeCheckpoint(bytes: Uint8Array, where: string): { header: CheckpointHeader; body: Uint8Array } {
  try {
    if (bytes.length < 4) throw new Error('the file is too short');
    const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 4, true);
    const start = bytes.length - 4 - n;
    if (start < 0) throw new Error('the header length is past the start of the file');
    const header = JSON.parse(unutf8.decode(bytes.subarray(start, bytes.length - 4))) as CheckpointHeader;
    if (header.magic !== MAGIC) throw new Error(`not a Freshet checkpoint (magic ${JSON.stringify(header.magic)})`);
    return { header, body: bytes.subarray(0, start) };
  } catch (e) {
    throw new Error(
      `Checkpoint ${where} cannot be read: ${(e as Error).message}. It is never skipped: move it away only if you accept restoring from an older checkpoint.`,
      { cause: e },
    );
  }
}

/** Writes checkpoint `header.id`; throws if that id already exists (another run of this job wrote it). */
export async function writeCheckpoint(
  store: ObjectStore,
  header: Omit<CheckpointHeader, 'magic'>,
  snap: { body: Uint8Array; writer?: BinaryWriter },
): Promise<void> {
  const path = checkpointPath(header.id);
  const ok = await store.putIfAbsent(path, encodeCheckpoint({ magic: MAGIC, ...header }, snap));
  if (!ok) {
    throw new Error(
      `Checkpoint ${store.uri}/${path} already exists: another run of job '${header.job}' is writing checkpoints. Stop it; this run stops so the two do not both commit.`,
    );
  }
}

/** The header of checkpoint `id` (offsets, watermark, pending commit), for status pages and tests. */
export async function readCheckpointHeader(store: ObjectStore, id: number): Promise<CheckpointHeader> {
  const path = checkpointPath(id);
  const data = await store.get(path);
  if (!data) throw new Error(`Checkpoint ${store.uri}/${path} does not exist.`);
  return decodeCheckpoint(data, `${store.uri}/${path}`).header;
}

export async function listCheckpoints(store: ObjectStore): Promise<number[]> {
  const objects = await store.list(DIR);
  return objects
    .map((o) => /(\d{20})\.ckpt$/.exec(o.path))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export interface Restored {
  header: CheckpointHeader;
  /** set when the checkpoint's event time was beyond processing time + maxFutureSkew and was reset */
  reset: RestoreReset | null;
  /** bytes read, the chain included */
  bytes: number;
  chain: number[];
}

/** Restores the newest checkpoint (its chain back to the full one) into a fresh operator. undefined when the job has none. */
export async function restoreLatest(store: ObjectStore, op: WindowOperator, fingerprint: string): Promise<Restored | undefined> {
  const ids = await listCheckpoints(store);
  if (ids.length === 0) return undefined;
  const newest = ids[ids.length - 1];
  // walk back to the full checkpoint, then apply forward
  const chain: Array<{ header: CheckpointHeader; body: Uint8Array }> = [];
  let bytes = 0;
  let id: number | null = newest;
  while (id !== null) {
    const path = checkpointPath(id);
    const data = await store.get(path);
    if (!data)
      throw new Error(
        `Checkpoint ${store.uri}/${path} is missing but checkpoint ${chain[chain.length - 1]?.header.id ?? newest} builds on it; the chain is broken, restore cannot continue.`,
      );
    bytes += data.length;
    const c = decodeCheckpoint(data, `${store.uri}/${path}`);
    chain.push(c);
    id = c.header.parent;
  }
  chain.reverse();
  const header = chain[chain.length - 1].header;
  if (header.fingerprint !== fingerprint) {
    throw new Error(
      `Checkpoint ${store.uri}/${checkpointPath(header.id)} was taken by a job with a different key, window or aggregates (${header.fingerprint} vs ${fingerprint}); its state cannot be reused. Give the changed job a new name, or delete ${store.uri}/${DIR} to start over.`,
    );
  }
  const keys = new Map<string, StoredKey>();
  const ids2 = new Map<string, number>();
  for (const c of chain) applyState(op, c.body, keys, ids2);
  const reset = op.restore({ watermark: header.watermark, keys: keys.values(), ids: ids2 });
  return { header, reset, bytes, chain: chain.map((c) => c.header.id) };
}

/** Deletes every checkpoint older than the newest full one at or before `fullId`. */
export async function pruneBefore(store: ObjectStore, fullId: number): Promise<number> {
  const ids = await listCheckpoints(store);
  let removed = 0;
  for (const id of ids) {
    if (id >= fullId) break;
    await store.delete(checkpointPath(id));
    removed++;
  }
  return removed;
}
