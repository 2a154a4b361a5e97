import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { gracefulClose } from './graceful-close.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.closeAllConnections();
});

/** /slow answers after 600 ms, /hang never, /events is a progress stream, anything else at once. */
async function start() {
  const server = http.createServer((req, res) => {
    if (req.url === '/slow') setTimeout(() => res.end('slow done'), 600);
    else if (req.url === '/hang') res.write('...');
    else if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: progress\ndata: {}\n\n');
    } else res.end('ok');
  });
  const closing = gracefulClose(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { server, closing, port: (server.address() as AddressInfo).port };
}

/** A GET that resolves with status and body once the answer ends, or with the error that cut it. */
function get(port: number, path: string, opts: { agent?: http.Agent | false; accept?: string; onData?: () => void } = {}) {
  return new Promise<{ status?: number; body: string; error?: string }>((resolve) => {
    let body = '';
    const req = http.get(
      { host: '127.0.0.1', port, path, agent: opts.agent, headers: opts.accept ? { accept: opts.accept } : {} },
      (res) => {
        res.on('data', (d: Buffer) => {
          body += d.toString();
          opts.onData?.();
        });
        res.on('end', () => resolve({ status: res.statusCode, body }));
        res.on('error', (e) => resolve({ status: res.statusCode, body, error: e.message }));
        res.on('aborted', () => resolve({ status: res.statusCode, body, error: 'aborted' }));
      },
    );
    req.on('error', (e) => resolve({ body, error: e.message }));
  });
}

describe('gracefulClose', () => {
  it('lets a request in flight finish, ends progress streams and idle keep-alive connections, and closes long before the grace', async () => {
    const { closing, port } = await start();
    let streamed!: () => void;
    const firstEvent = new Promise<void>((r) => (streamed = r));
    const events = get(port, '/events', { accept: 'text/event-stream', onData: () => streamed() });
    await firstEvent;
    const agent = new http.Agent({ keepAlive: true });
    expect((await get(port, '/', { agent })).body).toBe('ok'); // its connection now idles, kept alive
    const slow = get(port, '/slow');
    await sleep(100);

    const asked = Date.now();
    await closing.close(10_000);
    const tookMs = Date.now() - asked;
    expect(await slow).toEqual({ status: 200, body: 'slow done' });
    expect((await events).body).toContain('event: progress');
    expect(tookMs).toBeGreaterThanOrEqual(400); // it waited for /slow ...
    expect(tookMs).toBeLessThan(3_000); // ... and for nothing else
    expect((await get(port, '/', { agent: false })).error).toMatch(/ECONNREFUSED/);
    agent.destroy();
  });

  it('cuts a request still running when the grace ends', async () => {
    const { closing, port } = await start();
    const hanging = get(port, '/hang');
    await sleep(100);
    const asked = Date.now();
    await closing.close(300);
    expect(Date.now() - asked).toBeLessThan(2_000);
    expect((await hanging).error).toBeDefined();
  });

  it('closes with nothing in flight at once', async () => {
    const { closing } = await start();
    const asked = Date.now();
    await closing.close(10_000);
    expect(Date.now() - asked).toBeLessThan(500);
  });
});
