/** SHA-256 through node:crypto: a private pool hashes every 1-2 KiB envelope it opens (~5 us here, noble ~20-50). */
import { createHash } from "node:crypto";
import { bytesOfBuffer } from "./buffer-node.ts";

export function sha256Node(bytes: Uint8Array): Uint8Array {
  return bytesOfBuffer(createHash("sha256").update(bytes).digest());
}
