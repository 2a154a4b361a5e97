// Public face of stream/: the streaming runtime that runs a core/streaming.ts declaration.
export { runStreamingJob, jobAppId, jobFingerprint, latestCheckpointId } from './job.ts';
export type { JobMetrics, JobResult, StreamingJobOptions } from './job.ts';
export type { StreamSource } from './source.ts';
export type { SourceBatch } from './batch.ts';
export { generatorSource, purchase } from './source-generator.ts';
export type { GeneratorOptions, GeneratorContext } from './source-generator.ts';
export { fileSource } from './source-file.ts';
export { kafkaSource } from './source-kafka.ts';
export type { KafkaSourceOptions } from './source-kafka.ts';
export { deltaSink } from './sink.ts';
export type { SinkWriter } from './sink.ts';
export { WindowOperator } from './operator.ts';
export type { WindowRow, LateEvent } from './operator.ts';
export type { Calibration } from './watermark.ts';
export { HyperLogLog } from './hll.ts';
export { CountMinSketch } from './cms.ts';
export { SpaceSaving } from './space-saving.ts';
