// Public face of engine/: compute one asset partition with DuckDB.
export { materialize, assetTable, type MaterializeRequest, type MaterializeResult } from './materialize.ts';
export { engineConfigFromEnv, type EngineConfig } from './duckdb.ts';
export { MissingInputError } from './inputs.ts';
export { ident, literal } from './sql.ts';
export { materializations, latestByPartition, type Materialization } from './lineage.ts';
