/**
 * SHA-256 (FIPS 180-4) for short messages, without per-call set-up: a commitment (salt || output,
 * 48 bytes), a rendezvous key or an id is one or two blocks, and a general hasher spends most of
 * such a call creating its object, buffers and views (~2 us against ~0.4 us here). The simulator
 * hashes ~700,000 commitments and reveals per 100,000 jobs, and nodes hash the same ones.
 * `hash.ts` sends messages up to SHORT_MESSAGE_MAX bytes here and longer ones to noble.
 */

/** Longest message hashed here (longer ones gain nothing from skipping the set-up). */
export const SHORT_MESSAGE_MAX = 1024;

/** FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Section 5.3.3: the initial hash value. */
const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

// Scratch space, reused by every call (hashing is synchronous, so calls never interleave).
const H = new Int32Array(8);
const W = new Int32Array(64);
/** The padded message (5.1.1): the message, a 1 bit, zeros, and its length in bits. */
const padded = new Uint8Array(SHORT_MESSAGE_MAX + 72);

/** SHA-256 of a message of at most SHORT_MESSAGE_MAX bytes. */
export function sha256Short(message: Uint8Array): Uint8Array {
  const length = message.length;
  if (length > SHORT_MESSAGE_MAX) throw new RangeError(`sha256Short hashes at most ${SHORT_MESSAGE_MAX} bytes, got ${length}`);
  const blocks = ((length + 8) >>> 6) + 1;
  const end = blocks * 64;
  padded.set(message);
  padded[length] = 0x80;
  padded.fill(0, length + 1, end - 4);
  // The bit length fits 32 bits here: the upper word of the 64-bit length stays zero.
  const bits = length * 8;
  padded[end - 4] = bits >>> 24;
  padded[end - 3] = bits >>> 16;
  padded[end - 2] = bits >>> 8;
  padded[end - 1] = bits;
  H.set(INITIAL);
  for (let offset = 0; offset < end; offset += 64) compress(padded, offset);
  const digest = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const word = H[i]!;
    digest[4 * i] = word >>> 24;
    digest[4 * i + 1] = word >>> 16;
    digest[4 * i + 2] = word >>> 8;
    digest[4 * i + 3] = word;
  }
  return digest;
}

/** Section 6.2.2: one block of the padded message into H. */
function compress(block: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++) {
    const i = offset + 4 * t;
    W[t] = (block[i]! << 24) | (block[i + 1]! << 16) | (block[i + 2]! << 8) | block[i + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15]!;
    const w2 = W[t - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[t] = (s1 + W[t - 7]! + s0 + W[t - 16]!) | 0;
  }
  let a = H[0]!;
  let b = H[1]!;
  let c = H[2]!;
  let d = H[3]!;
  let e = H[4]!;
  let f = H[5]!;
  let g = H[6]!;
  let h = H[7]!;
  for (let t = 0; t < 64; t++) {
    const sigma1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + sigma1 + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
    const sigma0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (sigma0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}
