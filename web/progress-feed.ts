// One poller per followed thing (a backfill's progress), shared by everyone following it: 300
// pages on one backfill cost one read a second, not 300. It stops when the last follower
// leaves or the thing is done.

export interface Feed<T> {
  /** the newest value: the one already read when the feed runs, else a first read (which may fail: a 404) */
  current: Promise<T>;
  /**
   * calls `on` with the newest value as JSON (serialized once per change for every follower), then
   * each change, and `end` once the thing is done, failed or the feed stopped; returns the unsubscribe
   */
  subscribe(on: (json: string) => void, end: (err?: Error) => void): () => void;
}

export interface Feeds<T> {
  follow(id: string): Feed<T>;
}

interface Running<T> {
  current: Promise<T>;
  last: string;
  followers: Set<{ on: (json: string) => void; end: (err?: Error) => void }>;
  timer?: ReturnType<typeof setTimeout>;
  stopped: boolean;
}

export function createFeeds<T>(read: (id: string) => Promise<T>, opts: { intervalMs: number; done: (value: T) => boolean }): Feeds<T> {
  const running = new Map<string, Running<T>>();

  const stop = (id: string, f: Running<T>, err?: Error) => {
    if (f.stopped) return;
    f.stopped = true;
    clearTimeout(f.timer);
    if (running.get(id) === f) running.delete(id);
    for (const s of f.followers) s.end(err);
    f.followers.clear();
  };

  const poll = (id: string, f: Running<T>) => {
    f.timer = setTimeout(async () => {
      if (f.stopped) return;
      if (f.followers.size === 0) return stop(id, f); // looked up, never followed
      let value: T;
      try {
        value = await read(id);
      } catch (err) {
        return stop(id, f, err as Error);
      }
      if (f.stopped) return;
      f.current = Promise.resolve(value);
      const json = JSON.stringify(value);
      if (json !== f.last) {
        f.last = json;
        for (const s of f.followers) s.on(json);
      }
      if (opts.done(value)) stop(id, f);
      else poll(id, f);
    }, opts.intervalMs);
  };

  const start = (id: string): Running<T> => {
    const f: Running<T> = { current: read(id), last: '', followers: new Set(), stopped: false };
    running.set(id, f);
    f.current.then(
      (value) => {
        f.last = JSON.stringify(value);
        if (opts.done(value)) {
          for (const s of f.followers) s.on(f.last); // they followed while it was read, and it ends here
          stop(id, f);
        } else if (!f.stopped) poll(id, f);
      },
      (err: Error) => stop(id, f, err),
    );
    return f;
  };

  return {
    follow(id) {
      const f = running.get(id) ?? start(id);
      return {
        current: f.current,
        subscribe(on, end) {
          if (f.stopped) {
            void f.current.then(
              (value) => {
                on(JSON.stringify(value));
                end();
              },
              (err: Error) => end(err),
            );
            return () => {};
          }
          const s = { on, end };
          f.followers.add(s);
          // Before any later poll: a resolved promise's callbacks run ahead of the next timer.
          f.current.then(
            () => {
              if (f.followers.has(s)) on(f.last);
            },
            () => {},
          );
          return () => {
            f.followers.delete(s);
            // Nobody left: stop reading (a follower arriving later starts a new feed).
            if (f.followers.size === 0) stop(id, f);
          };
        },
      };
    },
  };
}
