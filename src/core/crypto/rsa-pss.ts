/**
 * RSASSA-PSS verification with SHA-384 and MGF1-SHA-384 (RFC 8017, 8.1.2 and 9.1.2), synchronous
 * and integer-only, so the ledger's fold can check a Privacy Pass type-2 token (RFC 9578, 6) itself
 * in well under a millisecond (e = 65537 is 17 modular squarings). Only verification: issuers sign
 * with the platform's RSA (src/cli/issuer-node.ts).
 */
import { sha384 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "./bytes.ts";

export interface RsaPublicKey {
  readonly n: bigint;
  readonly e: bigint;
  /** The modulus length in bits. */
  readonly bits: number;
}

export type RsaKeyResult = { readonly ok: true; readonly key: RsaPublicKey } | { readonly ok: false; readonly message: string };

const HASH_BYTES = 48;

/** Reads a DER TLV at `at`; undefined when it runs past the end or uses an indefinite length. */
function readTlv(der: Uint8Array, at: number): { tag: number; start: number; end: number } | undefined {
  if (at + 2 > der.length) return undefined;
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3 || start + count > der.length) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | der[start + i]!;
    start += count;
  }
  const end = start + length;
  return end <= der.length ? { tag, start, end } : undefined;
}

const toBigInt = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(bytes)}`));

/**
 * The modulus and exponent of a DER SubjectPublicKeyInfo holding an RSA key (rsaEncryption or
 * RSASSA-PSS algorithm identifier; the parameters are not interpreted here). Sizes 2048-4096.
 */
export function parseRsaSpki(spki: Uint8Array): RsaKeyResult {
  const fail = (message: string): RsaKeyResult => ({ ok: false, message: `not an RSA public key: ${message}` });
  const outer = readTlv(spki, 0);
  if (outer?.tag !== 0x30 || outer.end !== spki.length) return fail("the outer SEQUENCE is malformed");
  const algorithm = readTlv(spki, outer.start);
  if (algorithm?.tag !== 0x30) return fail("the algorithm identifier is malformed");
  const bitString = readTlv(spki, algorithm.end);
  if (bitString?.tag !== 0x03 || spki[bitString.start] !== 0) return fail("the key BIT STRING is malformed");
  const rsaKey = readTlv(spki, bitString.start + 1);
  if (rsaKey?.tag !== 0x30) return fail("the RSAPublicKey SEQUENCE is malformed");
  const modulus = readTlv(spki, rsaKey.start);
  const exponent = modulus && readTlv(spki, modulus.end);
  if (modulus?.tag !== 0x02 || exponent?.tag !== 0x02) return fail("the modulus or exponent is missing");
  const n = toBigInt(spki.subarray(modulus.start, modulus.end));
  const e = toBigInt(spki.subarray(exponent.start, exponent.end));
  const bits = n.toString(2).length;
  if (bits < 2048 || bits > 4096) return fail(`a ${bits}-bit modulus (2048 to 4096 bits are accepted)`);
  if (e < 3n || e % 2n === 0n || e > 0xffff_ffffn) return fail("the public exponent must be odd, at least 3 and at most 32 bits");
  return { ok: true, key: { n, e, bits } };
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  for (let b = base % modulus, e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus) if (e & 1n) result = (result * b) % modulus;
  return result;
}

function i2osp(value: bigint, length: number): Uint8Array | undefined {
  const hex = value.toString(16);
  return hex.length > length * 2 ? undefined : hexToBytes(hex.padStart(length * 2, "0"));
}

export function mgf1Sha384(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const block = new Uint8Array(seed.length + 4);
  block.set(seed);
  for (let counter = 0, at = 0; at < length; counter++, at += HASH_BYTES) {
    new DataView(block.buffer).setUint32(seed.length, counter);
    out.set(sha384(block).subarray(0, Math.min(HASH_BYTES, length - at)), at);
  }
  return out;
}

/** RSASSA-PSS-VERIFY with SHA-384, MGF1-SHA-384 and the given salt length (Privacy Pass: 48). */
export function verifyRsaPssSha384(key: RsaPublicKey, message: Uint8Array, signature: Uint8Array, saltLength = HASH_BYTES): boolean {
  const modulusBytes = Math.ceil(key.bits / 8);
  if (signature.length !== modulusBytes) return false;
  const s = toBigInt(signature);
  if (s >= key.n) return false;
  const emBits = key.bits - 1;
  const emLength = Math.ceil(emBits / 8);
  const em = i2osp(modPow(s, key.e, key.n), emLength);
  if (!em || emLength < HASH_BYTES + saltLength + 2 || em[emLength - 1] !== 0xbc) return false;
  const dbLength = emLength - HASH_BYTES - 1;
  const h = em.subarray(dbLength, dbLength + HASH_BYTES);
  const topBits = 8 * emLength - emBits;
  const topMask = 0xff >> topBits;
  if ((em[0]! & ~topMask & 0xff) !== 0) return false;
  const db = mgf1Sha384(h, dbLength);
  for (let i = 0; i < dbLength; i++) db[i]! ^= em[i]!;
  db[0]! &= topMask;
  const padding = dbLength - saltLength - 1;
  for (let i = 0; i < padding; i++) if (db[i] !== 0) return false;
  if (db[padding] !== 0x01) return false;
  const prime = new Uint8Array(8 + HASH_BYTES + saltLength);
  prime.set(sha384(message), 8);
  prime.set(db.subarray(dbLength - saltLength), 8 + HASH_BYTES);
  const expected = sha384(prime);
  let difference = 0;
  for (let i = 0; i < HASH_BYTES; i++) difference |= expected[i]! ^ h[i]!;
  return difference === 0;
}
