import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 as nobleSha256, sha512 as nobleSha512 } from "@noble/hashes/sha2.js";
import { toArrayBufferBytes } from "./bytes.ts";
import { SHORT_MESSAGE_MAX, sha256Short } from "./sha256-short.ts";

/** SHA-256, synchronous, the same in the browser and Node; short messages skip noble's per-call set-up. */
export function sha256(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`sha256 expects a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  return bytes.length <= SHORT_MESSAGE_MAX ? sha256Short(bytes) : nobleSha256(bytes);
}
export const sha512 = (bytes: Uint8Array): Uint8Array => nobleSha512(bytes);

/**
 * SHA-256 off the calling thread where the platform can: WebCrypto's digest runs on Node's thread
 * pool and off a page's main thread (noble took ~0.5 s on the main thread for an 8 MiB module
 * here). For large inputs; a few bytes hash faster with `sha256`.
 */
export async function sha256Async(bytes: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return sha256(bytes);
  const view = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : toArrayBufferBytes(bytes);
  return new Uint8Array(await subtle.digest("SHA-256", view));
}

/**
 * SHA-256 of `prefix || suffix` for many suffixes: the prefix is absorbed once and its state
 * cloned per call, which is what a proof-of-work search needs (~15% faster than hashing whole).
 */
export function sha256WithPrefix(prefix: Uint8Array): (suffix: Uint8Array) => Uint8Array {
  const absorbed = nobleSha256.create().update(prefix);
  return (suffix) => absorbed.clone().update(suffix).digest();
}

/**
 * HMAC-SHA1 (RFC 2104). Only for interoperability: coturn's shared-secret TURN credentials
 * ("TURN REST API") are defined with it, and the TURN server computes the same value.
 */
export const hmacSha1 = (key: Uint8Array, message: Uint8Array): Uint8Array => hmac(sha1, key, message);
