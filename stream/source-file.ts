// A newline-delimited JSON file as a one-partition source. The offset is a byte position, so a
// restore seeks straight to it. With `follow`, the end of the file is waited on (tail -f).
import * as fs from 'node:fs/promises';
import type { StreamSource } from './source.ts';

export function fileSource(path: string, opts: { follow?: boolean; chunkBytes?: number } = {}): StreamSource {
  const chunkBytes = opts.chunkBytes ?? 1 << 20;
  let handle: fs.FileHandle | undefined;
  let position = 0;
  let carry = Buffer.alloc(0);
  const NL = 0x0a;

  return {
    name: `file:${path}`,
    async open(from) {
      try {
        handle = await fs.open(path, 'r');
      } catch (e) {
        throw new Error(
          `Stream source file ${path} cannot be opened (${(e as Error).message}); check the path, or start the job after the file exists.`,
          { cause: e },
        );
      }
      position = from['0'] ?? 0;
      carry = Buffer.alloc(0);
      return [0];
    },
    async poll(max, waitMs) {
      const records: unknown[] = [];
      const offsets: number[] = [];
      // `position` is where the next unread byte is; carry holds a partial line before it
      let lineStart = position - carry.length;
      while (records.length < max) {
        const buf = Buffer.alloc(chunkBytes);
        const { bytesRead } = await handle!.read(buf, 0, chunkBytes, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        const data = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        let from = 0;
        for (let nl = data.indexOf(NL, from); nl !== -1 && records.length < max; nl = data.indexOf(NL, from)) {
          const line = data.subarray(from, nl);
          if (line.length > 0 && !(line.length === 1 && line[0] === 0x0d)) {
            records.push(line.toString('utf8'));
            offsets.push(lineStart + from);
          }
          from = nl + 1;
        }
        // keep the unconsumed tail; rewind position so the next read continues after what we took
        const rest = data.subarray(from);
        if (records.length >= max) {
          position -= rest.length;
          carry = Buffer.alloc(0);
          break;
        }
        carry = Buffer.from(rest);
        lineStart = position - carry.length;
      }
      if (records.length === 0) {
        if (!opts.follow) {
          if (carry.length > 0) {
            // a last line without a newline
            const line = carry.toString('utf8');
            const at = position - carry.length;
            carry = Buffer.alloc(0);
            if (line.trim() !== '')
              return [{ partition: 0, firstOffset: at, offsets: [at], records: [line], nextOffset: position, receivedAt: Date.now() }];
          }
          return null;
        }
        await new Promise((r) => setTimeout(r, Math.min(waitMs, 100)));
        return [];
      }
      const nextOffset = position - carry.length;
      return [{ partition: 0, firstOffset: offsets[0], offsets, records, nextOffset, receivedAt: Date.now() }];
    },
    async close() {
      await handle?.close();
    },
  };
}
