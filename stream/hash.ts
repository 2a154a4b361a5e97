// 64-bit value hashing as two 32-bit lanes, without allocating: results land in HASH[0], HASH[1].
// cyrb53-style mixing for strings; the float64 bits of numbers go through the same finalizer.

export const HASH = new Uint32Array(2);
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

function finish(a: number, b: number): void {
  a = Math.imul(a ^ (a >>> 16), 2246822507);
  a ^= Math.imul(b ^ (b >>> 13), 3266489909);
  b = Math.imul(b ^ (b >>> 16), 2246822507);
  b ^= Math.imul(a ^ (a >>> 13), 3266489909);
  HASH[0] = a;
  HASH[1] = b;
}

export function hashString(s: string, seed = 0): void {
  let a = 0xdeadbeef ^ seed;
  let b = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 2654435761);
    b = Math.imul(b ^ c, 1597334677);
  }
  finish(a, b);
}

export function hashNumber(x: number, seed = 0): void {
  F64[0] = x;
  let a = Math.imul(U32[0] ^ 0xdeadbeef ^ seed, 2654435761);
  let b = Math.imul(U32[1] ^ 0x41c6ce57 ^ seed, 1597334677);
  a = Math.imul(a ^ U32[1], 2654435761);
  b = Math.imul(b ^ U32[0], 1597334677);
  finish(a, b);
}

/** Hashes a string, a number, a boolean, or anything else by its JSON text. */
export function hashValue(v: unknown, seed = 0): void {
  if (typeof v === 'string') hashString(v, seed);
  else if (typeof v === 'number') hashNumber(v, seed);
  else hashString(typeof v === 'bigint' ? v.toString() : (JSON.stringify(v) ?? 'undefined'), seed);
}
