// Talking to the server: JSON in, JSON out, errors carrying the field the server named. Whether
// the server can be reached is kept here too, for the one "connection lost" banner (Layout).
import { useSyncExternalStore } from 'react';
import type { ApiError } from '../../api-types.ts';

export class ApiRequestError extends Error {
  constructor(
    /** the HTTP status; 0 when no answer came (the server is down or the network is) */
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** No answer, or a proxy's "the server behind me is gone" (502, 504): worth retrying until it is back.
 * Freshet's own 503 says what is missing (Temporal, a worker) and is shown as it is. */
const GONE = new Set([0, 502, 504]);
export function isConnectionLost(err: unknown): boolean {
  return err instanceof ApiRequestError && GONE.has(err.status);
}

let lost = false;
const listeners = new Set<() => void>();
function setLost(now: boolean): void {
  if (lost === now) return;
  lost = now;
  for (const l of listeners) l();
}

/** True from a request that got no answer until one that did. */
export function useConnectionLost(): boolean {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => lost,
  );
}

async function handle<T>(res: Response): Promise<T> {
  if (res.ok) return (await res.json()) as T;
  const text = await res.text().catch(() => '');
  let body: Partial<ApiError> | undefined;
  try {
    body = JSON.parse(text) as ApiError;
  } catch {
    /* not JSON: the text itself is the best explanation there is */
  }
  const statusLine = `${res.status} ${res.statusText}`.trim();
  // the server's own words (web/errors.ts's { error }), else whatever body came, never only the status line
  const message = typeof body?.error === 'string' ? body.error : text.trim() ? `${statusLine}: ${text.trim().slice(0, 2000)}` : statusLine;
  throw new ApiRequestError(res.status, message, typeof body?.field === 'string' ? body.field : undefined);
}

async function request<T>(path: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', ...init });
  } catch {
    setLost(true);
    throw new ApiRequestError(0, 'Connection to the Freshet server lost.');
  }
  setLost(GONE.has(res.status));
  return handle<T>(res);
}

export function getJson<T>(path: string): Promise<T> {
  return request<T>(path, {});
}

export function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  return request<T>(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export const enc = encodeURIComponent;

/** A new launch's id (REQUEST_ID_PATTERN), sent with a start so that sending it twice starts one
 * backfill. Not crypto.randomUUID: it needs a secure context, and a server with a token may be
 * reached over plain http from another machine. */
export function newRequestId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
