// Compact binary encoding for checkpoints: a growable little-endian writer and its reader.

const text = new TextEncoder();
const untext = new TextDecoder();

export class BinaryWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** Starts over, keeping the buffer: checkpoints reuse one writer so a 40 MB state is not reallocated each time. */
  reset(): void {
    this.length = 0;
  }

  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v;
  }

  /** unsigned integers up to 2^53 in 7-bit groups */
  uint(v: number): void {
    this.room(8);
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  str(s: string): void {
    // ASCII fast path: most keys are ids
    let ascii = s.length < 256;
    for (let i = 0; ascii && i < s.length; i++) if (s.charCodeAt(i) > 0x7f) ascii = false;
    if (ascii) {
      this.uint(s.length);
      this.room(s.length);
      for (let i = 0; i < s.length; i++) this.buf[this.length++] = s.charCodeAt(i);
      return;
    }
    this.bytes(text.encode(s));
  }

  bytes(b: Uint8Array): void {
    this.uint(b.length);
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** overwrites 4 bytes written earlier (a count known only at the end) */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  /** bytes without a length prefix */
  bytesRaw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  json(v: unknown): void {
    this.str(JSON.stringify(v) ?? 'null');
  }

  /** The bytes written so far (a copy, safe to keep while writing on). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  /** The bytes written so far, without copying: valid until the next reset or write. */
  bytesView(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

export class BinaryReader {
  private readonly view: DataView;
  at = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.at >= this.buf.length;
  }

  u8(): number {
    return this.buf[this.at++];
  }

  uint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.buf[this.at++];
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
  }

  u32(): number {
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }

  f64(): number {
    const v = this.view.getFloat64(this.at, true);
    this.at += 8;
    return v;
  }

  str(): string {
    const n = this.uint();
    const slice = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    let ascii = true;
    for (let i = 0; ascii && i < slice.length; i++) if (slice[i] > 0x7f) ascii = false;
    return ascii && n < 256 ? String.fromCharCode.apply(null, slice as unknown as number[]) : untext.decode(slice);
  }

  bytes(): Uint8Array {
    const n = this.uint();
    const b = this.buf.slice(this.at, this.at + n);
    this.at += n;
    return b;
  }

  json<T>(): T {
    return JSON.parse(this.str()) as T;
  }
}
