// The object store every table lives in: a local directory (default) or an S3 prefix.
// Paths are relative to the store's root and always use '/'.

export interface ObjectInfo {
  path: string;
  size: number;
  /** milliseconds since the epoch */
  modified: number;
}

export interface ListOptions {
  /** only paths sorting after this one */
  startAfter?: string;
  /**
   * Only objects directly in the folder `prefix` points into: no '/' in the path after `prefix`
   * (S3's delimiter listing). A Delta log is the direct children of `_delta_log/`; other writers
   * stage files in its subfolders (delta-rs' `.tmp/`, `_commits/`), which are not log files.
   */
  shallow?: boolean;
}

export interface ObjectStore {
  /** Where this store points, for messages: a directory or `s3://bucket/prefix`. Never holds credentials. */
  readonly uri: string;
  /** A store rooted at `root/<sub>`. */
  at(sub: string): ObjectStore;
  /** The bytes of an object, or undefined when it does not exist. */
  get(path: string): Promise<Uint8Array | undefined>;
  put(path: string, data: Uint8Array | string): Promise<void>;
  /** Writes only if nothing exists at `path`; false when something already did. Atomic: never a half-written object under its final name. */
  putIfAbsent(path: string, data: Uint8Array | string): Promise<boolean>;
  /** Uploads (or moves, on a local disk) a local file to `path`. */
  putFile(path: string, localFile: string): Promise<void>;
  /** Objects whose path starts with `prefix`, sorted by path; with `startAfter`, only paths sorting after it. */
  list(prefix: string, opts?: ListOptions): Promise<ObjectInfo[]>;
  /**
   * One object's size and modification time, undefined when absent. Only stores where listing a
   * folder costs its whole size (a local directory: readdir) have it; Delta readers then probe for
   * the next commits with it instead of listing a log of thousands of files. S3 lists from a key
   * (StartAfter) at the cost of what follows it, so it has none.
   */
  stat?(path: string): Promise<ObjectInfo | undefined>;
  delete(path: string): Promise<void>;
  /** A local file with the object's bytes that DuckDB can read (the file itself on disk, a cached download on S3). */
  localPath(path: string): Promise<string>;
}
