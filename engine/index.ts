// Public face of engine/: compute asset partitions with DuckDB, and tell which need computing.
export { materialize, assetTable, type MaterializeRequest, type MaterializeResult } from './materialize.ts';
export { materializeMany, minCutBatchSize, preferredBatchSize, type MaterializeManyRequest } from './many.ts';
export { partitionStates, type PartitionState, type PartitionStatus } from './staleness.ts';
export { readFailures, recordFailure, type FailedAttempt } from './failure-records.ts';
export type { EngineConfig } from './duckdb.ts';
export { MissingInputError } from './inputs.ts';
export { materializations, latestByPartition, type Materialization } from './lineage.ts';
export { listFailedAttempts, partitionRuns, readAttemptLog, runsPage, type RunSource } from './runs.ts';
export { planPartitions } from './plan.ts';
export { freshnessReport } from './freshness.ts';
export { SparkUnavailableError } from './spark/settings.ts';
export { SparkJobError } from './spark/submit.ts';
