// Action reconciliation: the state of a table after applying its checkpoint and commits in order.
import { DeltaLogError } from './errors.ts';
import { type Action, type RawMetadata, type RawProtocol } from './log.ts';
import { checkReadable, checkWritable } from './protocol.ts';
import { parseSchema } from './schema.ts';
import type { AddFile, Metadata, PartitionValues, Protocol, RemoveFile, Snapshot } from './types.ts';

/** One key per set of partition values ('' and null alike, as the protocol reads them), whatever the order of the columns. */
export function partitionKey(pv: PartitionValues | undefined | null): string {
  // Called once per file when a checkpoint is applied (100,000 times for a big table): no
  // intermediate normalized object, and no sort for the usual single partition column.
  const keys = pv ? Object.keys(pv) : [];
  if (keys.length > 1) keys.sort();
  const pairs: Array<[string, string | null]> = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const v = pv![keys[i]];
    pairs[i] = [keys[i], v === '' || v === undefined ? null : v];
  }
  return JSON.stringify(pairs);
}

export class LogState {
  version = -1;
  timestamp = 0;
  protocol: RawProtocol | undefined;
  metadata: RawMetadata | undefined;
  /** where the current metaData and protocol came from, for messages */
  metadataSource = '';
  protocolSource = '';
  files = new Map<string, AddFile>();
  tombstones = new Map<string, RemoveFile>();
  txns = new Map<string, { version: number; lastUpdated?: number | null }>();
  /**
   * live file paths by partitionKey, so replacing a partition reads its files, not the whole
   * table; built on first use (by a writer), as a reader never needs it and a key per file is a
   * fifth of loading a 100,000-file checkpoint
   */
  private byPartition: Map<string, Set<string>> | undefined;

  constructor(readonly table: string) {}

  /** Live files whose partition values are exactly `pv` (every partition column given). */
  filesIn(pv: PartitionValues): AddFile[] {
    if (!this.byPartition) {
      this.byPartition = new Map();
      for (const add of this.files.values()) this.index(add);
    }
    return [...(this.byPartition.get(partitionKey(pv)) ?? [])].map((p) => this.files.get(p)!);
  }

  private index(add: AddFile): void {
    const key = partitionKey(add.partitionValues);
    let set = this.byPartition!.get(key);
    if (!set) this.byPartition!.set(key, (set = new Set()));
    set.add(add.path);
  }

  private addFile(add: AddFile): void {
    // A file added again moves to the end of the order, as in the log.
    if (this.byPartition) {
      this.dropFile(add.path);
      this.index(add);
      this.files.set(add.path, add);
      return;
    }
    // One map operation for a new path (every row of a checkpoint), not a lookup before it.
    const n = this.files.size;
    this.files.set(add.path, add);
    if (this.files.size === n) {
      this.files.delete(add.path);
      this.files.set(add.path, add);
    }
  }

  private dropFile(path: string): void {
    const old = this.files.get(path);
    if (!old) return;
    this.files.delete(path);
    if (!this.byPartition) return;
    const key = partitionKey(old.partitionValues);
    const set = this.byPartition.get(key);
    set?.delete(path);
    if (set?.size === 0) this.byPartition.delete(key);
  }

  /**
   * Applies one commit (or a checkpoint's rows). `where` names the file for errors. Protocol and
   * metaData are checked by check(), on the ones the version ends with: an older one may lack what
   * the newest has (Delta Live Tables write a first metaData without schemaString) or need a
   * feature the table has since dropped.
   */
  apply(actions: Action[], version: number, timestamp: number, where: string): void {
    for (const a of actions) {
      if (a.protocol) {
        this.protocol = a.protocol;
        this.protocolSource = where;
      }
      if (a.metaData) {
        this.metadata = a.metaData;
        this.metadataSource = where;
      }
      if (a.txn) this.txns.set(a.txn.appId, { version: a.txn.version, lastUpdated: a.txn.lastUpdated });
      if (a.remove) {
        this.dropFile(a.remove.path);
        this.tombstones.set(a.remove.path, a.remove);
      }
      if (a.add) {
        this.addFile(a.add);
        if (this.tombstones.size > 0) this.tombstones.delete(a.add.path);
      }
    }
    this.version = version;
    this.timestamp = timestamp;
  }

  /**
   * Throws when this version cannot be read: a protocol feature Freshet does not support (named
   * first, as it is the reason), or a log lacking what every table has.
   */
  check(where: string): void {
    if (!this.protocol) throw new DeltaLogError(`table ${this.table} has no protocol action up to version ${this.version} (${where})`);
    if (!this.metadata) throw new DeltaLogError(`table ${this.table} has no metaData action up to version ${this.version} (${where})`);
    checkReadable(toProtocol(this.protocol), this.protocolSource || where);
    const m = this.metadata;
    const bad = (what: string): never => {
      throw new DeltaLogError(
        `corrupt action in ${this.metadataSource || where}: ${what} (the metaData that version ${this.version} of ${this.table} uses)`,
      );
    };
    if (typeof m !== 'object' || m === null) bad('metaData is not an object');
    // Column mapping stores columns under physical names: read by logical name, every value would be null.
    const mapping = m.configuration?.['delta.columnMapping.mode'];
    if (mapping !== undefined && mapping !== null && mapping !== 'none') {
      throw new DeltaLogError(
        `table ${this.table} uses column mapping (delta.columnMapping.mode=${mapping} in ${this.metadataSource}), table feature "columnMapping", which Freshet does not support`,
      );
    }
    if (typeof m.schemaString !== 'string') bad('metaData without schemaString');
    if (!Array.isArray(m.partitionColumns)) bad('metaData without partitionColumns');
  }

  /** The one check before any operation that writes to the table (commit, checkpoint, vacuum): every feature it uses is one Freshet honours. */
  checkWritable(): void {
    this.check(`log of ${this.table}`);
    checkWritable(toProtocol(this.protocol!), toMetadata(this.metadata!, this.metadataSource).schema, this.table);
  }

  toSnapshot(): Snapshot {
    this.check(`log of ${this.table}`);
    return {
      version: this.version,
      timestamp: this.timestamp,
      protocol: toProtocol(this.protocol!),
      metadata: toMetadata(this.metadata!, this.metadataSource),
      files: [...this.files.values()],
      txns: new Map([...this.txns].map(([k, v]) => [k, v.version])),
    };
  }
}

export function toProtocol(p: RawProtocol): Protocol {
  const out: Protocol = { minReaderVersion: p.minReaderVersion, minWriterVersion: p.minWriterVersion };
  if (p.readerFeatures) out.readerFeatures = p.readerFeatures;
  if (p.writerFeatures) out.writerFeatures = p.writerFeatures;
  return out;
}

export function toMetadata(m: RawMetadata, where: string): Metadata {
  const configuration: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.configuration ?? {})) if (v !== null && v !== undefined) configuration[k] = v;
  const out: Metadata = {
    id: m.id,
    schema: parseSchema(m.schemaString, where),
    partitionColumns: m.partitionColumns,
    configuration,
    createdTime: m.createdTime ?? 0,
  };
  if (m.name) out.name = m.name;
  if (m.description) out.description = m.description;
  return out;
}
