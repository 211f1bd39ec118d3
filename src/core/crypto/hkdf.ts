/** HKDF-SHA-256 (RFC 5869), synchronous, the same in the browser and Node. */
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "./bytes.ts";

/**
 * Derives `length` bytes from a secret under a text label. Each purpose has its own label, so
 * keys for different purposes never coincide even when they come from one secret.
 */
export function hkdfSha256(secret: Uint8Array, label: string, length: number, salt?: Uint8Array): Uint8Array {
  if (secret.length < 16) throw new TypeError(`HKDF input keying material must be at least 16 bytes, got ${secret.length}`);
  return hkdf(nobleSha256, secret, salt, utf8(label), length);
}
