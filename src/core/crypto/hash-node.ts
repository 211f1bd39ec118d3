/** SHA-256 through node:crypto: a private pool hashes every 1-2 KiB envelope it opens (~5 us here, noble ~20-50). */
import { createHash } from "node:crypto";

export function sha256Node(bytes: Uint8Array): Uint8Array {
  const digest = createHash("sha256").update(bytes).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}
