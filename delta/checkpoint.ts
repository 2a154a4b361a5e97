// Classic (V1) Parquet checkpoints: one action per row in struct columns txn/add/remove/metaData/protocol.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ObjectInfo, ObjectStore } from '../storage/types.ts';
import { deletedFileRetentionMs } from './config.ts';
import { describeAdd, readAddRows } from './checkpoint-adds.ts';
import { withCheckpointDuck, withDuck } from './duck.ts';
import { ident, literal } from './sql.ts';
import { DeltaLogError } from './errors.ts';
import { checkAction, checkpointKey, LAST_CHECKPOINT, type Action } from './log.ts';
import { toMetadata, type LogState } from './replay.ts';

const MAP = 'MAP(VARCHAR, VARCHAR)';
const COLUMNS: Record<string, string> = {
  txn: 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)',
  add: `STRUCT(path VARCHAR, partitionValues ${MAP}, size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags ${MAP})`,
  remove: `STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues ${MAP}, size BIGINT)`,
  metaData: `STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options ${MAP}), schemaString VARCHAR, partitionColumns VARCHAR[], configuration ${MAP}, createdTime BIGINT)`,
  protocol: 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], writerFeatures VARCHAR[])',
};

export interface LastCheckpoint {
  version: number;
  size: number;
  parts?: number;
  sizeInBytes?: number;
  numOfAddFiles?: number;
}

/** The actions a checkpoint of `state` holds: no commitInfo, tombstones only while retained. */
export function checkpointActions(state: LogState, now = Date.now()): Action[] {
  // A checkpoint rewrites the whole state in Freshet's columns: a feature Freshet cannot write
  // (deletion vectors, row tracking, domain metadata, ...) would be dropped from it.
  state.checkWritable();
  const retention = deletedFileRetentionMs(toMetadata(state.metadata!, state.metadataSource));
  const actions: Action[] = [{ protocol: state.protocol }, { metaData: state.metadata }];
  for (const [appId, t] of state.txns) actions.push({ txn: { appId, version: t.version, lastUpdated: t.lastUpdated ?? null } });
  for (const add of state.files.values()) {
    actions.push({
      add: {
        path: add.path,
        partitionValues: add.partitionValues,
        size: add.size,
        modificationTime: add.modificationTime,
        dataChange: false,
        stats: add.stats,
      },
    });
  }
  for (const rm of state.tombstones.values()) {
    if ((rm.deletionTimestamp ?? 0) < now - retention) continue;
    actions.push({
      remove: {
        path: rm.path,
        deletionTimestamp: rm.deletionTimestamp ?? 0,
        dataChange: false,
        extendedFileMetadata: rm.extendedFileMetadata,
        partitionValues: rm.partitionValues,
        size: rm.size,
      },
    });
  }
  return actions;
}

/** Writes `<version>.checkpoint.parquet`, then `_last_checkpoint` (never moving it backwards). */
export async function writeCheckpoint(table: ObjectStore, state: LogState): Promise<LastCheckpoint> {
  // All taken from the state before the first await: a writer may bring it forward meanwhile.
  const actions = checkpointActions(state);
  const version = state.version;
  const numOfAddFiles = state.files.size;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-checkpoint-'));
  try {
    const json = path.join(dir, 'actions.json');
    const parquet = path.join(dir, `${randomUUID()}.parquet`);
    await fs.writeFile(json, actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
    const columns = Object.entries(COLUMNS)
      .map(([k, t]) => `${literal(k)}: ${literal(t)}`)
      .join(', ');
    await withDuck((c) =>
      c.run(
        `COPY (SELECT ${Object.keys(COLUMNS).map(ident).join(', ')} FROM read_json(${literal(json)}, format = 'newline_delimited', columns = {${columns}}, maximum_object_size = 1073741824))
       TO ${literal(parquet)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 16384)`,
      ),
    );
    const { size: sizeInBytes } = await fs.stat(parquet);
    await table.putFile(checkpointKey(version), parquet);
    const last: LastCheckpoint = { version, size: actions.length, sizeInBytes, numOfAddFiles };
    const previous = await readLastCheckpoint(table);
    if (!previous || previous.version < version) await table.put(LAST_CHECKPOINT, JSON.stringify(last));
    return last;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** `_last_checkpoint`, or undefined when absent or unreadable (readers then list the log, as delta-rs does). */
export async function readLastCheckpoint(table: ObjectStore): Promise<LastCheckpoint | undefined> {
  const bytes = await table.get(LAST_CHECKPOINT);
  if (!bytes) return undefined;
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as LastCheckpoint;
    return Number.isInteger(v.version) && v.version >= 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Reads every part of a checkpoint into actions; a damaged part stops with its path. */
export async function readCheckpoint(table: ObjectStore, parts: ObjectInfo[]): Promise<Action[]> {
  const actions: Action[] = [];
  for (const part of parts) {
    const where = `${table.uri}/${part.path}`;
    const local = await table.localPath(part.path);
    const src = `read_parquet(${literal(local)})`;
    await withCheckpointDuck(async (c) => {
      try {
        const described = await c.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`);
        const present = new Set(described.getRowObjectsJson().map((r) => String(r.column_name)));
        const cols = Object.keys(COLUMNS).filter((k) => k !== 'add' && present.has(k));
        if (cols.length === 0 && !present.has('add')) throw new Error('no action columns (add, remove, metaData, protocol, txn)');
        const addFields = present.has('add') ? await describeAdd(c, local) : undefined;
        // The few non-add rows as objects, found by a null add path (reading one field of add, not
        // all of it; an add row with a null path is refused below whatever else it holds).
        if (cols.length > 0) {
          const filter = addFields ? ` WHERE "add"${addFields.some((f) => f.name === 'path') ? '.path' : ''} IS NULL` : '';
          const other = await c.runAndReadAll(
            `SELECT ${cols.map((k) => `to_json(${ident(k)}) AS ${ident(k)}`).join(', ')} FROM ${src}${filter}`,
          );
          for (const row of other.getRowObjectsJson()) {
            for (const k of cols) {
              const value = row[k];
              if (value !== null && value !== undefined) actions.push({ [k]: dropNulls(JSON.parse(String(value))) } as Action);
            }
          }
        }
        if (addFields) {
          for (const add of await readAddRows(c, local, addFields)) actions.push({ add } as unknown as Action);
        }
      } catch (e) {
        throw new DeltaLogError(`corrupt checkpoint ${where}: ${(e as Error).message}`);
      }
    });
  }
  for (const a of actions) checkAction(a, parts.length === 1 ? `${table.uri}/${parts[0].path}` : `checkpoint of ${table.uri}`);
  return actions;
}

/** Parquet gives every struct field; absent optional fields come back null. */
function dropNulls(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null && k !== 'partitionValues') continue;
    out[k] = x;
  }
  return out;
}
