// `freshet web` with a token: the token is printed once, on a line that says it is a secret;
// the page's address itself is printed without it. SIGTERM stops it at once, connections open.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { tempDir } from '../../test/harness.ts';

/** `freshet web` as a process, once it prints its address; `exited` resolves with its exit code. */
async function startWeb(env: Record<string, string>) {
  const child = spawn('node', ['bin/freshet.mjs', 'web'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      FRESHET_TASK_QUEUE: `test-web-cli-${process.pid}`,
      FRESHET_WAREHOUSE: tempDir('web-cli'),
      FRESHET_PROJECT: path.resolve('test/fixtures/web-project.ts'),
      FRESHET_WEB_PORT: '0',
      ...env,
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
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`freshet web did not start: ${out}`)), 300_000);
    child.stdout.on('data', () => {
      if (out.includes('Ctrl-C stops it')) {
        clearTimeout(timer);
        setTimeout(resolve, 500);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`freshet web exited with ${code}: ${out}`));
    });
  });
  const address = /Freshet web page: (http:\/\/127\.0\.0\.1:\d+) {2}\(Ctrl-C stops it\)/.exec(out)![1];
  return { child, address, exited, output: () => out };
}

describe('freshet web', () => {
  it('prints the token once, as a secret, and the address without it', async () => {
    const token = 'tok-3f9a1c77e2';
    const web = await startWeb({ FRESHET_TOKEN: token });
    try {
      const out = web.output();
      const lines = out.split('\n');
      expect(out.split(token)).toHaveLength(2); // once
      const signIn = lines.find((l) => l.includes(token))!;
      expect(signIn).toBe(
        `sign in once at ${web.address}/?token=${token} (it holds FRESHET_TOKEN, a secret: keep it out of logs, chats and tickets)`,
      );
      // The printed link is the one that signs in.
      const res = await fetch(`${web.address}/?token=${token}`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect((await fetch(`${web.address}/api/info`)).status).toBe(401);
    } finally {
      web.child.kill('SIGINT');
      await web.exited;
    }
  }, 320_000);

  it('exits 0 on SIGTERM at once, a keep-alive connection open', async () => {
    const web = await startWeb({});
    const agent = new http.Agent({ keepAlive: true });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http
        .get(`${web.address}/api/info`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        })
        .on('error', reject);
    });
    expect(status).toBe(200);
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(1); // kept alive, idle
    const sent = Date.now();
    web.child.kill('SIGTERM');
    expect(await web.exited).toBe(0);
    expect(Date.now() - sent).toBeLessThan(5_000);
    agent.destroy();
  }, 320_000);
});
