// What users import to declare assets. Pure: no I/O.
export { asset, source, AssetDefinitionError, effectiveMapping } from './asset.ts';
export type {
  AssetContext,
  AssetDef,
  AssetDep,
  AssetSpec,
  Dep,
  OutputSchema,
  PartitionContext,
  RangeContext,
  Row,
  ScalarFunctionSpec,
  TransformContext,
} from './asset.ts';
export { spark, type SparkEngine, type SparkOptions } from './engines.ts';
export { definitions, checkAssetKey, inputKeys, AssetGraphError } from './graph.ts';
export type { AssetGraph, Definitions, ResolvedDep } from './graph.ts';
export * from './partitions.ts';
export * from './mappings.ts';
export * from './missing-runs.ts';
export * from './policies.ts';
export { parseDuration, formatDuration } from './duration.ts';
export { dataEnd, freshnessOf, type Freshness, type FreshnessStatus } from './freshness.ts';
export {
  streamingAsset,
  tumbling,
  sliding,
  session,
  count,
  sum,
  min,
  max,
  avg,
  last,
  distinctCount,
  frequency,
  topK,
} from './streaming.ts';
export type { StreamingAsset, StreamingAssetInput, WindowSpec, AggregateSpec } from './streaming.ts';
