// Pure helper shared by workflow and client code.

/** The innermost cause's message: ActivityFailure and WorkflowFailedError wrap the error that really happened. */
export function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && e.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}
