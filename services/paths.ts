// Where Freshet keeps what it builds and runs on this machine: `.freshet/` in the repository.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const freshetHome = process.env.FRESHET_HOME ?? path.join(repoRoot, '.freshet');
export const binDir = path.join(freshetHome, 'bin');
