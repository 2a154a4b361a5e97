// Turning any error into a JSON answer: the right status, a message that says what to fix,
// the request field at fault when there is one, and never a stack or a credential.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Context } from 'hono';
import { z } from 'zod';
import { AssetGraphError, PartitionKeyError } from '../core/index.ts';
import { DeltaLogError } from '../delta/index.ts';
import type { ApiError } from './api-types.ts';
import { BackfillConflictError, BackfillRequestError } from '../control/backfills.ts';

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** "assets[0]", "concurrency": how a person would name the field. */
export function fieldName(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || 'body';
}

export function zodMessage(err: z.ZodError): ApiError {
  const issue = err.issues[0];
  const field = fieldName(issue.path);
  return { error: `${field}: ${issue.message}`, field };
}

export function toResponse(
  err: unknown,
  c: Context,
  logInternal: (err: unknown) => void = (e) => console.error('web: request failed:', e),
): Response {
  const json = (status: number, body: ApiError) => c.json(body, status as 400);
  if (err instanceof HttpError) return json(err.status, { error: err.message, ...(err.field ? { field: err.field } : {}) });
  if (err instanceof z.ZodError) return json(400, zodMessage(err));
  if (err instanceof BackfillConflictError) return json(409, { error: err.message, field: err.field });
  if (err instanceof BackfillRequestError)
    return json(backfillErrorStatus(err.field, err.message), { error: err.message, field: err.field });
  if (err instanceof AssetGraphError || err instanceof PartitionKeyError) return json(400, { error: err.message });
  if (err instanceof WorkflowNotFoundError) return json(404, { error: `No such workflow: ${err.workflowId ?? 'unknown id'}.` });
  // The server's data is broken, not the request: say what is wrong with which table.
  if (err instanceof DeltaLogError) return json(500, { error: `The table cannot be read: ${redact(err.message)}` });
  logInternal(err);
  return json(500, { error: `Internal error: ${redact((err as Error)?.message ?? String(err))}` });
}

/** On 'id', control/backfills.ts means either "no such backfill" or "nothing to do to it". */
function backfillErrorStatus(field: string, message: string): 400 | 404 | 409 {
  if (field !== 'id') return 400;
  return /^No backfill|is not a backfill/.test(message) ? 404 : 409;
}

/** Drops anything that looks like a credential from a message before it leaves the server. */
export function redact(message: string): string {
  return message.replace(/\/\/[^/@\s]*@/g, '//***@').replace(/(secret|password|token|key)([=:]\s*)\S+/gi, '$1$2***');
}
