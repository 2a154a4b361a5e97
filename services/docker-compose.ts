// Debian's docker-compose, used only to validate docker-compose.yml (`config -q`): no Docker
// engine runs here. Installed with apt like Chromium; skipped when already there.
import { existsSync } from 'node:fs';
import { runInstaller } from './process.ts';

export const dockerComposePath = '/usr/bin/docker-compose';
const PACKAGE = 'docker-compose';
const HINT = `The compose test validates docker-compose.yml with Debian's docker-compose: install it with \`sudo apt-get update && sudo apt-get install -y ${PACKAGE}\`.`;

export async function ensureDockerCompose(): Promise<string> {
  if (existsSync(dockerComposePath)) return dockerComposePath;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) throw new Error(`${dockerComposePath} not found. ${HINT}`);
  console.error(`Installing ${PACKAGE} with apt-get (once per machine)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runInstaller('apt-get', ['update', '-qq'], env, HINT);
  await runInstaller('apt-get', ['install', '-y', '-qq', '--no-install-recommends', PACKAGE], env, HINT);
  if (!existsSync(dockerComposePath)) throw new Error(`apt-get installed ${PACKAGE} but ${dockerComposePath} is missing. ${HINT}`);
  return dockerComposePath;
}

/** For tests: the path, or an error saying how to get docker-compose. */
export function requireDockerCompose(): string {
  if (!existsSync(dockerComposePath))
    throw new Error(`${dockerComposePath} not found. ${HINT} (\`npm test\` installs it through services/setup.ts.)`);
  return dockerComposePath;
}
