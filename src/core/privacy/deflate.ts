/**
 * Raw deflate through CompressionStream (browsers and Node 20), and an inflate that stops at a
 * limit: a sealed batch comes from a member, but a member can be hostile, and a few KiB of deflate
 * can expand to gigabytes. Node's nodes use deflate-node.ts instead (same bytes, same verdicts):
 * Node's web streams are written in JavaScript and cost ~0.5 ms of CPU per envelope.
 */

export type InflateResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too-large" | "malformed"; message: string };

/** A platform's raw deflate; `inflate` refuses more than `limit` bytes of output. */
export interface Deflater {
  deflate(bytes: Uint8Array): Promise<Uint8Array>;
  inflate(bytes: Uint8Array, limit: number): Promise<InflateResult>;
}

const through = (bytes: Uint8Array, transform: CompressionStream | DecompressionStream): ReadableStream<Uint8Array> =>
  new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform);

export async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(through(bytes, new CompressionStream("deflate-raw"))).arrayBuffer());
}

/**
 * Inflates at most `limit` bytes; more, a broken stream, or bytes after its end is a typed failure.
 * Browsers' DecompressionStream refuses trailing bytes (Compression Streams spec; Chromium checked)
 * but Node's ignores them, as node:zlib does (deflate-node.ts checks them itself): where the
 * platform ignores them, a stream that still inflates without its last byte had bytes after its
 * end, since a deflate stream's last byte always holds bits of its final block. Otherwise a hostile
 * member's envelope would open on some platforms and not on others.
 */
export async function inflate(bytes: Uint8Array, limit: number): Promise<InflateResult> {
  const inflated = await inflateStream(bytes, limit);
  if (!inflated.ok || (await refusesTrailingBytes())) return inflated;
  const shorter = await inflateStream(bytes.subarray(0, bytes.length - 1), limit);
  return shorter.ok ? { ok: false, reason: "malformed", message: "not raw deflate: bytes after the end of the stream" } : inflated;
}

// The empty input's raw deflate (one empty final block, 03 00) and one byte after it.
const EMPTY_STREAM_AND_ONE_BYTE = Uint8Array.of(0x03, 0x00, 0x00);
let probed: Promise<boolean> | undefined;
const refusesTrailingBytes = (): Promise<boolean> => (probed ??= inflateStream(EMPTY_STREAM_AND_ONE_BYTE, 1).then((result) => !result.ok));

async function inflateStream(bytes: Uint8Array, limit: number): Promise<InflateResult> {
  const reader = through(bytes, new DecompressionStream("deflate-raw")).getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel();
        return { ok: false, reason: "too-large", message: `inflates to more than ${limit} bytes` };
      }
      parts.push(value);
    }
  } catch (error) {
    return { ok: false, reason: "malformed", message: `not raw deflate: ${(error as Error).message}` };
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return { ok: true, bytes: out };
}

export const streamDeflater: Deflater = { deflate, inflate };
