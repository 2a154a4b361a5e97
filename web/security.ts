// Who may talk to the server. On 127.0.0.1 only this machine can; a Host check stops other
// sites reaching it through DNS rebinding. Bound elsewhere, a token (FRESHET_TOKEN) is required,
// by header or by a SameSite cookie set from `/?token=...`. State changes are JSON POSTs, which
// an HTML form on another site cannot send.
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { isLoopback, sameSecret as same } from '../runtime/access.ts';

export const TOKEN_COOKIE = 'freshet_token';

export { isLoopback };

/** Rejects requests whose Host header names some other site (DNS rebinding against 127.0.0.1). */
export function loopbackHostCheck(): MiddlewareHandler {
  return async (c, next) => {
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    if (!isLoopback(host))
      return c.json({ error: `Host '${host}' is not allowed: this server answers on 127.0.0.1 and localhost only.` }, 403);
    return next();
  };
}

/** API calls and /metrics need the token; the page's own files do not (they hold nothing secret). */
export function tokenAuth(token: string): MiddlewareHandler {
  const guarded = (path: string) => path.startsWith('/api/') || path === '/metrics';
  return async (c, next) => {
    const fromQuery = c.req.query('token');
    if (fromQuery !== undefined && !guarded(c.req.path)) {
      if (!same(fromQuery, token)) return c.text('Wrong token.', 401);
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(url.pathname + url.search, 303);
    }
    if (!guarded(c.req.path)) return next();
    const header = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
    const given = header ?? getCookie(c, TOKEN_COOKIE);
    if (given === undefined || !same(given, token)) {
      return c.json(
        {
          error:
            'This server needs a token: open the page at the URL `freshet web` printed (it ends in ?token=...), or send Authorization: Bearer $FRESHET_TOKEN.',
        },
        401,
      );
    }
    return next();
  };
}

/** State-changing calls: POST with a JSON body only (forms cannot send application/json cross-site). */
export function jsonPostsOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path.startsWith('/api/') && !['GET', 'HEAD', 'POST'].includes(c.req.method)) {
      return c.json({ error: `${c.req.method} is not used by this API: read with GET, change with POST.` }, 405);
    }
    if (c.req.method === 'POST' && !/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      return c.json({ error: 'Send the body as JSON with Content-Type: application/json.', field: 'body' }, 415);
    }
    return next();
  };
}
