// Closing the web server without cutting answers off: stop accepting connections, let requests in
// flight finish, and close what would otherwise hold the server open forever: idle keep-alive
// connections (a browser keeps one for minutes) and progress streams (SSE never ends by itself;
// the page's EventSource reconnects, to another instance behind a load balancer).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface GracefulClose {
  /** resolves once every connection is closed; requests still running after `graceMs` are cut */
  close(graceMs: number): Promise<void>;
}

/** Starts tracking `server`'s requests; call before it serves any. */
export function gracefulClose(server: Server): GracefulClose {
  const streams = new Set<ServerResponse>();
  let stopping = false;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (stopping) res.setHeader('Connection', 'close'); // answered, then its connection closes
    if (!/text\/event-stream/i.test(req.headers.accept ?? '')) return;
    if (stopping) {
      res.destroy();
      return;
    }
    streams.add(res);
    res.once('close', () => streams.delete(res));
  });
  return {
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        stopping = true;
        // A connection goes idle when its answer is sent: sweep them until none is left.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(cut);
          resolve();
        });
        for (const res of streams) res.destroy();
        server.closeIdleConnections();
      }),
  };
}
