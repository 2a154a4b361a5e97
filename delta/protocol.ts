// Which protocol versions and table features Freshet reads and writes.
import { DeltaLogError, DeltaWriteError } from './errors.ts';
import type { Field, Protocol } from './types.ts';

/** Reader features that change nothing for a reader of plain Parquet files. */
export const READER_FEATURES = ['timestampNtz', 'vacuumProtocolCheck'];
/** Writer features Freshet honours. */
export const WRITER_FEATURES = ['appendOnly', 'invariants', 'timestampNtz', 'vacuumProtocolCheck'];

export const FRESHET_PROTOCOL: Protocol = { minReaderVersion: 1, minWriterVersion: 2 };

export function checkReadable(p: Protocol, where: string): void {
  if (p.minReaderVersion <= 1) return;
  if (p.minReaderVersion === 2) {
    throw new DeltaLogError(`protocol in ${where} needs reader version 2 (table feature "columnMapping"), which Freshet does not support; Freshet reads version 1, and version 3 with features ${READER_FEATURES.join(', ')}`);
  }
  if (p.minReaderVersion === 3) {
    const unknown = (p.readerFeatures ?? []).filter((f) => !READER_FEATURES.includes(f));
    if (unknown.length > 0) {
      throw new DeltaLogError(`protocol in ${where} needs reader feature${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `"${f}"`).join(', ')}, which Freshet does not support (supported: ${READER_FEATURES.join(', ')})`);
    }
    return;
  }
  throw new DeltaLogError(`protocol in ${where} needs reader version ${p.minReaderVersion}; Freshet reads versions 1 and 3`);
}

export function checkWritable(p: Protocol, schema: Field[], table: string): void {
  checkReadable(p, table);
  if (p.minWriterVersion > 2 && p.minWriterVersion < 7) {
    throw new DeltaWriteError(`table ${table} needs writer version ${p.minWriterVersion} (check constraints, change data feed, generated or identity columns), which Freshet cannot honour; Freshet writes versions 1, 2 and 7 with features ${WRITER_FEATURES.join(', ')}`);
  }
  if (p.minWriterVersion >= 7) {
    const unknown = (p.writerFeatures ?? []).filter((f) => !WRITER_FEATURES.includes(f));
    if (unknown.length > 0) {
      throw new DeltaWriteError(`table ${table} needs writer feature${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `"${f}"`).join(', ')}, which Freshet cannot honour`);
    }
  }
  // Invariants are SQL expressions checked per row; Freshet has no evaluator, so it refuses rather than ignores them.
  const withInvariant = schema.find((f) => f.metadata && 'delta.invariants' in f.metadata);
  if (withInvariant) {
    throw new DeltaWriteError(`table ${table}: column "${withInvariant.name}" has a delta.invariants constraint, which Freshet cannot check; write this table with Spark or delta-rs`);
  }
}
