// The _delta_log on disk: file names, and commit files parsed into actions.
import type { ObjectInfo } from '../storage/types.ts';
import { DeltaLogError } from './errors.ts';
import type { AddFile, PartitionValues, RemoveFile } from './types.ts';

export const LOG_DIR = '_delta_log';

export const pad = (v: number): string => String(v).padStart(20, '0');
export const commitKey = (v: number): string => `${LOG_DIR}/${pad(v)}.json`;
export const checkpointKey = (v: number): string => `${LOG_DIR}/${pad(v)}.checkpoint.parquet`;
export const LAST_CHECKPOINT = `${LOG_DIR}/_last_checkpoint`;

/** The metaData action as it stands in the log. */
export interface RawMetadata {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: string; options?: Record<string, string> | null };
  schemaString: string;
  partitionColumns: string[];
  configuration?: Record<string, string | null> | null;
  createdTime?: number | null;
}

export interface RawProtocol {
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures?: string[] | null;
  writerFeatures?: string[] | null;
}

export interface RawTxn {
  appId: string;
  version: number;
  lastUpdated?: number | null;
}

export interface Action {
  add?: AddFile;
  remove?: RemoveFile;
  metaData?: RawMetadata;
  protocol?: RawProtocol;
  txn?: RawTxn;
  commitInfo?: Record<string, unknown>;
  [other: string]: unknown;
}

/** One commit file, parsed. */
export interface Commit {
  version: number;
  /** commit time: the log file's modification time, as the protocol defines it */
  timestamp: number;
  key: string;
  actions: Action[];
}

export type LogFile =
  | { kind: 'commit'; version: number; info: ObjectInfo }
  | { kind: 'checkpoint'; version: number; part: number; parts: number; info: ObjectInfo };

/**
 * Classifies an entry of a table's store as a log file; undefined for everything a reader ignores:
 * temp files, CRCs, `_last_checkpoint`, V2 checkpoints, compacted logs, and anything not directly
 * in `_delta_log/` (delta-rs stages commits in `_delta_log/.tmp/`, managed commits live in
 * `_delta_log/_commits/`: reading those as versions would skip or invent one).
 */
export function parseLogName(info: ObjectInfo): LogFile | undefined {
  if (!info.path.startsWith(`${LOG_DIR}/`)) return undefined;
  const name = info.path.slice(LOG_DIR.length + 1);
  let m = /^(\d{20})\.json$/.exec(name);
  if (m) return { kind: 'commit', version: logVersion(m[1], info), info };
  m = /^(\d{20})\.checkpoint\.parquet$/.exec(name);
  if (m) return { kind: 'checkpoint', version: logVersion(m[1], info), part: 1, parts: 1, info };
  m = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/.exec(name);
  if (m && Number(m[3]) >= 1 && Number(m[2]) >= 1 && Number(m[2]) <= Number(m[3])) {
    return { kind: 'checkpoint', version: logVersion(m[1], info), part: Number(m[2]), parts: Number(m[3]), info };
  }
  return undefined;
}

/** A log file's version; one past what a double counts exactly stops the reader rather than being rounded to another version. */
function logVersion(digits: string, info: ObjectInfo): number {
  const v = Number(digits);
  if (!Number.isSafeInteger(v)) {
    throw new DeltaLogError(
      `log file ${info.path} names version ${digits}, beyond the versions Freshet can count (${Number.MAX_SAFE_INTEGER}); remove it if it is not a commit`,
    );
  }
  return v;
}

const KNOWN = ['add', 'remove', 'metaData', 'protocol', 'txn', 'commitInfo', 'cdc', 'domainMetadata', 'checkpointMetadata', 'sidecar'];

/** Parses newline-delimited actions; any malformed line stops with the file and line named. */
export function parseCommit(bytes: Uint8Array, where: string): Action[] {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.trim() === '') throw new DeltaLogError(`corrupt commit file ${where}: it is empty`);
  const actions: Action[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let action: unknown;
    try {
      action = JSON.parse(line);
    } catch (e) {
      const truncated = i >= lines.length - 2 && !text.endsWith('\n') ? ' (the file looks truncated)' : '';
      throw new DeltaLogError(`corrupt commit file ${where}, line ${i + 1}: not valid JSON${truncated}: ${(e as Error).message}`);
    }
    if (typeof action !== 'object' || action === null || Array.isArray(action) || Object.keys(action).length === 0) {
      throw new DeltaLogError(`corrupt commit file ${where}, line ${i + 1}: expected one action object, got ${line.slice(0, 80)}`);
    }
    checkAction(action as Action, `${where}, line ${i + 1}`);
    actions.push(action as Action);
  }
  return actions;
}

/** Checks the fields a reader relies on, so a damaged action fails here and not later. */
export function checkAction(a: Action, where: string): void {
  // Called for every row of a checkpoint (100,000 times for a big table): no closure per call.
  if (a.add) {
    if (typeof a.add.path !== 'string' || a.add.path === '') corrupt(where, 'add without a path');
    if (typeof a.add.size !== 'number') corrupt(where, `add ${a.add.path} without a numeric size`);
    if (a.add.partitionValues === undefined || typeof a.add.partitionValues !== 'object')
      corrupt(where, `add ${a.add.path} without partitionValues`);
  } else if (!Object.keys(a).some((k) => KNOWN.includes(k))) return; // unknown actions are ignored, per protocol
  if (a.remove && (typeof a.remove.path !== 'string' || a.remove.path === '')) corrupt(where, 'remove without a path');
  // metaData fields are checked on the metaData a version ends with (LogState.check): Delta Live
  // Tables write a first metaData without schemaString that a later one completes.
  if (a.metaData !== undefined && (typeof a.metaData !== 'object' || a.metaData === null || Array.isArray(a.metaData)))
    corrupt(where, 'metaData is not an object');
  if (a.protocol && (typeof a.protocol.minReaderVersion !== 'number' || typeof a.protocol.minWriterVersion !== 'number')) {
    corrupt(where, 'protocol without minReaderVersion/minWriterVersion');
  }
  if (a.txn && (typeof a.txn.appId !== 'string' || typeof a.txn.version !== 'number')) corrupt(where, 'txn without appId/version');
}

function corrupt(where: string, what: string): never {
  throw new DeltaLogError(`corrupt action in ${where}: ${what}`);
}

export function serializeActions(actions: Action[]): string {
  return actions.map((a) => JSON.stringify(a)).join('\n') + '\n';
}

/** The object key of a data file named by an add/remove path (which is URI-encoded). */
export function fileKey(addPath: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(addPath)) {
    throw new DeltaLogError(`absolute data file path ${addPath} is not supported (only paths relative to the table)`);
  }
  const key = decodeURIComponent(addPath);
  // Refused, not looked for: a file outside the table is not this table's to read.
  if (key.split('/').includes('..')) {
    throw new DeltaLogError(
      `data file path ${addPath} leaves the table (a '..' segment), so it is refused: Freshet reads only files inside the table`,
    );
  }
  return key;
}

/** Protocol: an empty string partition value means null. */
export function normalizePartition(pv: PartitionValues | undefined | null): PartitionValues {
  const out: PartitionValues = {};
  for (const [k, v] of Object.entries(pv ?? {})) out[k] = v === '' || v === undefined ? null : v;
  return out;
}
