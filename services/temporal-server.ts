// A real Temporal server (frontend, history, matching and worker services in one process) on
// PostgreSQL, for the production-shaped stack. Built once per machine with `go install`; its
// schemas and config template are copied out of the Go module cache next to the binaries.
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { spawnDetached, sleep } from './detached.ts';
import { binDir } from './paths.ts';
import { psql } from './postgres.ts';
import { freePort, isFree, runInstaller } from './process.ts';
import { ensureTemporalBinary } from './temporal.ts';

const run = promisify(execFile);

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULE = 'go.temporal.io/server';
/** Binaries `server` and `sql` (temporal-sql-tool), `schema/` and `config/` of the module. */
export const temporalServerDir = path.join(binDir, `temporal-server-${TEMPORAL_SERVER_VERSION}`);
const ENV_NAME = 'development-postgres12';
const DB_USER = 'temporal';
const DB_PASSWORD = 'temporal';

export interface TemporalServerFiles {
  server: string;
  sql: string;
  /** schema/postgresql/v12 */
  schemaDir: string;
  /** config/ of the module: the postgres12 template and dynamicconfig/ */
  configDir: string;
}

function files(): TemporalServerFiles {
  return {
    server: path.join(temporalServerDir, 'server'),
    sql: path.join(temporalServerDir, 'sql'),
    schemaDir: path.join(temporalServerDir, 'schema', 'postgresql', 'v12'),
    configDir: path.join(temporalServerDir, 'config'),
  };
}

/** Builds the server and its SQL tool on first use (minutes), then reuses them. */
export async function ensureTemporalServer(log: (m: string) => void = console.error): Promise<TemporalServerFiles> {
  const f = files();
  if ([f.server, f.sql, f.schemaDir, f.configDir].every(existsSync)) return f;
  mkdirSync(temporalServerDir, { recursive: true });
  if (!existsSync(f.server) || !existsSync(f.sql)) {
    log(
      `Building the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool into ${temporalServerDir} (once per machine; about 3-10 minutes)...`,
    );
    const started = Date.now();
    await runInstaller(
      'go',
      ['install', `${MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`, `${MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`],
      { ...process.env, GOBIN: temporalServerDir },
      'Freshet builds the Temporal server with Go: install Go 1.24+ (https://go.dev/dl or `apt-get install golang`).',
    );
    log(`Built the Temporal server in ${Math.round((Date.now() - started) / 1000)} s.`);
  }
  const gomodcache = (await run('go', ['env', 'GOMODCACHE'])).stdout.trim();
  const moduleDir = path.join(gomodcache, `${MODULE}@${TEMPORAL_SERVER_VERSION}`);
  if (!existsSync(moduleDir)) {
    throw new Error(`The Go module cache has no ${moduleDir} (was it cleaned?): remove ${temporalServerDir} and run again to rebuild.`);
  }
  // The module cache is read-only and may be cleaned: keep our own writable copies.
  for (const [from, to] of [
    [path.join(moduleDir, 'schema', 'postgresql', 'v12'), f.schemaDir],
    [path.join(moduleDir, 'config'), f.configDir],
  ] as const) {
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true });
    makeWritable(to);
  }
  return f;
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(p);
    else chmodSync(p, 0o644);
  }
}

/** Every port the server listens on; chosen once and kept in the stack state so restarts match. */
export interface TemporalPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  pprof: number;
  metrics: number;
}

/**
 * The server stores membership ports in a PostgreSQL `smallint` (cluster_membership.rpc_port):
 * one above 32767 makes it exit at start ("value is out of range for type smallint"), and the
 * OS hands out ephemeral ports above that. So membership ports come from 20000-32767.
 */
export const MAX_MEMBERSHIP_PORT = 32_767;
const MIN_MEMBERSHIP_PORT = 20_000;

export async function allocateTemporalPorts(): Promise<TemporalPorts> {
  const names: Array<keyof TemporalPorts> = [
    'frontend',
    'frontendHttp',
    'frontendMembership',
    'history',
    'historyMembership',
    'matching',
    'matchingMembership',
    'worker',
    'workerMembership',
    'pprof',
    'metrics',
  ];
  const ports = {} as TemporalPorts;
  const taken = new Set<number>();
  for (const name of names) {
    let p: number;
    if (name.endsWith('Membership')) {
      do p = MIN_MEMBERSHIP_PORT + Math.floor(Math.random() * (MAX_MEMBERSHIP_PORT - MIN_MEMBERSHIP_PORT + 1));
      while (taken.has(p) || !(await isFree(p)));
    } else {
      do p = await freePort();
      while (taken.has(p));
    }
    taken.add(p);
    ports[name] = p;
  }
  return ports;
}

/**
 * The server's config folder under `root`: the module's postgres12 template with our ports.
 * Each replaced text must be found, so a template that changed fails here, not at runtime.
 */
export function writeTemporalConfig(root: string, f: TemporalServerFiles, pgPort: number, ports: TemporalPorts): string {
  const template = readFileSync(path.join(f.configDir, `${ENV_NAME}.yaml`), 'utf8');
  const replacements: Array<[string | RegExp, string]> = [
    [/connectAddr: "127\.0\.0\.1:5432"/g, `connectAddr: "127.0.0.1:${pgPort}"`],
    [/grpcPort: 7233\b/, `grpcPort: ${ports.frontend}`],
    [/httpPort: 7243\b/, `httpPort: ${ports.frontendHttp}`],
    [/membershipPort: 6933\b/, `membershipPort: ${ports.frontendMembership}`],
    [/grpcPort: 7235\b/, `grpcPort: ${ports.matching}`],
    [/membershipPort: 6935\b/, `membershipPort: ${ports.matchingMembership}`],
    [/grpcPort: 7234\b/, `grpcPort: ${ports.history}`],
    [/membershipPort: 6934\b/, `membershipPort: ${ports.historyMembership}`],
    [/grpcPort: 7239\b/, `grpcPort: ${ports.worker}`],
    [/membershipPort: 6939\b/, `membershipPort: ${ports.workerMembership}`],
    [/port: 7936\b/, `port: ${ports.pprof}`],
    [/listenAddress: "127\.0\.0\.1:8000"/, `listenAddress: "127.0.0.1:${ports.metrics}"`],
    [/rpcAddress: "localhost:7233"/, `rpcAddress: "127.0.0.1:${ports.frontend}"`],
    // Archival is off for namespaces; keep its default URIs inside the stack, not /tmp.
    [/file:\/\/\/tmp\/temporal_archival\/development/, `file://${path.join(root, 'archival', 'history')}`],
    [/file:\/\/\/tmp\/temporal_vis_archival\/development/, `file://${path.join(root, 'archival', 'visibility')}`],
  ];
  let config = template;
  for (const [from, to] of replacements) {
    if (!config.match(from))
      throw new Error(
        `The Temporal config template ${path.join(f.configDir, `${ENV_NAME}.yaml`)} has no ${String(from)}: it does not match Temporal ${TEMPORAL_SERVER_VERSION}; remove ${temporalServerDir} to rebuild.`,
      );
    config = config.replace(from, to);
  }
  const dir = path.join(root, 'config');
  mkdirSync(path.join(dir, 'dynamicconfig'), { recursive: true });
  writeFileSync(path.join(dir, `${ENV_NAME}.yaml`), config);
  const dynamic = readFileSync(path.join(f.configDir, 'dynamicconfig', 'development-sql.yaml'), 'utf8').replace(
    'http://localhost:7243/',
    `http://127.0.0.1:${ports.frontendHttp}/`,
  );
  writeFileSync(path.join(dir, 'dynamicconfig', 'development-sql.yaml'), dynamic);
  return dir;
}

/**
 * The `temporal` and `temporal_visibility` databases with their schemas: created on first use,
 * brought to the newest version of this build on every later one (update-schema is idempotent).
 */
export async function setupTemporalSchemas(f: TemporalServerFiles, pgPort: number, log: (m: string) => void): Promise<void> {
  const role = await psql(pgPort, `SELECT 1 FROM pg_roles WHERE rolname = '${DB_USER}'`);
  if (role !== '1') await psql(pgPort, `CREATE USER ${DB_USER} WITH PASSWORD '${DB_PASSWORD}' CREATEDB`);
  const env = {
    ...process.env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: '127.0.0.1',
    SQL_PORT: String(pgPort),
    SQL_USER: DB_USER,
    SQL_PASSWORD: DB_PASSWORD,
  };
  const sql = async (args: string[]) => {
    try {
      await run(f.sql, args, { env, timeout: 300_000 });
    } catch (e) {
      const err = e as { stderr?: string; stdout?: string; message: string };
      throw new Error(`temporal-sql-tool ${args.join(' ')} failed: ${err.stderr || err.stdout || err.message}`.trim(), { cause: e });
    }
  };
  for (const [db, folder] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    const exists = await psql(pgPort, `SELECT 1 FROM pg_database WHERE datname = '${db}'`);
    if (exists !== '1') {
      log(`creating the ${db} database and schema...`);
      await sql(['--db', db, 'create-database']);
      await sql(['--db', db, 'setup-schema', '-v', '0.0']);
    }
    await sql(['--db', db, 'update-schema', '-d', path.join(f.schemaDir, folder, 'versioned')]);
  }
}

/** Starts the server detached; returns its PID (the frontend answers some seconds later). */
export function startTemporalServer(f: TemporalServerFiles, root: string, logFile: string): number {
  return spawnDetached(f.server, ['--root', root, '--config', 'config', '--env', ENV_NAME, 'start'], { log: logFile, cwd: root });
}

/**
 * Registers the namespace unless it exists, then waits until the frontend serves it (its
 * namespace cache refreshes every ~10 s, and workers started earlier fail to poll).
 */
export async function registerNamespace(address: string, namespace: string, timeoutMs = 90_000): Promise<void> {
  const cli = await ensureTemporalBinary();
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      await run(cli, ['operator', 'namespace', 'create', '--namespace', namespace, '--address', address, '--retention', '72h'], {
        timeout: 30_000,
      });
    } catch (e) {
      lastError = (e as { stderr?: string }).stderr ?? (e as Error).message;
    }
    try {
      await run(cli, ['workflow', 'list', '--namespace', namespace, '--address', address, '--limit', '1'], { timeout: 30_000 });
      return;
    } catch (e) {
      lastError = `${lastError}\n${(e as { stderr?: string }).stderr ?? (e as Error).message}`;
    }
    if (Date.now() > deadline)
      throw new Error(
        `The Temporal server at ${address} did not serve namespace '${namespace}' within ${timeoutMs / 1000} s: ${lastError.trim()}`,
      );
    await sleep(2000);
  }
}
