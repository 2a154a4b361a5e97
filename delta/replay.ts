// Action reconciliation: the state of a table after applying its checkpoint and commits in order.
import { DeltaLogError } from './errors.ts';
import type { Action, RawMetadata, RawProtocol } from './log.ts';
import { checkReadable, checkWritable } from './protocol.ts';
import { parseSchema } from './schema.ts';
import type { AddFile, Metadata, Protocol, RemoveFile, Snapshot } from './types.ts';

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

  constructor(readonly table: string) {}

  clone(): LogState {
    const s = new LogState(this.table);
    s.version = this.version;
    s.timestamp = this.timestamp;
    s.protocol = this.protocol;
    s.metadata = this.metadata;
    s.metadataSource = this.metadataSource;
    s.protocolSource = this.protocolSource;
    s.files = new Map(this.files);
    s.tombstones = new Map(this.tombstones);
    s.txns = new Map(this.txns);
    return s;
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
        this.files.delete(a.remove.path);
        this.tombstones.set(a.remove.path, a.remove);
      }
      if (a.add) {
        this.files.set(a.add.path, a.add);
        this.tombstones.delete(a.add.path);
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
