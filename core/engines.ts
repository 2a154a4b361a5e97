// Where an asset's SQL runs. DuckDB inside the worker is the default; `spark()` hands one asset
// to Apache Spark (a cluster, or local[2]) and keeps everything else the same: partitions,
// retries, the Delta table and its txn guarantees, staleness.

import { AssetDefinitionError } from './asset.ts';

/** An asset computed by Spark SQL (see engine/spark/). */
export interface SparkEngine {
  kind: 'spark';
  /** the Spark master for this asset (`local[4]`, `spark://host:7077`, `yarn`, `k8s://...`); default: the worker's FRESHET_SPARK_MASTER */
  master: string | undefined;
  /** Spark configuration for this asset's application, e.g. { 'spark.executor.memory': '8g' } */
  conf: Record<string, string>;
  /** extra Maven coordinates (`group:artifact:version`) the SQL needs, resolved from Maven Central */
  packages: string[];
}

export interface SparkOptions {
  master?: string;
  conf?: Record<string, string | number | boolean>;
  packages?: string[];
}

const COORDINATE = /^[\w.-]+:[\w.-]+:[\w.+-]+$/;

/** `engine: spark({...})`: the asset's SQL (Spark SQL) runs on Spark; its upstream tables are views named after them. */
export function spark(options: SparkOptions = {}): SparkEngine {
  const conf: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.conf ?? {})) {
    if (!k.startsWith('spark.'))
      throw new AssetDefinitionError(`spark(): conf key '${k}' is not a Spark setting (they start with 'spark.').`);
    conf[k] = String(v);
  }
  for (const p of options.packages ?? [])
    if (!COORDINATE.test(p))
      throw new AssetDefinitionError(
        `spark(): package '${p}' is not a Maven coordinate group:artifact:version (e.g. org.apache.spark:spark-avro_2.13:4.0.1).`,
      );
  if (options.master !== undefined && options.master.trim() === '')
    throw new AssetDefinitionError('spark(): master is empty; leave it out to use FRESHET_SPARK_MASTER.');
  return { kind: 'spark', master: options.master, conf, packages: [...(options.packages ?? [])] };
}
