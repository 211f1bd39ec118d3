import { sha256 as nobleSha256, sha512 as nobleSha512 } from "@noble/hashes/sha2.js";

/** SHA-256, synchronous, the same in the browser and Node. */
export const sha256 = (bytes: Uint8Array): Uint8Array => nobleSha256(bytes);
export const sha512 = (bytes: Uint8Array): Uint8Array => nobleSha512(bytes);
