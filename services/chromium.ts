// Debian's Chromium, driven by playwright-core in the web tests and bench/web.ts. Installed with
// apt (playwright's own browser download cannot be used here); skipped when already there.
import { existsSync } from 'node:fs';
import { runInstaller } from './process.ts';

export const chromiumPath = process.env.FRESHET_CHROMIUM ?? '/usr/bin/chromium';
const PACKAGES = ['chromium', 'fonts-dejavu-core'];
const HINT = `The web tests drive Debian's Chromium: install it with \`sudo apt-get update && sudo apt-get install -y ${PACKAGES.join(' ')}\`, or point FRESHET_CHROMIUM at a Chromium binary.`;

export async function ensureChromium(): Promise<string> {
  if (existsSync(chromiumPath)) return chromiumPath;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) throw new Error(`${chromiumPath} not found. ${HINT}`);
  console.error(`Installing ${PACKAGES.join(', ')} with apt-get (once per machine)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runInstaller('apt-get', ['update', '-qq'], env, HINT);
  await runInstaller('apt-get', ['install', '-y', '-qq', ...PACKAGES], env, HINT);
  if (!existsSync(chromiumPath)) throw new Error(`apt-get installed chromium but ${chromiumPath} is missing. ${HINT}`);
  return chromiumPath;
}

/** For tests: the path, or an error saying how to get Chromium. */
export function requireChromium(): string {
  if (!existsSync(chromiumPath))
    throw new Error(`${chromiumPath} not found. ${HINT} (\`npm test\` installs it through services/setup.ts.)`);
  return chromiumPath;
}
