// Waiting for something another process does: read until it is so, or fail naming what was
// awaited and the last value read.

/** Calls `read` every `intervalMs` until `ok` holds for its value, which it returns. */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: last ${String(JSON.stringify(v)).slice(0, 1000)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Until `holds` answers true. */
export async function untilTrue(what: string, holds: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  await until(what, holds, (v) => v, timeoutMs);
}
