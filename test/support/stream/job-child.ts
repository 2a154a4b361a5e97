// Runs one streaming job in a process of its own, for crash tests and benchmarks that kill it
// with SIGKILL. Usage: node --import tsx stream/job-child.ts '<JSON ChildConfig>'
// Prints one JSON line per checkpoint ({"checkpoint":id,...metrics}) and {"done":...} at the end.
import { pathToFileURL } from 'node:url';
import type { StreamingAsset } from '../../../core/streaming.ts';
import { LocalStore } from '../../../storage/local.ts';
import { runStreamingJob } from '../../../stream/job.ts';
import { generatorSource } from '../../../stream/source-generator.ts';
import type { GeneratorOptions } from '../../../stream/source-generator.ts';
import { kafkaSource } from '../../../stream/source-kafka.ts';
import type { KafkaSourceOptions } from '../../../stream/source-kafka.ts';
import type { StreamSource } from '../../../stream/source.ts';

export interface ChildConfig {
  /** module exporting the StreamingAsset, and the export's name */
  assetModule: string;
  assetExport: string;
  /** local directory for checkpoints; the sink table is <storeDir>/sink */
  storeDir: string;
  source: { kind: 'kafka'; options: KafkaSourceOptions } | { kind: 'generator'; options: Omit<GeneratorOptions, 'make' | 'now'> };
  checkpointIntervalMs: number;
  compactEvery?: number;
  batchSize?: number;
  shard?: { index: number; count: number };
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const mod = (await import(pathToFileURL(config.assetModule).href)) as Record<string, StreamingAsset>;
const job = mod[config.assetExport];
if (!job) throw new Error(`${config.assetModule} has no export '${config.assetExport}'`);
const store = new LocalStore(config.storeDir);
const source: StreamSource =
  config.source.kind === 'kafka' ? kafkaSource({ ...config.source.options, shard: config.shard }) : generatorSource(config.source.options);
const controller = new AbortController();
process.on('SIGTERM', () => controller.abort());
const started = Date.now();
const result = await runStreamingJob({
  job,
  store,
  sinkTable: store.at('sink'),
  source,
  signal: controller.signal,
  checkpointIntervalMs: config.checkpointIntervalMs,
  compactEvery: config.compactEvery,
  batchSize: config.batchSize,
  shard: config.shard,
  onStart: (info) => {
    process.stdout.write(
      `${JSON.stringify({ started: true, sinceStartMs: Date.now() - started, uptimeMs: Math.round(process.uptime() * 1000), ...info, offsets: undefined })}\n`,
    );
  },
  onCheckpoint: (id, m) => {
    const { calibration: _c, ...flat } = m;
    process.stdout.write(`${JSON.stringify({ checkpoint: id, sinceStartMs: Date.now() - started, ...flat })}\n`);
  },
});
process.stdout.write(
  `${JSON.stringify({ done: result.reason, sinceStartMs: Date.now() - started, checkpoint: result.checkpointId, events: result.metrics.events })}\n`,
);
process.exit(0);
