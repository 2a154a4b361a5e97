// Talking to the server: JSON in, JSON out, errors carrying the field the server named.
import type { ApiError } from '../../api-types.ts';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

async function handle<T>(res: Response): Promise<T> {
  if (res.ok) return (await res.json()) as T;
  let body: ApiError | undefined;
  try {
    body = (await res.json()) as ApiError;
  } catch {
    /* not JSON: fall through */
  }
  throw new ApiRequestError(res.status, body?.error ?? `${res.status} ${res.statusText}`, body?.field);
}

export function getJson<T>(path: string): Promise<T> {
  return fetch(path, { credentials: 'same-origin' }).then((r) => handle<T>(r));
}

export function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => handle<T>(r));
}

export const enc = encodeURIComponent;

/** A new launch's id (REQUEST_ID_PATTERN), sent with a start so that sending it twice starts one
 * backfill. Not crypto.randomUUID: it needs a secure context, and a server with a token may be
 * reached over plain http from another machine. */
export function newRequestId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
