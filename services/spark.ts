// Local Apache Spark for Spark assets and the Delta cross-checks: PyPI's pyspark and delta-spark in
// the project's venv (beside deltalake), Delta's jars resolved once from Maven Central into an Ivy
// cache under .freshet/spark (Spark's own spark-packages repository is neither reachable nor needed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DELTA_PACKAGE, DELTA_SPARK_VERSION, PYSPARK_VERSION, sparkLayout } from '../engine/spark/settings.ts';
import { ensureDeltaLake, runPython } from './deltalake.ts';
import { freshetHome } from './paths.ts';
import { runInstaller } from './process.ts';

const HINT = 'Spark needs Java 17 (`apt-get install openjdk-17-jre-headless`) and Python 3.10+ with pip; the jars come from Maven Central.';

export const sparkPaths = sparkLayout(freshetHome);

function ivySettingsXml(cacheDir: string): string {
  return `<ivysettings>
  <settings defaultResolver="central"/>
  <caches defaultCacheDir="${cacheDir}"/>
  <resolvers>
    <ibiblio name="central" m2compatible="true" root="https://repo1.maven.org/maven2/"/>
  </resolvers>
</ivysettings>
`;
}

function haveJars(): boolean {
  return (
    existsSync(sparkPaths.jarsDir) &&
    readdirSync(sparkPaths.jarsDir).some((f) => f.startsWith(`io.delta_delta-spark_2.13-${DELTA_SPARK_VERSION}`))
  );
}

/** Installs pyspark + delta-spark and resolves Delta's jars; skips what is there. Returns spark-submit's path. */
export async function ensureSpark(): Promise<string> {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error(`java is not on PATH. ${HINT}`);
  }
  await ensureDeltaLake();
  const check = `import pyspark, delta, importlib.metadata as m\nassert pyspark.__version__ == '${PYSPARK_VERSION}', pyspark.__version__\nassert m.version('delta-spark') == '${DELTA_SPARK_VERSION}'`;
  if (
    !(await runPython(check).then(
      () => true,
      () => false,
    ))
  ) {
    console.error(
      `Installing pyspark==${PYSPARK_VERSION} and delta-spark==${DELTA_SPARK_VERSION} into ${sparkPaths.venv} (once per machine, ~450 MB)...`,
    );
    await runInstaller(
      sparkPaths.python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        `pyspark==${PYSPARK_VERSION}`,
        `delta-spark==${DELTA_SPARK_VERSION}`,
      ],
      process.env,
      HINT,
    );
  }
  mkdirSync(path.dirname(sparkPaths.ivySettings), { recursive: true });
  writeFileSync(sparkPaths.ivySettings, ivySettingsXml(path.join(sparkPaths.ivyDir, 'cache')));
  if (!haveJars()) {
    console.error(`Resolving ${DELTA_PACKAGE} from Maven Central into ${sparkPaths.ivyDir}...`);
    // Spark's own resolver fetches the package and its dependencies and copies them to <ivy>/jars.
    await runInstaller(
      sparkPaths.submit,
      [
        '--master',
        'local[1]',
        '--conf',
        'spark.ui.enabled=false',
        '--packages',
        DELTA_PACKAGE,
        '--conf',
        `spark.jars.ivySettings=${sparkPaths.ivySettings}`,
        '--conf',
        `spark.jars.ivy=${sparkPaths.ivyDir}`,
        resolveScript(),
      ],
      { ...process.env, PYSPARK_PYTHON: sparkPaths.python },
      HINT,
    );
    if (!haveJars()) throw new Error(`${DELTA_PACKAGE} was not resolved into ${sparkPaths.jarsDir}. ${HINT}`);
  }
  return sparkPaths.submit;
}

/** A driver that only starts and stops a session: enough for spark-submit to resolve --packages. */
function resolveScript(): string {
  const file = path.join(path.dirname(sparkPaths.ivySettings), 'resolve.py');
  writeFileSync(file, 'from pyspark.sql import SparkSession\nSparkSession.builder.getOrCreate().stop()\n');
  return file;
}
