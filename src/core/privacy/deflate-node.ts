/**
 * Node's raw deflate (deflate.ts): node:zlib's synchronous calls, ~20x less CPU per envelope than
 * Node's JavaScript web streams. The same zlib as behind Node's CompressionStream: the same bytes,
 * and the same verdicts on a hostile stream (output above the limit, a broken or truncated stream).
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { Deflater } from "./deflate.ts";

const view = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);

export const nodeDeflater: Deflater = {
  deflate: async (bytes) => view(deflateRawSync(bytes)),
  async inflate(bytes, limit) {
    try {
      return { ok: true, bytes: view(inflateRawSync(bytes, { maxOutputLength: limit })) };
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return { ok: false, reason: "too-large", message: `inflates to more than ${limit} bytes` };
      return { ok: false, reason: "malformed", message: `not raw deflate: ${(error as Error).message}` };
    }
  },
};
