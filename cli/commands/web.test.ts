// `freshet web` with a token: the token is printed once, on a line that says it is a secret;
// the page's address itself is printed without it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { tempDir } from '../../test/harness.ts';

describe('freshet web', () => {
  it('prints the token once, as a secret, and the address without it', async () => {
    const token = 'tok-3f9a1c77e2';
    const child = spawn('node', ['bin/freshet.mjs', 'web'], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        FRESHET_TASK_QUEUE: `test-web-cli-${process.pid}`,
        FRESHET_WAREHOUSE: tempDir('web-cli'),
        FRESHET_PROJECT: path.resolve('test/fixtures/web-project.ts'),
        FRESHET_TOKEN: token,
        FRESHET_WEB_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`freshet web did not start: ${out}`)), 300_000);
        child.stdout.on('data', () => {
          if (out.includes('Ctrl-C stops it')) {
            clearTimeout(timer);
            setTimeout(resolve, 500);
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`freshet web exited with ${code}: ${out}`));
        });
      });
      const lines = out.split('\n');
      expect(out.split(token)).toHaveLength(2); // once
      const address = /Freshet web page: (http:\/\/127\.0\.0\.1:\d+) {2}\(Ctrl-C stops it\)/.exec(out)![1];
      const signIn = lines.find((l) => l.includes(token))!;
      expect(signIn).toBe(
        `sign in once at ${address}/?token=${token} (it holds FRESHET_TOKEN, a secret: keep it out of logs, chats and tickets)`,
      );
      // The printed link is the one that signs in.
      const res = await fetch(`${address}/?token=${token}`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect((await fetch(`${address}/api/info`)).status).toBe(401);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    }
  }, 320_000);
});
