// delta-rs (the Python `deltalake` package) in a venv under .freshet/: the conformance oracle.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freshetHome } from './paths.ts';
import { runInstaller } from './process.ts';

export const venvDir = path.join(freshetHome, 'venv');
export const venvPython = path.join(venvDir, 'bin', 'python');
// Pinned so the oracle does not move under the tests; bump deliberately.
const PACKAGES = ['deltalake==1.6.6', 'pyarrow==26.0.1', 'pandas==3.1.1'];
const HINT =
  'Freshet checks its Delta tables against delta-rs in Python: install Python 3.10+ with venv and pip (`apt-get install python3 python3-venv`).';

export async function ensureDeltaLake(): Promise<string> {
  if (
    existsSync(venvPython) &&
    (await runPython('import deltalake, pyarrow, pandas').then(
      () => true,
      () => false,
    ))
  )
    return venvPython;
  console.error(`Installing ${PACKAGES.join(', ')} into ${venvDir} (once per machine)...`);
  if (!existsSync(venvPython)) await runInstaller('python3', ['-m', 'venv', venvDir], process.env, HINT);
  await runInstaller(venvPython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...PACKAGES], process.env, HINT);
  return venvPython;
}

/** Runs a Python script in the venv with `args` as sys.argv[1:]; resolves with stdout, rejects with stderr. */
export function runPython(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  // After the script succeeds, leave without interpreter teardown: delta-rs' runtime threads can
  // abort the process while it unwinds ("terminate called without an active exception").
  const body = `${script}\nimport sys as _sys, os as _os\n_sys.stdout.flush()\n_sys.stderr.flush()\n_os._exit(0)\n`;
  return new Promise((resolve, reject) => {
    const child = spawn(venvPython, ['-c', body, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', (e) => reject(new Error(`${venvPython} could not run (${e.message}). ${HINT}`)));
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`python exited with ${signal ? `signal ${signal}` : `code ${code}`}:\n${err.slice(-4000)}`)),
    );
  });
}
