// A MinIO server on loopback for S3 tests and `freshet dev`: built once per machine with Go,
// started with a fresh data directory and random credentials, stopped with its data.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import path from 'node:path';
import { binDir } from './paths.ts';
import { freePort, runInstaller, stopProcess } from './process.ts';

export const minioBinary = path.join(binDir, 'minio');

export async function ensureMinioBinary(): Promise<string> {
  if (existsSync(minioBinary)) return minioBinary;
  mkdirSync(binDir, { recursive: true });
  console.error(`Building MinIO into ${binDir} (once per machine, a few minutes)...`);
  await runInstaller(
    'go',
    ['install', 'github.com/minio/minio@latest'],
    { ...process.env, GOBIN: binDir },
    'Freshet builds MinIO for its S3 tests with Go: install Go 1.24+ (https://go.dev/dl or `apt-get install golang`).',
  );
  return minioBinary;
}

export interface MinioServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** environment for Freshet and delta-rs processes that talk to this server */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface MinioOptions {
  /** kept after stop when given; a temp directory (removed on stop) otherwise */
  dataDir?: string;
  port?: number;
  log?: (line: string) => void;
}

export async function startMinio(opts: MinioOptions = {}): Promise<MinioServer> {
  const binary = await ensureMinioBinary();
  const port = opts.port ?? (await freePort());
  const consolePort = await freePort();
  const dataDir = opts.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-minio-')));
  mkdirSync(dataDir, { recursive: true });
  const accessKeyId = `freshet${randomBytes(4).toString('hex')}`;
  const secretAccessKey = randomBytes(18).toString('hex');
  const child = spawn(binary, minioArgs(dataDir, port, consolePort), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: minioEnv(accessKeyId, secretAccessKey),
  });
  const log = opts.log ?? (() => {});
  let output = '';
  const collect = (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
    log(d.toString());
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopProcess(child);
    if (!opts.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitMinioReady(endpoint, 60_000, () => (child.exitCode === null ? undefined : `it exited with code ${child.exitCode}`));
  } catch (err) {
    await stop();
    throw new Error(`MinIO (${binary}) did not start: ${(err as Error).message}\n${output.split(secretAccessKey).join('***')}`, {
      cause: err,
    });
  }
  const region = 'us-east-1';
  return {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    stop,
    env: {
      FRESHET_S3_ENDPOINT: endpoint,
      FRESHET_S3_REGION: region,
      FRESHET_S3_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
    },
  };
}

/** Arguments of `minio server` on loopback, shared by startMinio and `freshet stack`. */
export function minioArgs(dataDir: string, port: number, consolePort: number): string[] {
  return ['server', dataDir, '--quiet', '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`];
}

export function minioEnv(accessKeyId: string, secretAccessKey: string): NodeJS.ProcessEnv {
  return { ...process.env, MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey, MINIO_BROWSER: 'off', MINIO_UPDATE: 'off' };
}

/** MinIO answers 200 on /minio/health/ready once it serves requests; `gone` says why it never will. */
export async function waitMinioReady(endpoint: string, timeoutMs: number, gone: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = gone();
    if (why) throw new Error(why);
    const ok = await fetch(`${endpoint}/minio/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${endpoint} was not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
