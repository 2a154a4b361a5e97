// Writing one commit with optimistic concurrency: plan on the newest state, put-if-absent the next
// version, and on losing the race check what the winners did before planning again.
import { randomUUID } from 'node:crypto';
import type { ObjectStore } from '../storage/types.ts';
import { checkpointInterval, isAppendOnly } from './config.ts';
import { writeCheckpoint } from './checkpoint.ts';
import { DeltaConflictError, DeltaWriteError, describePartition } from './errors.ts';
import { commitKey, normalizePartition, serializeActions, type Action, type Commit, type RawMetadata } from './log.ts';
import { checkSchemaFeatures, checkWritable, protocolFor } from './protocol.ts';
import { LogState, toMetadata, toProtocol } from './replay.ts';
import { evolveSchema, schemaString } from './schema.ts';
import { literal } from './sql.ts';
import { commitInfo, latestStateLocked, listLog, loadState, newestVersion, readCommits, remember, withTableLock } from './snapshot.ts';
import type { AddFile, Field, PartitionValues, RemoveFile } from './types.ts';

export interface WriteRequest {
  /** schema of the table after this write, partition columns included (new nullable columns = evolution) */
  schema: Field[];
  partitionColumns: string[];
  mode: 'append' | 'overwrite';
  /** with overwrite: the partition replaced (every live file with these partition values is removed); omitted = the whole table */
  replace?: PartitionValues;
  adds: AddFile[];
  /** merged into the commit's commitInfo (delta sets timestamp and operation) */
  commitInfo?: Record<string, unknown>;
  /** idempotent write: when the table's txn version for appId is already >= version, nothing is written */
  txn?: { appId: string; version: number };
  /**
   * More txn actions committed with this write, not checked: progress other readers act on
   * (a streaming shard's watermark), recorded atomically with the data it describes.
   */
  marks?: Array<{ appId: string; version: number }>;
  /** table properties, used when this write creates the table */
  configuration?: Record<string, string>;
  /** attempts before giving up on a busy table (default 1000) */
  maxAttempts?: number;
  /**
   * The version the caller read before preparing this write (default: the newest at call time).
   * Commits after it are checked for conflicts like any lost race.
   */
  readVersion?: number;
}

export interface WriteResult {
  version: number;
  /** true when txn showed the write was already committed */
  skipped: boolean;
  /** files removed by the overwrite */
  removed: number;
  /** lost races retried before this commit went in */
  retries?: number;
  /** where the write's time went, ms (profiling) */
  timings: WriteTimings;
}

export interface WriteTimings {
  /** waiting for this process's other writers of the table */
  lockWaitMs: number;
  snapshotMs: number;
  planMs: number;
  putMs: number;
  conflictMs: number;
  afterCommitMs: number;
}

export async function write(table: ObjectStore, req: WriteRequest): Promise<WriteResult> {
  checkRequest(table.uri, req);
  const timings: WriteTimings = { lockWaitMs: 0, snapshotMs: 0, planMs: 0, putMs: 0, conflictMs: 0, afterCommitMs: 0 };
  let t = performance.now();
  const lap = (phase: keyof WriteTimings) => {
    const now = performance.now();
    timings[phase] += now - t;
    t = now;
  };
  // One writer of this table at a time in this process: two would race for the same version and
  // one would lose and plan again; queued, each plans on the other's commit. The checkpoint a
  // commit may owe is written after the lock is released.
  let checkpointing: Promise<void> | undefined;
  const result = await withTableLock(table.uri, async (): Promise<WriteResult> => {
    lap('lockWaitMs');
    // The cache's own state, brought forward in place, or a private one at readVersion.
    let state = req.readVersion === undefined ? await latestStateLocked(table) : await loadState(table, { version: req.readVersion });
    const maxAttempts = req.maxAttempts ?? 1000;
    // Marks this write's commit, to know it again when its put landed but reported a lost race.
    const txnId = randomUUID();
    lap('snapshotMs');
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const done = state && req.txn ? state.txns.get(req.txn.appId) : undefined;
      if (state && req.txn && done && done.version >= req.txn.version) {
        return { version: state.version, skipped: true, removed: 0, retries: attempt, timings };
      }
      const { actions, removed } = plan(table.uri, state, req, txnId);
      const version = (state?.version ?? -1) + 1;
      const body = serializeActions(actions);
      lap('planMs');
      const won = await table.putIfAbsent(commitKey(version), body);
      lap('putMs');
      if (won) {
        checkpointing = (await afterCommit(table, state, actions, version)).checkpoint;
        lap('afterCommitMs');
        return { version, skipped: false, removed, retries: attempt, timings };
      }
      // Lost the race for `version` to another process: read what won, refuse on a real conflict,
      // else plan again on top of it.
      const listing = await listLog(table, version);
      if (!listing.commits.has(version)) {
        // Taken, yet not a commit: retrying would lose the same way every time.
        throw new DeltaWriteError(
          `cannot commit version ${version} of ${table.uri}: ${table.uri}/${commitKey(version)} exists but is not a commit file (a folder?); move it out of _delta_log and write again`,
        );
      }
      const winners = await readCommits(table, listing, version, newestVersion(listing));
      // The put landed and only its reply was lost (a connection cut, the client's retry then got
      // 412): the version is this write's. Planning again would commit it twice, or, with a txn,
      // report it skipped and have the caller delete the files this commit points to.
      if (winners[0]?.version === version && commitTxnId(winners[0]) === txnId) {
        checkpointing = (await afterCommit(table, state, actions, version)).checkpoint;
        lap('afterCommitMs');
        return { version, skipped: false, removed, retries: attempt, timings };
      }
      // Every winner is checked before the state changes: a conflict leaves it at its version.
      for (const w of winners) checkConflict(table.uri, req, state?.version ?? -1, w);
      const next = state ?? new LogState(table.uri);
      for (const w of winners) next.apply(w.actions, w.version, w.timestamp, `${table.uri}/${w.key}`);
      remember(table, next, listing.commits.get(next.version));
      state = next;
      lap('conflictMs');
    }
    throw new DeltaWriteError(`gave up writing to ${table.uri} after ${maxAttempts} attempts: other writers kept committing first`);
  });
  if (checkpointing) {
    await checkpointing;
    lap('afterCommitMs');
  }
  return result;
}

function checkRequest(table: string, req: WriteRequest): void {
  const names = new Set(req.schema.map((f) => f.name));
  for (const c of req.partitionColumns) {
    if (!names.has(c)) throw new DeltaWriteError(`write to ${table}: partition column "${c}" is not in the schema`);
  }
  if (req.replace && req.mode !== 'overwrite') throw new DeltaWriteError(`write to ${table}: "replace" needs mode "overwrite"`);
  for (const k of Object.keys(req.replace ?? {})) {
    if (!req.partitionColumns.includes(k)) {
      throw new DeltaWriteError(
        `write to ${table}: replace names "${k}", which is not a partition column (${req.partitionColumns.join(', ') || 'none'})`,
      );
    }
  }
  for (const t of [...(req.txn ? [req.txn] : []), ...(req.marks ?? [])]) {
    if (!Number.isSafeInteger(t.version))
      throw new DeltaWriteError(`write to ${table}: txn version for "${t.appId}" must be a whole number, got ${t.version}`);
  }
  const cols = [...req.partitionColumns].sort().join(',');
  for (const add of req.adds) {
    if (Object.keys(add.partitionValues).sort().join(',') !== cols) {
      throw new DeltaWriteError(
        `write to ${table}: file ${add.path} has partition values for (${Object.keys(add.partitionValues).join(', ')}) but the partition columns are (${req.partitionColumns.join(', ')})`,
      );
    }
    if (req.replace && !matches(add.partitionValues, req.replace)) {
      throw new DeltaWriteError(
        `write to ${table}: file ${add.path} is in partition ${describePartition(add.partitionValues)}, outside the replaced partition ${describePartition(req.replace)}`,
      );
    }
  }
}

/** The actions of a commit that applies `req` to `state`. */
function plan(table: string, state: LogState | undefined, req: WriteRequest, txnId: string): { actions: Action[]; removed: number } {
  const now = Date.now();
  const actions: Action[] = [];
  let metadata: RawMetadata | undefined;
  if (!state) {
    const protocol = protocolFor(req.schema, req.configuration);
    checkWritable(protocol, req.schema, table);
    actions.push({ protocol });
    metadata = {
      id: randomUUID(),
      format: { provider: 'parquet', options: {} },
      schemaString: schemaString(req.schema),
      partitionColumns: req.partitionColumns,
      configuration: req.configuration ?? {},
      createdTime: now,
    };
    actions.push({ metaData: metadata });
  } else {
    state.checkWritable();
    const current = toMetadata(state.metadata!, state.metadataSource);
    if (current.partitionColumns.join(',') !== req.partitionColumns.join(',')) {
      throw new DeltaWriteError(
        `write to ${table}: the table is partitioned by (${current.partitionColumns.join(', ') || 'nothing'}) but the write by (${req.partitionColumns.join(', ') || 'nothing'}); repartitioning needs a new table`,
      );
    }
    const evolved = evolveSchema(current.schema, req.schema, table);
    checkSchemaFeatures(toProtocol(state.protocol!), evolved.schema, table);
    if (evolved.changed) {
      metadata = { ...state.metadata!, schemaString: schemaString(evolved.schema) };
      actions.push({ metaData: metadata });
    }
  }
  if (req.txn) actions.push({ txn: { appId: req.txn.appId, version: req.txn.version, lastUpdated: now } });
  for (const m of req.marks ?? []) actions.push({ txn: { appId: m.appId, version: m.version, lastUpdated: now } });
  const removes: RemoveFile[] = [];
  if (req.mode === 'overwrite' && state) {
    // A replace naming every partition column reads that partition's files from the index.
    const exact = req.replace && Object.keys(req.replace).length === req.partitionColumns.length;
    for (const f of exact ? state.filesIn(req.replace!) : state.files.values()) {
      if (req.replace && !matches(f.partitionValues, req.replace)) continue;
      removes.push({
        path: f.path,
        deletionTimestamp: now,
        dataChange: true,
        extendedFileMetadata: true,
        partitionValues: f.partitionValues,
        size: f.size,
      });
    }
    if (removes.length > 0 && isAppendOnly(toMetadata(state.metadata!, state.metadataSource))) {
      throw new DeltaWriteError(
        `write to ${table}: the table is append-only (delta.appendOnly=true), so ${describePartition(req.replace)} cannot be overwritten`,
      );
    }
  }
  for (const r of removes) actions.push({ remove: r });
  for (const a of req.adds) actions.push({ add: a });
  const operationParameters: Record<string, string> = {
    mode: req.mode === 'append' ? 'Append' : 'Overwrite',
    partitionBy: JSON.stringify(req.partitionColumns),
  };
  if (req.replace) operationParameters.predicate = predicate(req.replace);
  actions.unshift({
    commitInfo: {
      timestamp: now,
      operation: 'WRITE',
      operationParameters,
      readVersion: state?.version ?? -1,
      isBlindAppend: req.mode === 'append',
      engineInfo: 'freshet',
      clientVersion: 'freshet-0.1.0',
      ...req.commitInfo,
      // as Spark's Delta writes it: one id per transaction
      txnId,
    },
  });
  return { actions, removed: removes.length };
}

function commitTxnId(c: Commit): unknown {
  return c.actions.find((a) => a.commitInfo)?.commitInfo?.txnId;
}

/** A winning commit conflicts when it added or removed files in what this write replaces. Blind appends never conflict (as in delta-rs). */
function checkConflict(table: string, req: WriteRequest, readVersion: number, winner: Commit): void {
  if (req.mode !== 'overwrite') return;
  for (const a of winner.actions) {
    const touched = a.add?.partitionValues ?? a.remove?.partitionValues;
    if (!a.add && !a.remove) continue;
    // A remove without partitionValues could be anywhere: treat it as touching this partition.
    if (!req.replace || touched === undefined || matches(touched, req.replace)) {
      const what = describePartition(req.replace);
      const op =
        typeof winner.actions.find((x) => x.commitInfo)?.commitInfo?.operation === 'string'
          ? ` (${String(winner.actions.find((x) => x.commitInfo)!.commitInfo!.operation)})`
          : '';
      throw new DeltaConflictError(
        `conflicting write to ${table}: version ${winner.version}${op} changed ${what} after this write read version ${readVersion}; nothing was committed. Read version ${winner.version} or later and write again.`,
        { table, partition: req.replace, readVersion, conflictingVersion: winner.version },
      );
    }
  }
}

/**
 * After a commit (the table's lock held): apply it to the state, which the cache then holds, and
 * every checkpointInterval commits (more as the table grows) start the checkpoint. Its actions
 * are taken from the state at once; the Parquet is written by the returned promise, which the
 * caller awaits after the lock.
 */
async function afterCommit(
  table: ObjectStore,
  before: LogState | undefined,
  actions: Action[],
  version: number,
): Promise<{ checkpoint?: Promise<void> }> {
  const state = before ?? new LogState(table.uri);
  state.apply(actions, version, Date.now(), `${table.uri}/${commitKey(version)}`);
  const info = await commitInfo(table, version);
  if (info) state.timestamp = info.modified;
  remember(table, state, info);
  const rows = state.files.size + state.txns.size + state.tombstones.size;
  if (version > 0 && version % checkpointInterval(toMetadata(state.metadata!, state.metadataSource), rows) === 0) {
    const checkpoint = writeCheckpoint(table, state).then(
      () => {},
      (e: unknown) => {
        // The commit stands without its checkpoint; readers replay the JSON commits instead.
        console.warn(`freshet: checkpoint ${version} of ${table.uri} not written: ${(e as Error).message}`);
      },
    );
    return { checkpoint };
  }
  return {};
}

export function matches(pv: PartitionValues, filter: PartitionValues): boolean {
  const a = normalizePartition(pv);
  const b = normalizePartition(filter);
  return Object.keys(b).every((k) => (a[k] ?? null) === b[k]);
}

function predicate(pv: PartitionValues): string {
  return Object.entries(pv)
    .map(([k, v]) => (v === null ? `${k} IS NULL` : `${k} = ${literal(v)}`))
    .join(' AND ');
}
