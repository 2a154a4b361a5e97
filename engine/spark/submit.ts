// Computes partitions of a Spark asset: one spark-submit of Freshet's driver (driver.py) per
// batch, in its own process group so a cancel kills the whole application (launcher JVM,
// Python driver, local executors) at once. Results stream back one line per committed partition.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RunRef } from '../../contract/runs.ts';
import type { AssetDef, AssetGraph } from '../../core/index.ts';
import { loadSnapshot } from '../../delta/index.ts';
import type { ObjectStore } from '../../storage/types.ts';
import type { MaterializeResult } from '../commit.ts';
import { openInputs, selectFiles } from '../inputs.ts';
import { sparkJob } from './job.ts';
import { DELTA_PACKAGE, sparkSettings, type SparkConfig, type SparkSettings } from './settings.ts';

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'driver.py');
/** Lines of the driver's log a failure carries. */
const TAIL_LINES = 40;
/** How long a cancelled application gets to stop on SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 3_000;

export interface SparkRunRequest {
  graph: AssetGraph;
  warehouse: ObjectStore;
  asset: AssetDef;
  keys: Array<string | undefined>;
  attempt: number;
  txnVersion: number | undefined;
  spark: SparkConfig | undefined;
  signal: AbortSignal | undefined;
  owner: (key: string | undefined) => string;
  /** the activity attempt computing it, recorded in each commit */
  run: RunRef | undefined;
  onPartitionDone: (r: MaterializeResult) => void;
}

/** A Spark application that failed: its id (when it got one) and the end of its driver's log. */
export class SparkJobError extends Error {
  constructor(
    message: string,
    readonly applicationId: string | undefined,
    readonly logTail: string,
  ) {
    super(message);
    this.name = 'SparkJobError';
  }
}

interface DriverResult {
  key: string | null;
  version: number | null;
  alreadyCommitted: boolean;
  rows: number;
  bytes: number;
  durationMs: number;
}

export async function materializeOnSpark(req: SparkRunRequest): Promise<MaterializeResult[]> {
  req.signal?.throwIfAborted();
  const { graph, warehouse, asset, keys } = req;
  const settings = sparkSettings(req.spark);
  const inputs = await openInputs(graph, warehouse, asset, keys);
  // Missing upstream partitions fail here, with Freshet's message, before a JVM starts.
  for (const input of inputs) selectFiles(input, req.owner(keys.length === 1 ? keys[0] : undefined));
  const job = sparkJob(graph, warehouse, asset, keys, inputs, req.attempt, req.txnVersion, req.owner, req.run);
  const inputVersions = job.partitions[0]?.lineage.inputVersions as Record<string, number>;
  const dir = await mkdtemp(path.join(tmpdir(), 'freshet-spark-'));
  const jobFile = path.join(dir, 'job.json');
  await writeFile(jobFile, JSON.stringify(job));
  const results: MaterializeResult[] = [];
  try {
    await runDriver(settings, asset, jobFile, req, async (r) => {
      const version = r.version ?? (await loadSnapshot(warehouse.at(asset.name)))?.version ?? -1;
      const result: MaterializeResult = {
        asset: asset.name,
        partition: r.key ?? undefined,
        version,
        rows: r.rows,
        bytes: r.bytes,
        durationMs: r.durationMs,
        inputVersions,
        alreadyCommitted: r.alreadyCommitted,
        mode: 'spark',
        batchSize: keys.length,
      };
      results.push(result);
      req.onPartitionDone(result);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}

/** spark-submit's arguments: Delta's session extension, UTC, the asset's conf last (it wins). */
export function submitArgs(settings: SparkSettings, asset: AssetDef, jobFile: string): string[] {
  const master = asset.engine?.master ?? settings.master;
  const conf: Record<string, string> = {
    'spark.sql.extensions': 'io.delta.sql.DeltaSparkSessionExtension',
    'spark.sql.catalog.spark_catalog': 'org.apache.spark.sql.delta.catalog.DeltaCatalog',
    // Reads never depend on the machine's time zone: timestamps and dates are UTC, as in DuckDB.
    'spark.sql.session.timeZone': 'UTC',
    'spark.log.level': 'WARN',
    ...(master.startsWith('local')
      ? // One small machine: no UI port to collide on, a handful of shuffle partitions, not 200, and
        // Delta's log replayed in 2 tasks, not 50 (it replays after every commit; Delta's own tests do the same).
        { 'spark.ui.enabled': 'false', 'spark.sql.shuffle.partitions': '4', 'spark.databricks.delta.snapshotPartitions': '2' }
      : {}),
    ...settings.conf,
    ...(asset.engine?.conf ?? {}),
  };
  const packages = [...(asset.engine?.packages ?? [])];
  if (settings.jars.length === 0) packages.push(DELTA_PACKAGE);
  const args = ['--master', master, '--name', `freshet:${asset.name}`];
  for (const [k, v] of Object.entries(conf)) args.push('--conf', `${k}=${v}`);
  if (settings.jars.length) args.push('--jars', settings.jars.join(','));
  if (packages.length)
    args.push(
      '--packages',
      packages.join(','),
      '--conf',
      `spark.jars.ivySettings=${settings.ivySettings}`,
      '--conf',
      `spark.jars.ivy=${settings.ivyDir}`,
    );
  args.push(DRIVER, jobFile);
  return args;
}

function runDriver(
  settings: SparkSettings,
  asset: AssetDef,
  jobFile: string,
  req: SparkRunRequest,
  onResult: (r: DriverResult) => Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(settings.submit, submitArgs(settings, asset, jobFile), {
      env: { ...process.env, PYSPARK_PYTHON: settings.python, PYSPARK_DRIVER_PYTHON: settings.python },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: killing -pid reaches the JVM, the Python driver and local executors.
      detached: true,
    });
    let applicationId: string | undefined;
    let driverError: { type: string; message: string } | undefined;
    const tail: string[] = [];
    const keep = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    let pending = Promise.resolve();
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('FRESHET_APP ')) applicationId = line.slice(12).trim();
      else if (line.startsWith('FRESHET_RESULT ')) {
        const r = JSON.parse(line.slice(15)) as DriverResult;
        pending = pending.then(() => onResult(r));
      } else if (line.startsWith('FRESHET_ERROR ')) driverError = JSON.parse(line.slice(14)) as typeof driverError;
      else keep(line);
    });
    createInterface({ input: child.stderr }).on('line', keep);

    let killTimer: NodeJS.Timeout | undefined;
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // the group is already gone
      }
    };
    const onAbort = () => {
      kill('SIGTERM');
      killTimer = setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS);
    };
    req.signal?.addEventListener('abort', onAbort);
    child.on('error', (e) => reject(new SparkJobError(`could not start ${settings.submit}: ${e.message}`, undefined, '')));
    child.on('close', (code, signal) => {
      req.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      // The group may hold stragglers (an executor) after the launcher exits: never leave them running.
      kill('SIGKILL');
      void pending.then(
        () => {
          if (req.signal?.aborted) return reject(req.signal.reason instanceof Error ? req.signal.reason : new Error('cancelled'));
          if (code === 0) return resolve();
          const app = applicationId ? `application ${applicationId}` : 'no application started';
          const why = driverError
            ? `${driverError.type}: ${driverError.message}`
            : `spark-submit exited with ${signal ? `signal ${signal}` : `code ${code}`}`;
          const keys = req.keys.length === 1 ? req.owner(req.keys[0]) : `asset '${asset.name}' (${req.keys.length} partitions)`;
          const log = tail.join('\n');
          reject(
            new SparkJobError(`${keys} failed on Spark (${app}): ${why}\n--- last lines of the driver log ---\n${log}`, applicationId, log),
          );
        },
        (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))),
      );
    });
  });
}
