import { sha256 as nobleSha256, sha512 as nobleSha512 } from "@noble/hashes/sha2.js";

/** SHA-256, synchronous, the same in the browser and Node. */
export const sha256 = (bytes: Uint8Array): Uint8Array => nobleSha256(bytes);
export const sha512 = (bytes: Uint8Array): Uint8Array => nobleSha512(bytes);

/**
 * SHA-256 of `prefix || suffix` for many suffixes: the prefix is absorbed once and its state
 * cloned per call, which is what a proof-of-work search needs (~15% faster than hashing whole).
 */
export function sha256WithPrefix(prefix: Uint8Array): (suffix: Uint8Array) => Uint8Array {
  const absorbed = nobleSha256.create().update(prefix);
  return (suffix) => absorbed.clone().update(suffix).digest();
}
