// `freshet table-info <directory or s3:// URI> [--version N] [--json]`: version, rows, files,
// partitions and schema of any Delta table.
import type { Command } from 'commander';
import { tableInfo, type TableInfo } from '../../delta/index.ts';
import { loadConfig } from '../../runtime/index.ts';
import { openStore } from '../../storage/index.ts';

export function tableInfoCommand(program: Command): void {
  program
    .command('table-info <table>')
    .description('version, rows, files, partitions and schema of a Delta table (a directory or s3://bucket/prefix)')
    .option('--version <n>', 'read the table as of this version')
    .option('--timestamp <iso>', 'read the table as of this time (newest commit at or before it)')
    .option('--json', 'print one JSON object')
    .action(async (uri: string, opts: { version?: string; timestamp?: string; json?: boolean }) => {
      const at: { version?: number; timestamp?: number } = {};
      if (opts.version !== undefined) {
        if (!/^\d+$/.test(opts.version)) throw new Error(`--version must be a whole number, got "${opts.version}"`);
        at.version = Number(opts.version);
      }
      if (opts.timestamp !== undefined) {
        const ms = Date.parse(opts.timestamp);
        if (Number.isNaN(ms)) throw new Error(`--timestamp must be a date/time such as 2024-05-01T12:00:00Z, got "${opts.timestamp}"`);
        at.timestamp = ms;
      }
      // an s3:// table is reached with the configured S3 settings (FRESHET_S3_*, AWS_*)
      const info = await tableInfo(openStore(uri, { s3: loadConfig().s3 }), at);
      console.log(opts.json ? JSON.stringify(info, null, 2) : formatInfo(info));
    });
}

export function formatInfo(info: TableInfo): string {
  const lines = [
    `table       ${info.table}`,
    `version     ${info.version} (committed ${info.timestamp})`,
    `rows        ${info.rows}`,
    `files       ${info.files} (${bytes(info.bytes)})`,
    `protocol    reader ${info.protocol.minReaderVersion}, writer ${info.protocol.minWriterVersion}${features(info)}`,
  ];
  if (info.partitionColumns.length > 0) {
    lines.push(`partitions  ${info.partitions.length} by ${info.partitionColumns.join(', ')}`);
    const labels = info.partitions.map((p) => info.partitionColumns.map((c) => `${c}=${p.values[c] ?? 'null'}`).join('/'));
    const width = Math.max(...labels.map((l) => l.length), 0);
    info.partitions.forEach((p, i) => lines.push(`  ${labels[i].padEnd(width)}  ${p.rows} rows  ${p.files} files  ${bytes(p.bytes)}`));
  } else {
    lines.push('partitions  none (unpartitioned)');
  }
  lines.push('schema');
  const width = Math.max(...info.schema.map((f) => f.name.length), 0);
  for (const f of info.schema) {
    lines.push(
      `  ${f.name.padEnd(width)}  ${f.type}${f.nullable ? '' : ' not null'}${info.partitionColumns.includes(f.name) ? '  (partition)' : ''}`,
    );
  }
  return lines.join('\n');
}

function features(info: TableInfo): string {
  const all = [...(info.protocol.readerFeatures ?? []), ...(info.protocol.writerFeatures ?? [])];
  return all.length > 0 ? ` (features: ${[...new Set(all)].join(', ')})` : '';
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
