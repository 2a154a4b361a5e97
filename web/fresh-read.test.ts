import { describe, expect, it } from 'vitest';
import { freshRead } from './fresh-read.ts';

/** A computation that reads a counter when it begins, and ends when released. */
function counterRead() {
  let value = 0;
  let begun = 0;
  const releases: Array<() => void> = [];
  const read = freshRead<number>(async () => {
    begun++;
    const seen = value;
    await new Promise<void>((r) => releases.push(r));
    return seen;
  });
  // Releases computations as they begin, a few event-loop turns long (a queued one begins after the one before it ends).
  const settle = async () => {
    for (let turn = 0; turn < 5; turn++) {
      await new Promise((r) => setTimeout(r, 0));
      while (releases.length) releases.shift()!();
    }
  };
  return { read, settle, write: () => value++, begun: () => begun };
}

describe('freshRead', () => {
  it('calls at the same moment share one computation', async () => {
    const c = counterRead();
    const all = Promise.all([c.read(), c.read(), c.read()]);
    await c.settle();
    expect(await all).toEqual([0, 0, 0]);
    expect(c.begun()).toBe(1);
  });

  it('a call after a write, while a computation begun before it runs, gets a value read after the write', async () => {
    const c = counterRead();
    const early = c.read();
    await new Promise((r) => setTimeout(r, 0)); // the first computation has read the counter
    c.write();
    const late = [c.read(), c.read()];
    await c.settle();
    expect(await early).toBe(0);
    expect(await Promise.all(late)).toEqual([1, 1]);
    expect(c.begun()).toBe(2); // the two late calls shared the one queued behind
  });

  it('passes the previous result on, and a failure neither sticks nor stops the next call', async () => {
    const seen: Array<number | undefined> = [];
    let fail = true;
    let n = 0;
    const read = freshRead<number>(async (previous) => {
      seen.push(previous);
      if (fail) throw new Error('table unreadable');
      return ++n;
    });
    await expect(read()).rejects.toThrow('table unreadable');
    fail = false;
    expect(await read()).toBe(1);
    expect(await read()).toBe(2);
    expect(seen).toEqual([undefined, undefined, 1]);
  });
});
