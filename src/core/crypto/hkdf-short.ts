/**
 * HKDF-SHA-256 (RFC 5869) extract and one-block expand over short inputs, on `sha256Short`: HPKE's
 * key schedule runs seven HMACs per lockbox, and a general HMAC spends ~50 us of set-up on each
 * (a 50-member rotation must stay under 50 ms of CPU). Longer inputs go to noble's HKDF.
 */
import { expand, extract } from "@noble/hashes/hkdf.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { SHORT_MESSAGE_MAX, sha256Short } from "./sha256-short.ts";

const BLOCK = 64;
const HASH_LENGTH = 32;

const inner = new Uint8Array(SHORT_MESSAGE_MAX);
const outer = new Uint8Array(BLOCK + HASH_LENGTH);

/** RFC 2104 HMAC-SHA-256 for a key of at most one block and a message that fits one short hash after it. */
function hmacShort(key: Uint8Array, message: Uint8Array): Uint8Array {
  inner.fill(0x36, 0, BLOCK);
  outer.fill(0x5c, 0, BLOCK);
  for (let i = 0; i < key.length; i++) {
    inner[i] = key[i]! ^ 0x36;
    outer[i] = key[i]! ^ 0x5c;
  }
  inner.set(message, BLOCK);
  outer.set(sha256Short(inner.subarray(0, BLOCK + message.length)), BLOCK);
  return sha256Short(outer);
}

const fits = (key: Uint8Array, message: Uint8Array): boolean => key.length <= BLOCK && BLOCK + message.length + 1 <= SHORT_MESSAGE_MAX;

/** HKDF-Extract(salt, ikm); an empty salt is HashLen zero bytes, which HMAC pads the same way. */
export const hkdfExtract = (salt: Uint8Array, ikm: Uint8Array): Uint8Array => (fits(salt, ikm) ? hmacShort(salt, ikm) : extract(nobleSha256, ikm, salt));

/** HKDF-Expand(prk, info, length) for length <= 32 (one block: T(1) = HMAC(prk, info || 0x01)). */
export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (length > HASH_LENGTH || !fits(prk, info)) return expand(nobleSha256, prk, info, length);
  const message = new Uint8Array(info.length + 1);
  message.set(info);
  message[info.length] = 0x01;
  return hmacShort(prk, message).subarray(0, length);
}
