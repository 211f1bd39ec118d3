/** Byte helpers shared by every module; nothing here is secret-dependent. */

const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
const HEX_CODES = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
/** Up to this many bytes, hex is written as character codes and made one string at once. */
const SHORT_HEX_BYTES = 64;
const hexCodes: number[] = [];

/**
 * Lowercase hex. The fold turns every commitment and output into hex and keeps, compares and
 * hashes the strings: short inputs become one flat string at once (appending pairs leaves a rope
 * of one piece per byte, flattened again by each comparison; ~2x slower here); longer inputs
 * append pairs (a call takes at most so many arguments).
 */
export function bytesToHex(bytes: Uint8Array): string {
  if (bytes.length <= SHORT_HEX_BYTES) {
    hexCodes.length = 2 * bytes.length;
    for (let i = 0; i < bytes.length; i++) {
      hexCodes[2 * i] = HEX_CODES[bytes[i]! >>> 4]!;
      hexCodes[2 * i + 1] = HEX_CODES[bytes[i]! & 15]!;
    }
    return String.fromCharCode.apply(null, hexCodes);
  }
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX_PAIRS[bytes[i]!];
  return out;
}

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new TypeError(`hexToBytes: expected an even-length hex string, got ${JSON.stringify(hex.slice(0, 16))}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
export const utf8 = (text: string): Uint8Array => encoder.encode(text);
export const fromUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes);

/** Copies into a fresh ArrayBuffer-backed array (WebCrypto refuses shared or offset views in some engines). */
export function toArrayBufferBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(new ArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  globalThis.crypto.getRandomValues(out);
  return out;
}
