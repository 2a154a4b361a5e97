// `freshet stack`: the production topology on one machine without Docker: PostgreSQL, a real
// Temporal server on it, MinIO as the warehouse, two `freshet worker` processes and the web
// page, all on loopback, detached, each with its PID and log file in the stack folder.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ensureBucket } from '../storage/index.ts';
import { isAlive, processStartTime, sleep, spawnDetached, stopGroup, tailLog } from './detached.ts';
import { ensureMinioBinary, minioArgs, minioEnv, waitMinioReady } from './minio.ts';
import { freshetHome, repoRoot } from './paths.ts';
import { postgresPid, startPostgres, stopPostgres } from './postgres.ts';
import { freePort } from './process.ts';
import {
  allocateTemporalPorts,
  ensureTemporalServer,
  registerNamespace,
  setupTemporalSchemas,
  startTemporalServer,
  writeTemporalConfig,
  type TemporalPorts,
} from './temporal-server.ts';

export const defaultStackDir = path.join(freshetHome, 'stack');
const BUCKET = 'freshet';

export interface StackProcess {
  pid: number;
  log: string;
  /** the loopback port it serves, when it serves one */
  port?: number;
  /** its start time (processStartTime), so a reused PID is never taken for it nor signalled */
  started?: string;
}

/** The recorded process is alive and is still the one we started. */
function isOurs(p: StackProcess | undefined): p is StackProcess {
  if (!p || !isAlive(p.pid)) return false;
  return p.started === undefined || processStartTime(p.pid) === undefined || processStartTime(p.pid) === p.started;
}

/** state.json: what `down` and `status` need, and the ports and keys later `up`s reuse. */
export interface StackState {
  project: string;
  taskQueue: string;
  namespace: string;
  warehouse: string;
  workers: number;
  ports: { postgres: number; temporal: TemporalPorts; minio: number; minioConsole: number; web: number };
  /** the stack's own MinIO root keys (the state file is readable by its owner only) */
  minio: { accessKeyId: string; secretAccessKey: string };
  processes: Record<string, StackProcess>;
}

export interface StackOptions {
  /** folder of the stack's data, logs and state (default .freshet/stack) */
  dir?: string;
  /** FRESHET_PROJECT of the workers and the page (default: configured.project) */
  project?: string;
  /** default: configured.taskQueue */
  taskQueue?: string;
  /** what a new stack uses when project/taskQueue are not given: the CLI passes loadConfig()'s (services/ reads no configuration) */
  configured?: { project: string; taskQueue: string };
  log?: (m: string) => void;
}

const stateFile = (dir: string) => path.join(dir, 'state.json');

export function readStackState(dir = defaultStackDir): StackState | undefined {
  if (!existsSync(stateFile(dir))) return undefined;
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as StackState;
  } catch (e) {
    throw new Error(`${stateFile(dir)} is not readable JSON (${(e as Error).message}): stop what it started by hand, or remove the file.`, {
      cause: e,
    });
  }
}

function writeState(dir: string, state: StackState): void {
  const tmp = `${stateFile(dir)}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, stateFile(dir));
}

async function newState(opts: StackOptions): Promise<StackState> {
  return {
    project: path.resolve(opts.project ?? opts.configured?.project ?? 'assets/index.ts'),
    taskQueue: opts.taskQueue ?? opts.configured?.taskQueue ?? 'freshet',
    namespace: 'default',
    warehouse: `s3://${BUCKET}/warehouse`,
    workers: 2,
    ports: {
      postgres: await freePort(),
      temporal: await allocateTemporalPorts(),
      minio: await freePort(),
      minioConsole: await freePort(),
      web: await freePort(),
    },
    minio: { accessKeyId: `freshet${randomBytes(4).toString('hex')}`, secretAccessKey: randomBytes(18).toString('hex') },
    processes: {},
  };
}

/** The environment a Freshet process needs to use this stack. */
export function stackEnv(state: StackState): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: `127.0.0.1:${state.ports.temporal.frontend}`,
    TEMPORAL_NAMESPACE: state.namespace,
    FRESHET_TASK_QUEUE: state.taskQueue,
    FRESHET_PROJECT: state.project,
    FRESHET_WAREHOUSE: state.warehouse,
    FRESHET_S3_ENDPOINT: `http://127.0.0.1:${state.ports.minio}`,
    FRESHET_S3_REGION: 'us-east-1',
    FRESHET_S3_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: state.minio.accessKeyId,
    AWS_SECRET_ACCESS_KEY: state.minio.secretAccessKey,
  };
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts whatever of the stack is not running; returns the state (with PIDs) once all serve. */
export async function stackUp(opts: StackOptions = {}): Promise<StackState> {
  const dir = path.resolve(opts.dir ?? defaultStackDir);
  const log = opts.log ?? console.log;
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const state = readStackState(dir) ?? (await newState(opts));
  const project = opts.project ? path.resolve(opts.project) : state.project;
  if (project !== state.project) {
    // Workers and the page load the project at start: restart them on the new one.
    log(`project changed to ${project}: restarting the workers and the page`);
    await stopFreshetProcesses(state);
    state.project = project;
  }
  if (opts.taskQueue && opts.taskQueue !== state.taskQueue) {
    await stopFreshetProcesses(state);
    state.taskQueue = opts.taskQueue;
  }
  writeState(dir, state);
  const logFile = (name: string) => path.join(dir, 'logs', `${name}.log`);
  const save = (name: string, p: StackProcess) => {
    state.processes[name] = { ...p, started: processStartTime(p.pid) };
    writeState(dir, state);
  };
  const running = async (name: string) => {
    const p = state.processes[name];
    return isOurs(p) && (p.port === undefined || (await portAnswers(p.port)));
  };

  // PostgreSQL
  const pgData = path.join(dir, 'pg');
  const pgPid = postgresPid(pgData);
  if (pgPid && isAlive(pgPid) && (await portAnswers(state.ports.postgres))) {
    save('postgres', { pid: pgPid, port: state.ports.postgres, log: logFile('postgres') });
  } else {
    log(`starting PostgreSQL on 127.0.0.1:${state.ports.postgres}...`);
    const pid = await startPostgres({ dataDir: pgData, port: state.ports.postgres, logFile: logFile('postgres') });
    save('postgres', { pid, port: state.ports.postgres, log: logFile('postgres') });
  }

  // Temporal
  const address = `127.0.0.1:${state.ports.temporal.frontend}`;
  if (!(await running('temporal'))) {
    const files = await ensureTemporalServer(log);
    await setupTemporalSchemas(files, state.ports.postgres, log);
    const root = path.join(dir, 'temporal');
    writeTemporalConfig(root, files, state.ports.postgres, state.ports.temporal);
    log(`starting the Temporal server on ${address}...`);
    const pid = startTemporalServer(files, root, logFile('temporal'));
    save('temporal', { pid, port: state.ports.temporal.frontend, log: logFile('temporal') });
    await waitUp('The Temporal server', pid, state.ports.temporal.frontend, logFile('temporal'), 120_000);
  }
  await registerNamespace(address, state.namespace);

  // MinIO and the warehouse bucket
  const env = stackEnv(state);
  if (!(await running('minio'))) {
    const binary = await ensureMinioBinary();
    const data = path.join(dir, 'minio');
    mkdirSync(data, { recursive: true });
    log(`starting MinIO on 127.0.0.1:${state.ports.minio}...`);
    const pid = spawnDetached(binary, minioArgs(data, state.ports.minio, state.ports.minioConsole), {
      env: minioEnv(state.minio.accessKeyId, state.minio.secretAccessKey),
      log: logFile('minio'),
    });
    save('minio', { pid, port: state.ports.minio, log: logFile('minio') });
    await waitMinioReady(env.FRESHET_S3_ENDPOINT, 60_000, () => (isAlive(pid) ? undefined : `MinIO exited:\n${tailLog(logFile('minio'))}`));
  }
  await ensureBucket(state.warehouse, {
    endpoint: env.FRESHET_S3_ENDPOINT,
    region: env.FRESHET_S3_REGION,
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    pathStyle: true,
  });

  // Freshet: workers, then the page (it warns when no worker polls).
  const freshet = [process.execPath, path.join(repoRoot, 'bin', 'freshet.mjs')];
  const freshetEnv = { ...process.env, ...env, FRESHET_WEB_PORT: String(state.ports.web) };
  const starting: Array<Promise<void>> = [];
  for (let i = 1; i <= state.workers; i++) {
    const name = `worker-${i}`;
    if (await running(name)) continue;
    const from = existsSync(logFile(name)) ? statSync(logFile(name)).size : 0;
    log(`starting ${name} (task queue '${state.taskQueue}')...`);
    const pid = spawnDetached(freshet[0], [freshet[1], 'worker'], { env: freshetEnv, log: logFile(name) });
    save(name, { pid, log: logFile(name) });
    starting.push(waitLogLine(name, pid, logFile(name), from, /worker polling/, 180_000));
  }
  await Promise.all(starting);
  if (!(await running('web'))) {
    log(`starting the web page on 127.0.0.1:${state.ports.web}...`);
    const pid = spawnDetached(freshet[0], [freshet[1], 'web', '--port', String(state.ports.web)], { env: freshetEnv, log: logFile('web') });
    save('web', { pid, port: state.ports.web, log: logFile('web') });
    // The first start may build the page with Vite.
    await waitUp('The web page', pid, state.ports.web, logFile('web'), 300_000);
  }
  return state;
}

async function waitUp(what: string, pid: number, port: number, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portAnswers(port))) {
    if (!isAlive(pid)) throw new Error(`${what} exited before 127.0.0.1:${port} answered. End of ${log}:\n${tailLog(log)}`);
    if (Date.now() > deadline)
      throw new Error(`${what} did not answer on 127.0.0.1:${port} within ${timeoutMs / 1000} s. End of ${log}:\n${tailLog(log)}`);
    await sleep(250);
  }
}

async function waitLogLine(what: string, pid: number, log: string, from: number, line: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(log) ? readFileSync(log).subarray(from).toString('utf8') : '';
    if (line.test(text)) return;
    if (!isAlive(pid)) throw new Error(`${what} exited while starting. End of ${log}:\n${tailLog(log)}`);
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs / 1000} s. End of ${log}:\n${tailLog(log)}`);
    await sleep(250);
  }
}

async function stopFreshetProcesses(state: StackState): Promise<void> {
  for (const name of Object.keys(state.processes)
    .filter((n) => n === 'web' || n.startsWith('worker-'))
    .reverse()) {
    if (isOurs(state.processes[name])) await stopGroup(state.processes[name].pid, 30_000);
    delete state.processes[name];
  }
}

export interface StackDownOptions {
  dir?: string;
  /** also delete the stack folder: databases, warehouse, logs */
  purge?: boolean;
  /** crash PostgreSQL (`pg_ctl -m immediate`) instead of a clean stop */
  immediate?: boolean;
}

/** Stops everything in reverse order of start; keeps data, ports and keys for the next `up` unless purged. */
export async function stackDown(opts: StackDownOptions = {}): Promise<string[]> {
  const dir = path.resolve(opts.dir ?? defaultStackDir);
  const state = readStackState(dir);
  const stopped: string[] = [];
  if (state) {
    const wasRunning = Object.keys(state.processes).filter((n) => isOurs(state.processes[n]));
    // Workers hand back in-flight work on SIGTERM: give them time.
    await stopFreshetProcesses(state);
    for (const name of ['minio', 'temporal']) {
      const p = state.processes[name];
      if (!p) continue;
      if (isOurs(p)) await stopGroup(p.pid, 30_000);
      delete state.processes[name];
    }
    stopped.push(...wasRunning.filter((n) => n !== 'postgres'));
    writeState(dir, state);
  }
  // PostgreSQL by its data folder, so a cluster whose state was lost stops too.
  const pgData = path.join(dir, 'pg');
  if (postgresPid(pgData)) {
    await stopPostgres(pgData, opts.immediate ? 'immediate' : 'fast');
    stopped.push('postgres');
  }
  if (state) {
    delete state.processes.postgres;
    writeState(dir, state);
  }
  if (opts.purge) rmSync(dir, { recursive: true, force: true });
  return stopped;
}

export interface StackStatusEntry {
  name: string;
  pid: number | undefined;
  port: number | undefined;
  alive: boolean;
  /** the port answers (undefined for processes that serve none) */
  answers: boolean | undefined;
  log: string;
}

/** Which of the stack's processes are alive and answer on their ports. */
export async function stackStatus(dir = defaultStackDir): Promise<{ state: StackState | undefined; entries: StackStatusEntry[] }> {
  const state = readStackState(path.resolve(dir));
  if (!state) return { state, entries: [] };
  const names = ['postgres', 'temporal', 'minio', ...Array.from({ length: state.workers }, (_, i) => `worker-${i + 1}`), 'web'];
  const entries = await Promise.all(
    names.map(async (name) => {
      const p = state.processes[name];
      const alive = isOurs(p);
      return {
        name,
        pid: p?.pid,
        port: p?.port,
        alive,
        answers: p?.port === undefined ? undefined : alive && (await portAnswers(p.port)),
        log: p?.log ?? path.join(path.resolve(dir), 'logs', `${name}.log`),
      };
    }),
  );
  return { state, entries };
}
