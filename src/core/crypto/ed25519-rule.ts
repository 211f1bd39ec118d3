import { hexToBytes } from "./bytes.ts";

/**
 * EdgePool's one signature rule (ledger/README.md, "Signatures"), checked on bytes before any
 * verifier runs, so that a signature's validity never depends on which Ed25519 library a node uses.
 *
 * Verifiers legitimately disagree on small-order and mixed-order points and non-canonical
 * encodings (Chalkias et al., "Taming the many EdDSAs"). We remove every such case up front:
 *  1. S is canonical: S < L (RFC 8032 section 5.1.7 step 1).
 *  2. A and R are canonical encodings: y < p.
 *  3. A and R are not of small order (blocklist of the 8 small-order points, compared on y).
 *  4. A is in the prime-order subgroup (checked once per key by the caller, it needs point math).
 * After that the cofactorless equation [S]B = R + [k]A is what WebCrypto/OpenSSL computes; a
 * cofactored verifier must also check that R is in the prime-order subgroup (done in the noble path).
 */

export type SignatureRuleViolation =
  | "wrong-length"
  | "s-not-canonical"
  | "r-not-canonical"
  | "a-not-canonical"
  | "r-small-order"
  | "a-small-order";

// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const L = fromBeHex("1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed");
// p = 2^255 - 19, little-endian, as the bound for the y coordinate (sign bit cleared).
const P = fromBeHex("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed");

// Encodings (little-endian, sign bit clear) of the y coordinates of the 8 points of order dividing
// 8; every small-order point has one of these y values. Order 1: y = 1; order 2: y = -1; order 4:
// y = 0; order 8: the last two (they sum to p). libsodium blocks the same list.
const SMALL_ORDER_Y: readonly Uint8Array[] = [
  "0100000000000000000000000000000000000000000000000000000000000000",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "0000000000000000000000000000000000000000000000000000000000000000",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
].map(hexToBytes);

/** A 256-bit number given as big-endian hex, as 32 little-endian bytes (Ed25519's byte order). */
function fromBeHex(beHex: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[31 - i] = parseInt(beHex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Compares two 32-byte little-endian numbers: a < b. */
function lessThanLe(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]!;
  }
  return false;
}

/** The y coordinate of an encoded point with its sign bit (bit 255) cleared. */
function yOf(point: Uint8Array): Uint8Array {
  const y = point.slice(0, 32);
  y[31]! &= 0x7f;
  return y;
}

function isCanonicalPoint(point: Uint8Array): boolean {
  return lessThanLe(yOf(point), P);
}

function isSmallOrder(point: Uint8Array): boolean {
  const y = yOf(point);
  return SMALL_ORDER_Y.some((s) => s.every((b, i) => b === y[i]));
}

/** Checks the byte-level parts of the rule for a public key (step 2 and 3 for A). */
export function checkPublicKeyEncoding(publicKey: Uint8Array): SignatureRuleViolation | undefined {
  if (publicKey.length !== 32) return "wrong-length";
  if (!isCanonicalPoint(publicKey)) return "a-not-canonical";
  if (isSmallOrder(publicKey)) return "a-small-order";
  return undefined;
}

/** Checks the byte-level parts of the rule for a signature (steps 1 to 3 for R and S). */
export function checkSignatureEncoding(signature: Uint8Array): SignatureRuleViolation | undefined {
  if (signature.length !== 64) return "wrong-length";
  if (!lessThanLe(signature.subarray(32, 64), L)) return "s-not-canonical";
  const r = signature.subarray(0, 32);
  if (!isCanonicalPoint(r)) return "r-not-canonical";
  if (isSmallOrder(r)) return "r-small-order";
  return undefined;
}
