// The page is built by Vite on demand, so a fresh clone needs no extra step: the first server
// start builds web/app into .freshet/web-dist/<hash of its sources>, later starts reuse it,
// and any change to the sources gives a new hash and a new build.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshetHome, repoRoot } from '../services/paths.ts';

export const appDir = fileURLToPath(new URL('./app', import.meta.url));
const outRoot = path.join(freshetHome, 'web-dist');
/** what the bundle is made of besides web/app */
const EXTRA_SOURCES = ['web/api-types.ts', 'contract/backfill.ts', 'package-lock.json'];
const OLD_BUILD_MS = 3_600_000;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : files(p);
    return [p];
  });
}

export function sourceHash(): string {
  const hash = createHash('sha256');
  const all = [...files(appDir), ...EXTRA_SOURCES.map((f) => path.join(repoRoot, f)).filter(existsSync)].sort();
  for (const f of all) hash.update(path.relative(repoRoot, f)).update('\0').update(readFileSync(f)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** The directory holding the built page, building it first when the sources changed. */
export async function ensureFrontEnd(opts: { log?: (msg: string) => void } = {}): Promise<string> {
  const dir = path.join(outRoot, sourceHash());
  if (existsSync(path.join(dir, 'index.html'))) {
    const now = new Date();
    utimesSync(dir, now, now); // in use: keeps removeOldBuilds away from it
    return dir;
  }
  const started = Date.now();
  opts.log?.('building the web page (once per change of web/app)...');
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(outRoot, { recursive: true });
  await viteBuild(tmp);
  // Another process may have built the same hash meanwhile: either copy is good.
  if (existsSync(path.join(dir, 'index.html'))) rmSync(tmp, { recursive: true, force: true });
  else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  removeOldBuilds(dir);
  opts.log?.(`built the web page in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** Vite in a child process: its own NODE_ENV (vitest sets 'test', which would bundle React's
 * development build) and none of its memory left in the server. */
function viteBuild(outDir: string): Promise<void> {
  const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const args = [vite, 'build', '--config', path.join(appDir, 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: appDir,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`Building the web page failed (vite exited with ${code}):\n${err.slice(-4000)}`)),
    );
  });
}

/** Drops builds of older sources that no server has started from for an hour. */
function removeOldBuilds(keep: string): void {
  for (const name of readdirSync(outRoot)) {
    const p = path.join(outRoot, name);
    if (p === keep) continue;
    try {
      if (Date.now() - statSync(p).mtimeMs > OLD_BUILD_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      /* another process removed it */
    }
  }
}
