// Object store on a local directory. Writes go through a temp file in the same directory,
// so a crash never leaves a half-written object under its final name.
import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ListOptions, ObjectInfo, ObjectStore } from './types.ts';
import { checkKey, joinKey } from './keys.ts';

export class LocalStore implements ObjectStore {
  readonly uri: string;
  constructor(readonly root: string) {
    this.uri = path.resolve(root);
  }

  at(sub: string): ObjectStore {
    return new LocalStore(path.join(this.uri, checkKey(sub)));
  }

  private file(key: string): string {
    return path.join(this.uri, ...checkKey(key).split('/'));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(this.file(key));
    } catch (e) {
      if (isCode(e, 'ENOENT') || isCode(e, 'EISDIR')) return undefined;
      throw e;
    }
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    const target = this.file(key);
    const tmp = await writeTemp(target, data);
    await fs.rename(tmp, target);
  }

  async putIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    const target = this.file(key);
    const tmp = await writeTemp(target, data);
    try {
      // link() fails with EEXIST instead of replacing: the no-replace rename POSIX offers.
      await fs.link(tmp, target);
      return true;
    } catch (e) {
      if (isCode(e, 'EEXIST')) return false;
      throw e;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async putFile(key: string, localFile: string): Promise<void> {
    const target = this.file(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    try {
      await fs.rename(localFile, target);
    } catch (e) {
      if (!isCode(e, 'EXDEV')) throw e;
      // Another filesystem: copy beside the target, then rename into place.
      const tmp = tempName(target);
      await fs.copyFile(localFile, tmp, fsConstants.COPYFILE_EXCL);
      await fs.rename(tmp, target);
      await fs.rm(localFile, { force: true });
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ObjectInfo[]> {
    const slash = prefix.lastIndexOf('/');
    const base = slash >= 0 ? prefix.slice(0, slash) : '';
    const out: ObjectInfo[] = [];
    const wanted = (key: string) => key.startsWith(prefix) && (opts.startAfter === undefined || key > opts.startAfter);
    await walk(this.uri, base, wanted, out, opts.shallow !== true);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const st = await fs.stat(this.file(key));
      return st.isFile() ? { path: key, size: st.size, modified: Math.floor(st.mtimeMs) } : undefined;
    } catch (e) {
      if (isCode(e, 'ENOENT') || isCode(e, 'ENOTDIR')) return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }

  async localPath(key: string): Promise<string> {
    const file = this.file(key);
    try {
      await fs.access(file);
    } catch {
      throw new Error(`file not found: ${file}`);
    }
    return file;
  }
}

async function walk(root: string, dir: string, wanted: (key: string) => boolean, out: ObjectInfo[], deep: boolean): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(path.join(root, dir), { withFileTypes: true });
  } catch (e) {
    if (isCode(e, 'ENOENT') || isCode(e, 'ENOTDIR')) return;
    throw e;
  }
  for (const entry of entries) {
    const key = joinKey(dir, entry.name);
    if (entry.isDirectory()) {
      if (deep) await walk(root, key, wanted, out, deep);
    } else if (entry.isFile() && wanted(key)) {
      // stat only what is listed: a log directory can hold many thousands of files
      const st = await fs.stat(path.join(root, key)).catch(() => undefined);
      if (st) out.push({ path: key, size: st.size, modified: Math.floor(st.mtimeMs) });
    }
  }
}

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.tmp`);
}

/** Writes `data` to a fresh temp file beside `target`, flushed to disk, and returns its name. */
async function writeTemp(target: string, data: Uint8Array | string): Promise<string> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempName(target);
  const handle = await fs.open(tmp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  return tmp;
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}
