/**
 * Node's raw deflate (deflate.ts): node:zlib's synchronous calls, ~20x less CPU per envelope than
 * Node's JavaScript web streams. The same zlib as behind Node's CompressionStream: the same bytes,
 * and the same verdicts on a hostile stream (output above the limit, a broken or truncated stream,
 * bytes after its end).
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { Deflater } from "./deflate.ts";
import { bytesOfBuffer } from "../crypto/buffer-node.ts";

export const nodeDeflater: Deflater = {
  deflate: async (bytes) => bytesOfBuffer(deflateRawSync(bytes)),
  async inflate(bytes, limit) {
    try {
      const { buffer, engine } = inflateRawSync(bytes, { maxOutputLength: limit, info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      // zlib stops at the stream's last block and ignores what follows; browsers' DecompressionStream
      // refuses trailing bytes (Compression Streams spec; Chromium checked): so must Node's nodes, or a
      // hostile member's envelope would open here and not in the app.
      if (engine.bytesWritten !== bytes.length) return { ok: false, reason: "malformed", message: `not raw deflate: ${bytes.length - engine.bytesWritten} bytes after the end of the stream` };
      return { ok: true, bytes: bytesOfBuffer(buffer) };
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return { ok: false, reason: "too-large", message: `inflates to more than ${limit} bytes` };
      return { ok: false, reason: "malformed", message: `not raw deflate: ${(error as Error).message}` };
    }
  },
};
