// The Temporal dev server from the `temporal` CLI: built once per machine, started on loopback.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { binDir, freshetHome } from './paths.ts';
import { freePort, isFree, runInstaller, stopProcess, waitForPort } from './process.ts';

// Newer tags carry a `replace` directive that `go install` refuses.
const CLI_VERSION = 'v1.5.1';
export const temporalBinary = path.join(binDir, 'temporal');

export async function ensureTemporalBinary(): Promise<string> {
  if (existsSync(temporalBinary)) return temporalBinary;
  mkdirSync(binDir, { recursive: true });
  console.error(`Building the temporal CLI ${CLI_VERSION} into ${binDir} (once per machine, a few minutes)...`);
  await runInstaller(
    'go',
    ['install', `github.com/temporalio/cli/cmd/temporal@${CLI_VERSION}`],
    { ...process.env, GOBIN: binDir },
    'Freshet builds the Temporal dev server with Go: install Go 1.22+ (https://go.dev/dl or `apt-get install golang`), or set TEMPORAL_ADDRESS to a running server.',
  );
  return temporalBinary;
}

export interface TemporalServer {
  address: string;
  uiUrl: string | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** SQLite file; omitted = state in memory */
  dbFile?: string;
  port?: number;
  ui?: boolean;
  /** Web UI port (default: gRPC port + 1000 when free, as the CLI does) */
  uiPort?: number;
  log?: (line: string) => void;
}

export async function startTemporalDevServer(opts: StartOptions = {}): Promise<TemporalServer> {
  const binary = await ensureTemporalBinary();
  const port = opts.port ?? (await freePort());
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
  ];
  let uiUrl: string | undefined;
  if (opts.ui) {
    const uiPort = opts.uiPort ?? ((await isFree(port + 1000)) ? port + 1000 : await freePort());
    args.push('--ui-port', String(uiPort));
    uiUrl = `http://127.0.0.1:${uiPort}`;
  } else {
    args.push('--headless');
  }
  if (opts.dbFile) {
    mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  mkdirSync(freshetHome, { recursive: true });
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = opts.log ?? (() => {});
  child.stdout.on('data', (d: Buffer) => log(d.toString()));
  child.stderr.on('data', (d: Buffer) => log(d.toString()));
  try {
    await waitForPort('127.0.0.1', port, 60_000, child);
  } catch (err) {
    await stopProcess(child);
    throw new Error(`The Temporal dev server (${binary}) did not start: ${(err as Error).message}`, { cause: err });
  }
  return { address: `127.0.0.1:${port}`, uiUrl, stop: () => stopProcess(child) };
}
