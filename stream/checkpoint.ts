// Checkpoints: the operator's keyed state, the source offsets, the watermark and the sink commit
// the checkpoint stands for, in one object written put-if-absent (atomic, and a second writer
// of the same id is refused, which fences a zombie run). Incremental checkpoints hold only the
// keys changed or evicted since their parent; every `compactEvery`-th one is full, and once a
// full one is durable the chains before it are deleted.
import type { ObjectStore } from '../storage/types.ts';
import { readPane, writePane } from './aggregates.ts';
import { BinaryReader, BinaryWriter } from './codec.ts';
import type { KeyState, SessionPane, WindowOperator } from './operator.ts';
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
  /** the encoded state section (keys, tombstones, dedup ids) */
  body: Uint8Array;
  keyCount: number;
  /** how long the synchronous encode held up processing */
  encodeMs: number;
}

const SESSION = 1;

function writeKey(op: WindowOperator, w: BinaryWriter, k: KeyState, session: boolean): void {
  w.str(k.key);
  if (op.asset.key.length > 1) for (const p of k.parts) w.str(p);
  w.f64(k.lastSeen);
  w.f64(k.firedEnd);
  const revisions = k.revisions ? [...k.revisions] : [];
  w.uint(revisions.length);
  for (const [end, rev] of revisions) {
    w.f64(end);
    w.f64(rev);
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

function readKey(op: WindowOperator, r: BinaryReader, session: boolean): KeyState {
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
  return { key, parts, panes, cur: null, lastSeen, firedEnd, timer: Infinity, revisions, refire: null, dirty: false, evicted: false };
}

/** Encodes the operator's state: everything (full) or what changed since the last snapshot; then clears the change tracking. */
export function snapshotState(op: WindowOperator, full: boolean): StateSnapshot {
  const started = performance.now();
  const w = new BinaryWriter();
  const session = op.asset.window.kind === 'session';
  w.u8(full ? 1 : 0);
  w.u8(session ? SESSION : 0);
  // tombstones first: a key evicted then seen again is written after its tombstone
  const tombstones = full ? [] : op.evictedKeys;
  w.uint(tombstones.length);
  for (const key of tombstones) w.str(key);
  let keyCount = 0;
  if (full) {
    w.uint(op.keys.size);
    for (const k of op.keys.values()) {
      writeKey(op, w, k, session);
      k.dirty = false;
      keyCount++;
    }
    for (const k of op.dirtyKeys) k.dirty = false;
  } else {
    const live = op.dirtyKeys.filter((k) => !k.evicted);
    w.uint(live.length);
    for (const k of live) {
      writeKey(op, w, k, session);
      keyCount++;
    }
    for (const k of op.dirtyKeys) k.dirty = false;
  }
  op.dirtyKeys = [];
  op.evictedKeys = [];
  // dedup ids: all of them in a full snapshot, the new ones otherwise
  const ids: Iterable<[string, number]> = full && op.dedup ? op.dedup.entries() : op.newIds;
  const idList = [...ids];
  w.uint(idList.length);
  for (const [id, until] of idList) {
    w.str(id);
    w.f64(until);
  }
  op.newIds = [];
  const body = w.finish();
  return { full, body, keyCount, encodeMs: performance.now() - started };
}

/** Applies one encoded state section onto the operator (keys replaced or deleted, ids added). */
function applyState(op: WindowOperator, body: Uint8Array, restored: Map<string, KeyState>, ids: Map<string, number>): void {
  const r = new BinaryReader(body);
  const full = r.u8() === 1;
  const session = r.u8() === SESSION;
  if (full) {
    restored.clear();
    ids.clear();
  }
  const nTomb = r.uint();
  for (let i = 0; i < nTomb; i++) restored.delete(r.str());
  const nKeys = r.uint();
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

function encodeCheckpoint(header: CheckpointHeader, body: Uint8Array): Uint8Array {
  const w = new BinaryWriter();
  w.json(header);
  w.bytes(body);
  return w.finish();
}

function decodeCheckpoint(bytes: Uint8Array, where: string): { header: CheckpointHeader; body: Uint8Array } {
  try {
    const r = new BinaryReader(bytes);
    const header = r.json<CheckpointHeader>();
    if (header.magic !== MAGIC) throw new Error(`not a Freshet checkpoint (magic ${JSON.stringify(header.magic)})`);
    return { header, body: r.bytes() };
  } catch (e) {
    throw new Error(`Checkpoint ${where} cannot be read: ${(e as Error).message}. It is never skipped: move it away only if you accept restoring from an older checkpoint.`);
  }
}

/** Writes checkpoint `header.id`; throws if that id already exists (another run of this job wrote it). */
export async function writeCheckpoint(store: ObjectStore, header: Omit<CheckpointHeader, 'magic'>, body: Uint8Array): Promise<void> {
  const path = checkpointPath(header.id);
  const ok = await store.putIfAbsent(path, encodeCheckpoint({ magic: MAGIC, ...header }, body));
  if (!ok) {
    throw new Error(`Checkpoint ${store.uri}/${path} already exists: another run of job '${header.job}' is writing checkpoints. Stop it; this run stops so the two do not both commit.`);
  }
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
    if (!data) throw new Error(`Checkpoint ${store.uri}/${path} is missing but checkpoint ${chain[chain.length - 1]?.header.id ?? newest} builds on it; the chain is broken, restore cannot continue.`);
    bytes += data.length;
    const c = decodeCheckpoint(data, `${store.uri}/${path}`);
    chain.push(c);
    id = c.header.parent;
  }
  chain.reverse();
  const header = chain[chain.length - 1].header;
  if (header.fingerprint !== fingerprint) {
    throw new Error(`Checkpoint ${store.uri}/${checkpointPath(header.id)} was taken by a job with a different key, window or aggregates (${header.fingerprint} vs ${fingerprint}); its state cannot be reused. Give the changed job a new name, or delete ${store.uri}/${DIR} to start over.`);
  }
  const keys = new Map<string, KeyState>();
  const ids2 = new Map<string, number>();
  for (const c of chain) applyState(op, c.body, keys, ids2);
  op.tracker.restore(header.watermark);
  for (const k of keys.values()) op.restoreKey(k);
  if (op.dedup) {
    op.dedup.restore(ids2);
    op.dedup.expire(op.tracker.watermark);
  }
  return { header, bytes, chain: chain.map((c) => c.header.id) };
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
