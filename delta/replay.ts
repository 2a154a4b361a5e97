// Action reconciliation: the state of a table after applying its checkpoint and commits in order.
import { DeltaLogError } from './errors.ts';
import type { Action, RawMetadata, RawProtocol } from './log.ts';
import { checkReadable } from './protocol.ts';
import { parseSchema } from './schema.ts';
import type { AddFile, Metadata, Protocol, RemoveFile, Snapshot } from './types.ts';

export class LogState {
  version = -1;
  timestamp = 0;
  protocol: RawProtocol | undefined;
  metadata: RawMetadata | undefined;
  /** where the current metaData came from, for messages */
  metadataSource = '';
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
    s.files = new Map(this.files);
    s.tombstones = new Map(this.tombstones);
    s.txns = new Map(this.txns);
    return s;
  }

  /** Applies one commit (or a checkpoint's rows). `where` names the file for errors. */
  apply(actions: Action[], version: number, timestamp: number, where: string): void {
    for (const a of actions) {
      if (a.protocol) {
        checkReadable(toProtocol(a.protocol), where);
        this.protocol = a.protocol;
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

  /** Throws when the replayed log lacks what every table has. */
  check(where: string): void {
    if (!this.protocol) throw new DeltaLogError(`table ${this.table} has no protocol action up to version ${this.version} (${where})`);
    if (!this.metadata) throw new DeltaLogError(`table ${this.table} has no metaData action up to version ${this.version} (${where})`);
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
