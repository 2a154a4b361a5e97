// Which protocol versions and table features Freshet reads and writes.
import { usesTimestampNtz } from './duckdb-types.ts';
import { DeltaLogError, DeltaWriteError } from './errors.ts';
import type { Field, Protocol } from './types.ts';

/** Reader features that change nothing for a reader of plain Parquet files. */
export const READER_FEATURES = ['timestampNtz', 'vacuumProtocolCheck'];
/** Writer features Freshet honours. */
export const WRITER_FEATURES = ['appendOnly', 'invariants', 'timestampNtz', 'vacuumProtocolCheck'];

export const FRESHET_PROTOCOL: Protocol = { minReaderVersion: 1, minWriterVersion: 2 };

/**
 * The protocol of a new table: reader 1 / writer 2, unless a column is timestamp_ntz, which needs
 * table features (reader 3 / writer 7, `timestampNtz` in both lists), as Spark and delta-rs write it.
 */
export function protocolFor(schema: Field[], configuration: Record<string, string> = {}): Protocol {
  if (!schema.some((f) => usesTimestampNtz(f.type))) return { ...FRESHET_PROTOCOL };
  // At writer 7 a table property is honoured only when its feature is listed.
  const writerFeatures = configuration['delta.appendOnly'] === 'true' ? ['appendOnly', 'timestampNtz'] : ['timestampNtz'];
  return { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['timestampNtz'], writerFeatures };
}

/**
 * A write to an existing table may not bring a timestamp_ntz column to a table without the
 * timestampNtz feature: adding the feature would lock out every reader older than reader 3, so
 * (as in Spark) it is refused rather than done on the side.
 */
export function checkSchemaFeatures(p: Protocol, schema: Field[], table: string): void {
  const ntz = schema.find((f) => usesTimestampNtz(f.type));
  if (!ntz) return;
  const has =
    p.minReaderVersion >= 3 &&
    p.minWriterVersion >= 7 &&
    (p.readerFeatures ?? []).includes('timestampNtz') &&
    (p.writerFeatures ?? []).includes('timestampNtz');
  if (!has) {
    throw new DeltaWriteError(
      `write to ${table}: column "${ntz.name}" is timestamp_ntz, which needs the table feature timestampNtz (reader version 3, writer version 7), but the table's protocol is reader ${p.minReaderVersion} / writer ${p.minWriterVersion}${p.writerFeatures ? ` with features ${p.writerFeatures.join(', ') || 'none'}` : ''}; write the column as timestamp (UTC) instead, or write to a new table`,
    );
  }
}

export function checkReadable(p: Protocol, where: string): void {
  if (p.minReaderVersion <= 1) return;
  if (p.minReaderVersion === 2) {
    throw new DeltaLogError(
      `protocol in ${where} needs reader version 2 (table feature "columnMapping"), which Freshet does not support; Freshet reads version 1, and version 3 with features ${READER_FEATURES.join(', ')}`,
    );
  }
  if (p.minReaderVersion === 3) {
    const unknown = (p.readerFeatures ?? []).filter((f) => !READER_FEATURES.includes(f));
    if (unknown.length > 0) {
      throw new DeltaLogError(
        `protocol in ${where} needs reader feature${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `"${f}"`).join(', ')}, which Freshet does not support (supported: ${READER_FEATURES.join(', ')})`,
      );
    }
    return;
  }
  throw new DeltaLogError(`protocol in ${where} needs reader version ${p.minReaderVersion}; Freshet reads versions 1 and 3`);
}

export function checkWritable(p: Protocol, schema: Field[], table: string): void {
  checkReadable(p, table);
  if (p.minWriterVersion > 2 && p.minWriterVersion < 7) {
    throw new DeltaWriteError(
      `table ${table} needs writer version ${p.minWriterVersion} (check constraints, change data feed, generated or identity columns), which Freshet cannot honour; Freshet writes versions 1, 2 and 7 with features ${WRITER_FEATURES.join(', ')}`,
    );
  }
  if (p.minWriterVersion >= 7) {
    const unknown = (p.writerFeatures ?? []).filter((f) => !WRITER_FEATURES.includes(f));
    if (unknown.length > 0) {
      throw new DeltaWriteError(
        `table ${table} needs writer feature${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `"${f}"`).join(', ')}, which Freshet cannot honour`,
      );
    }
  }
  // Invariants are SQL expressions checked per row; Freshet has no evaluator, so it refuses rather than ignores them.
  const withInvariant = schema.find((f) => f.metadata && 'delta.invariants' in f.metadata);
  if (withInvariant) {
    throw new DeltaWriteError(
      `table ${table}: column "${withInvariant.name}" has a delta.invariants constraint, which Freshet cannot check; write this table with Spark or delta-rs`,
    );
  }
}
