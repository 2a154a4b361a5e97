// PostgreSQL for the production-shaped stack: a cluster of its own under .freshet/stack/pg,
// on loopback, run by the `postgres` user when we are root (initdb refuses root).
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitForPort } from './process.ts';

const run = promisify(execFile);

let binDir: Promise<string> | undefined;

/** Folder of the PostgreSQL binaries, looked up once per process. */
export function postgresBinDir(): Promise<string> {
  return (binDir ??= findBinDir());
}

/** Debian keeps the binaries off PATH; `pg_config --bindir` names their folder. */
async function findBinDir(): Promise<string> {
  const fromEnv = process.env.FRESHET_PG_BINDIR;
  if (fromEnv) return fromEnv;
  try {
    const dir = (await run('pg_config', ['--bindir'])).stdout.trim();
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  } catch {
    // explained below
  }
  throw new Error(
    'PostgreSQL 12+ is needed for `freshet stack` and was not found: install it (`apt-get install postgresql`) so that `pg_config --bindir` names the folder holding initdb and pg_ctl, or set FRESHET_PG_BINDIR to that folder.',
  );
}

const asRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL binary as the `postgres` user when we are root, as ourselves otherwise. */
async function runPg(bin: string, args: string[]): Promise<string> {
  const [cmd, argv] = asRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    const { stdout, stderr } = await run(cmd, argv, { timeout: 120_000 });
    return stdout + stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${path.basename(bin)} ${args.join(' ')} failed: ${err.stderr || err.stdout || err.message}`.trim(), { cause: e });
  }
}

let ids: Promise<{ uid: number; gid: number }> | undefined;

function postgresIds(): Promise<{ uid: number; gid: number }> {
  return (ids ??= findPostgresIds());
}

async function findPostgresIds(): Promise<{ uid: number; gid: number }> {
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'There is no `postgres` user to run PostgreSQL as (initdb refuses root): install PostgreSQL from your distribution, which creates it, or run `freshet stack` as a user other than root.',
    );
  }
}

/** Creates an empty file or folder owned by the user PostgreSQL runs as. */
async function ownedByPostgres(p: string, kind: 'dir' | 'file'): Promise<void> {
  // Parents with the default mode (a recursive mkdir would give them this one's 0700).
  mkdirSync(path.dirname(p), { recursive: true });
  if (kind === 'dir') mkdirSync(p, { recursive: true, mode: 0o700 });
  else if (!existsSync(p)) writeFileSync(p, '');
  if (!asRoot()) return;
  const { uid, gid } = await postgresIds();
  chownSync(p, uid, gid);
  // Every parent must be traversable by postgres, or initdb fails with a bare "permission denied".
  try {
    await run('runuser', ['-u', 'postgres', '--', 'test', '-w', p]);
  } catch {
    throw new Error(
      `The postgres user cannot reach ${p}: a parent folder is not traversable by others. Allow it (e.g. \`chmod o+x\` on each parent of ${path.dirname(p)}) or put the stack elsewhere with --dir.`,
    );
  }
}

export interface PostgresOptions {
  dataDir: string;
  port: number;
  logFile: string;
}

/** initdb once (trust auth on loopback, superuser `postgres`); later calls keep the data. */
export async function initPostgres(dataDir: string): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const bin = await postgresBinDir();
  await ownedByPostgres(dataDir, 'dir');
  await runPg(path.join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-instructions']);
}

/** Starts the cluster with pg_ctl (which detaches the postmaster); returns the postmaster PID. */
export async function startPostgres(opts: PostgresOptions): Promise<number> {
  await initPostgres(opts.dataDir);
  const bin = await postgresBinDir();
  await ownedByPostgres(opts.logFile, 'file');
  await runPg(path.join(bin, 'pg_ctl'), [
    '-D',
    opts.dataDir,
    '-w',
    '-t',
    '60',
    '-l',
    opts.logFile,
    '-o',
    `-p ${opts.port} -k ${opts.dataDir} -c listen_addresses=127.0.0.1`,
    'start',
  ]);
  await waitForPort('127.0.0.1', opts.port, 30_000);
  const pid = postgresPid(opts.dataDir);
  if (!pid) throw new Error(`PostgreSQL started but wrote no ${path.join(opts.dataDir, 'postmaster.pid')}`);
  return pid;
}

/** The postmaster PID from its pid file, when the cluster runs. */
export function postgresPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** `fast` stops cleanly; `immediate` is the crash (recovery on next start), for kill tests. */
export async function stopPostgres(dataDir: string, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
  if (!postgresPid(dataDir)) return;
  const bin = await postgresBinDir();
  try {
    await runPg(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', mode, '-w', 'stop']);
  } catch (e) {
    // A stale pid file of a cluster that is not running is not an error for stop.
    if (!/Is server running\?|No such process/i.test((e as Error).message)) throw e;
  }
}

/** One SQL statement through psql over TCP as the superuser; returns its unaligned output. */
export async function psql(port: number, sql: string, database = 'postgres'): Promise<string> {
  const bin = await postgresBinDir();
  try {
    const { stdout } = await run(
      path.join(bin, 'psql'),
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-tAc', sql],
      { timeout: 60_000 },
    );
    return stdout.trim();
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`psql on 127.0.0.1:${port} failed for \`${sql}\`: ${err.stderr || err.message}`.trim(), { cause: e });
  }
}
