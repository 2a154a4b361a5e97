// Loading a table's state: newest checkpoint at or before the wanted version, then the JSON commits after it.
import type { ObjectInfo, ObjectStore } from '../storage/types.ts';
import { readCheckpoint, readLastCheckpoint } from './checkpoint.ts';
import { DeltaLogError } from './errors.ts';
import { commitKey, LOG_DIR, pad, parseCommit, parseLogName, type Commit } from './log.ts';
import { LogState } from './replay.ts';
import type { Snapshot } from './types.ts';

export interface LogListing {
  /** commit files by version */
  commits: Map<number, ObjectInfo>;
  /** complete checkpoints by version (all parts present) */
  checkpoints: Map<number, ObjectInfo[]>;
}

/** Lists _delta_log (from `fromVersion` on when given) and sorts its files into commits and checkpoints. */
export async function listLog(table: ObjectStore, fromVersion = 0): Promise<LogListing> {
  const infos = await table.list(`${LOG_DIR}/`, {
    shallow: true,
    ...(fromVersion > 0 ? { startAfter: `${LOG_DIR}/${pad(fromVersion - 1)}.z` } : {}),
  });
  const commits = new Map<number, ObjectInfo>();
  const parts = new Map<string, ObjectInfo[]>();
  for (const info of infos) {
    const f = parseLogName(info);
    if (!f || f.version < fromVersion) continue;
    if (f.kind === 'commit') commits.set(f.version, info);
    else {
      const key = `${f.version}/${f.parts}`;
      parts.set(key, [...(parts.get(key) ?? []), info]);
    }
  }
  const checkpoints = new Map<number, ObjectInfo[]>();
  for (const [key, files] of parts) {
    const [version, count] = key.split('/').map(Number);
    // A single-file checkpoint wins over a multi-part one of the same version; incomplete ones are ignored.
    if (files.length === count && (!checkpoints.has(version) || count === 1)) checkpoints.set(version, files);
  }
  return { commits, checkpoints };
}

export function newestVersion(listing: LogListing): number {
  let v = -1;
  for (const k of listing.commits.keys()) v = Math.max(v, k);
  // After log cleanup a checkpoint may be newer than every commit file left.
  for (const k of listing.checkpoints.keys()) v = Math.max(v, k);
  return v;
}

export async function readCommit(table: ObjectStore, version: number, info: ObjectInfo): Promise<Commit> {
  const where = `${table.uri}/${info.path}`;
  const bytes = await table.get(info.path);
  if (!bytes) throw new DeltaLogError(`commit file ${where} disappeared while reading the log`);
  return { version, timestamp: info.modified, key: info.path, actions: parseCommit(bytes, where) };
}

/** Reads commits `from..to` in order, failing on a gap. Reads run a few at a time. */
export async function readCommits(table: ObjectStore, listing: LogListing, from: number, to: number): Promise<Commit[]> {
  for (let v = from; v <= to; v++) {
    if (!listing.commits.has(v)) {
      throw new DeltaLogError(
        `the log of ${table.uri} is missing commit ${v} (${table.uri}/${LOG_DIR}/${pad(v)}.json) between versions ${from} and ${to}`,
      );
    }
  }
  const versions = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  const out: Commit[] = new Array(versions.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < versions.length) {
      const i = next++;
      out[i] = await readCommit(table, versions[i], listing.commits.get(versions[i])!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, versions.length) }, worker));
  return out;
}

/** Builds the state at `version` (default newest) from a listing. undefined when there is no log. */
export async function stateFromListing(table: ObjectStore, listing: LogListing, version?: number): Promise<LogState | undefined> {
  const newest = newestVersion(listing);
  const target = version ?? newest;
  if (target < 0 && listing.checkpoints.size === 0) return undefined;
  if (version !== undefined && version > newest) {
    throw new DeltaLogError(`version ${version} of ${table.uri} does not exist; the newest is ${newest}`);
  }
  let start = -1;
  for (const v of listing.checkpoints.keys()) if (v <= target && v > start) start = v;
  const state = new LogState(table.uri);
  if (start >= 0) {
    const parts = listing.checkpoints.get(start)!;
    const actions = await readCheckpoint(table, parts);
    const ts = listing.commits.get(start)?.modified ?? parts[0].modified;
    state.apply(actions, start, ts, `${table.uri}/${parts[0].path}`);
  } else if (!listing.commits.has(0)) {
    const first = Math.min(...listing.commits.keys());
    throw new DeltaLogError(
      `the log of ${table.uri} starts at version ${first} with no checkpoint at or before version ${target}, so version ${target} cannot be read (missing ${table.uri}/${LOG_DIR}/${pad(0)}.json)`,
    );
  }
  for (const commit of await readCommits(table, listing, start + 1, target)) {
    state.apply(commit.actions, commit.version, commit.timestamp, `${table.uri}/${commit.key}`);
  }
  state.check(`${table.uri}/${LOG_DIR}`);
  return state;
}

// The newest state per table URI, kept by this process and brought forward by the commits after
// its version (as delta-rs' incremental update does), never re-read from the checkpoint while it
// still describes the table. A cached state is changed in place, only under its table's lock
// (withTableLock), so a reader that copies what it needs before its next await sees one version.
const cache = new Map<string, { state: LogState; size: number; modified: number }>();
const locks = new Map<string, Promise<void>>();

/** Runs `fn` alone among this process's writers and cache updates of the table at `uri`. */
export async function withTableLock<T>(uri: string, fn: () => Promise<T>): Promise<T> {
  const before = locks.get(uri) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = before.then(() => mine);
  locks.set(uri, tail);
  await before;
  try {
    return await fn();
  } finally {
    release();
    if (locks.get(uri) === tail) locks.delete(uri);
  }
}

/**
 * The newest state. It is the cached object itself: copy what you need before the next await, or
 * hold the table's lock (write() does) while using it.
 */
export async function latestState(table: ObjectStore): Promise<LogState | undefined> {
  return withTableLock(table.uri, () => latestStateLocked(table));
}

/** latestState, for a caller that holds the table's lock. */
export async function latestStateLocked(table: ObjectStore): Promise<LogState | undefined> {
  const cached = cache.get(table.uri);
  if (cached) {
    try {
      const state = await bringForward(table, cached);
      if (state) return state;
    } catch (e) {
      // Anything unexpected while bringing the cache forward (a commit gone, a damaged one): the
      // cache no longer says what the table is, so it goes and the log is read from its
      // checkpoint, which reports a real fault with its path.
      if (!(e instanceof DeltaLogError)) throw e;
    }
    cache.delete(table.uri);
  }
  const last = await readLastCheckpoint(table);
  let listing = last ? await listLog(table, last.version) : undefined;
  // _last_checkpoint may point at a checkpoint that is gone or half-listed: then list everything.
  if (!listing || !listing.checkpoints.has(last!.version)) listing = await listLog(table);
  const state = await stateFromListing(table, listing);
  if (state) remember(table, state, listing.commits.get(state.version));
  return state;
}

/**
 * The cached state with the commits after its version applied, or undefined when the cache no
 * longer describes the table (its own commit file changed: the table was recreated; or commits
 * after it are gone, removed by log cleanup behind a newer checkpoint): the caller reloads.
 */
async function bringForward(
  table: ObjectStore,
  cached: { state: LogState; size: number; modified: number },
): Promise<LogState | undefined> {
  const from = cached.state.version;
  const found = table.stat ? await probeCommits(table, from) : await listCommits(table, from);
  if (!found) return undefined;
  const { own, after } = found;
  if (!own || own.size !== cached.size || own.modified !== cached.modified) return undefined;
  // No commit after ours, yet a checkpoint newer than ours: cleanup removed the commits between.
  if (found.newestCheckpoint > from + after.length) return undefined;
  if (after.length === 0) return cached.state;
  const listing: LogListing = { commits: new Map(after.map((info, i) => [from + 1 + i, info])), checkpoints: new Map() };
  const commits = await readCommits(table, listing, from + 1, from + after.length);
  // Read all before changing anything: a failed read leaves the cached state as it was.
  const state = cached.state;
  try {
    for (const c of commits) state.apply(c.actions, c.version, c.timestamp, `${table.uri}/${c.key}`);
  } catch (e) {
    cache.delete(table.uri);
    throw e;
  }
  remember(table, state, after[after.length - 1]);
  return state;
}

interface Found {
  own: ObjectInfo | undefined;
  /** the commit files after `from`, in order, without a gap */
  after: ObjectInfo[];
  newestCheckpoint: number;
}

/** From a listing after `from` (one request on S3). */
async function listCommits(table: ObjectStore, from: number): Promise<Found | undefined> {
  const listing = await listLog(table, from);
  const newest = newestVersion(listing);
  const after: ObjectInfo[] = [];
  for (let v = from + 1; v <= newest; v++) {
    const info = listing.commits.get(v);
    if (!info) return undefined;
    after.push(info);
  }
  let newestCheckpoint = -1;
  for (const v of listing.checkpoints.keys()) newestCheckpoint = Math.max(newestCheckpoint, v);
  return { own: listing.commits.get(from), after, newestCheckpoint };
}

/**
 * By asking for the commit files after `from` one by one until one is absent (a local directory,
 * where a listing reads every file of the log). Commits are put-if-absent in order, so the first
 * absent version ends the log, unless log cleanup removed it: cleanup removes only commits an
 * existing checkpoint covers, and _last_checkpoint names the newest checkpoint.
 */
async function probeCommits(table: ObjectStore, from: number): Promise<Found> {
  const stat = table.stat!.bind(table);
  const [own, last] = await Promise.all([stat(commitKey(from)), readLastCheckpoint(table)]);
  const after: ObjectInfo[] = [];
  for (;;) {
    const info = await stat(commitKey(from + 1 + after.length));
    if (!info) break;
    after.push(info);
  }
  return { own, after, newestCheckpoint: last?.version ?? -1 };
}

/** Drops the cached newest states (benchmarks measure cold loads with it). */
export function forgetCachedSnapshots(): void {
  cache.clear();
}

/**
 * Records `state` as the newest one seen (it then belongs to the cache: the caller stops using it
 * unless it holds the table's lock), when its commit file is known. The caller holds the lock.
 */
export function remember(table: ObjectStore, state: LogState, own: ObjectInfo | undefined): void {
  if (!own) return;
  const current = cache.get(table.uri);
  if (current && current.state !== state && current.state.version > state.version) return;
  cache.set(table.uri, { state, size: own.size, modified: own.modified });
}

/** The commit file of `version` as the store describes it (for remember), without listing the log where the store can say. */
export async function commitInfo(table: ObjectStore, version: number): Promise<ObjectInfo | undefined> {
  if (table.stat) return table.stat(commitKey(version));
  return (await listLog(table, version)).commits.get(version);
}

/** Commit times by version, made monotonic as the protocol asks (a later commit is never earlier). */
export function commitTimestamps(listing: LogListing): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let prev = -Infinity;
  for (const v of [...listing.commits.keys()].sort((a, b) => a - b)) {
    const ts = Math.max(listing.commits.get(v)!.modified, prev + 1);
    out.push([v, ts]);
    prev = ts;
  }
  return out;
}

export async function loadState(table: ObjectStore, at: { version?: number; timestamp?: number } = {}): Promise<LogState | undefined> {
  if (at.version === undefined && at.timestamp === undefined) return latestState(table);
  const listing = await listLog(table);
  let version = at.version;
  if (at.timestamp !== undefined) {
    const times = commitTimestamps(listing);
    const before = times.filter(([, ts]) => ts <= at.timestamp!);
    if (times.length === 0) return undefined;
    if (before.length === 0) {
      throw new DeltaLogError(
        `${table.uri} has no version at or before ${new Date(at.timestamp).toISOString()}; the earliest is version ${times[0][0]} at ${new Date(times[0][1]).toISOString()}`,
      );
    }
    const found = before[before.length - 1][0];
    version = version === undefined ? found : Math.min(version, found);
  }
  if (version !== undefined && version < 0)
    throw new DeltaLogError(`version ${version} of ${table.uri} is not a version (they start at 0)`);
  return stateFromListing(table, listing, version);
}

export async function loadSnapshot(table: ObjectStore, at?: { version?: number; timestamp?: number }): Promise<Snapshot | undefined> {
  const state = await loadState(table, at);
  if (!state) return undefined;
  return state.toSnapshot();
}
