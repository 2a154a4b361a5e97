// Where the worker finds Spark: the spark-submit, Python and Delta jars the project's setup
// installs under FRESHET_HOME (services/spark.ts), or a cluster's, from configuration.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SparkConfig {
  /** default master of Spark assets (FRESHET_SPARK_MASTER, default local[2]) */
  master?: string;
  /** the spark-submit to run (FRESHET_SPARK_SUBMIT; default: the one in .freshet/venv) */
  submit?: string;
  /** Spark settings every Spark asset gets (FRESHET_SPARK_CONF, `k=v,k=v`); an asset's own conf wins */
  conf?: Record<string, string>;
}

export interface SparkSettings {
  master: string;
  submit: string;
  /** the Python the driver runs in (PYSPARK_PYTHON) */
  python: string;
  /** Delta's jars, resolved once by the setup from Maven Central; empty: resolved by --packages at submit */
  jars: string[];
  /** Ivy settings pointing at Maven Central only, for an asset's extra packages */
  ivySettings: string;
  ivyDir: string;
  conf: Record<string, string>;
}

/** The Delta Lake release paired with the installed PySpark (Delta 4.0.x goes with Spark 4.0.x). */
export const DELTA_SPARK_VERSION = '4.0.1';
export const PYSPARK_VERSION = '4.0.1';
export const DELTA_PACKAGE = `io.delta:delta-spark_2.13:${DELTA_SPARK_VERSION}`;

const HOW =
  "Install local Spark with `npm run setup` (PyPI pyspark and delta-spark into .freshet/venv, Delta jars from Maven Central; needs Java 17), or point FRESHET_SPARK_SUBMIT at a cluster's spark-submit.";

export class SparkUnavailableError extends Error {}

/** The layout services/spark.ts installs into `home` (FRESHET_HOME). */
export function sparkLayout(home: string) {
  return {
    venv: path.join(home, 'venv'),
    submit: path.join(home, 'venv', 'bin', 'spark-submit'),
    python: path.join(home, 'venv', 'bin', 'python'),
    ivyDir: path.join(home, 'spark', 'ivy'),
    jarsDir: path.join(home, 'spark', 'ivy', 'jars'),
    ivySettings: path.join(home, 'spark', 'ivysettings.xml'),
  };
}

/** FRESHET_HOME as services/paths.ts resolves it: the variable, else `.freshet` in the repository. */
function home(): string {
  return process.env.FRESHET_HOME ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '.freshet');
}

/** Resolves what running a Spark asset needs; throws how to get it when something is missing. */
export function sparkSettings(config: SparkConfig | undefined): SparkSettings {
  const layout = sparkLayout(home());
  const submit = config?.submit ?? layout.submit;
  if (!existsSync(submit)) throw new SparkUnavailableError(`Spark is not installed: ${submit} does not exist. ${HOW}`);
  const jars = existsSync(layout.jarsDir)
    ? readdirSync(layout.jarsDir)
        .filter((f) => f.endsWith('.jar'))
        .sort()
        .map((f) => path.join(layout.jarsDir, f))
    : [];
  const haveDelta = jars.some((j) => path.basename(j).includes(`delta-spark_2.13-${DELTA_SPARK_VERSION}`));
  // A cluster's own spark-submit may resolve Delta itself (--packages); the local install must have its jars.
  if (!haveDelta && config?.submit === undefined)
    throw new SparkUnavailableError(`Delta Lake's Spark jars (${DELTA_PACKAGE}) are not in ${layout.jarsDir}. ${HOW}`);
  return {
    master: config?.master ?? 'local[2]',
    submit,
    python: existsSync(layout.python) ? layout.python : 'python3',
    jars: haveDelta ? jars : [],
    ivySettings: layout.ivySettings,
    ivyDir: layout.ivyDir,
    conf: config?.conf ?? {},
  };
}
