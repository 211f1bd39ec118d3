/**
 * Framing for data channels. SCTP implementations disagree on the largest message they carry
 * (Chromium and libdatachannel negotiate 256 KiB, older stacks 64 KiB or 16 KiB, and some drop a
 * bigger one silently), so every message is cut into chunks of at most 16 KiB of payload, each
 * prefixed by one byte: 1 when more chunks of the same message follow, 0 on the last.
 */
import { concatBytes } from "../crypto/index.ts";

export const CHUNK_PAYLOAD = 16 * 1024;
const MORE = 1;
const LAST = 0;

/** Cuts one message into chunks (an empty message is one chunk holding just the flag). */
export function toChunks(message: Uint8Array, size = CHUNK_PAYLOAD): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  do {
    const end = Math.min(offset + size, message.byteLength);
    const chunk = new Uint8Array(1 + end - offset);
    chunk[0] = end < message.byteLength ? MORE : LAST;
    chunk.set(message.subarray(offset, end), 1);
    chunks.push(chunk);
    offset = end;
  } while (offset < message.byteLength);
  return chunks;
}

export type Reassembled = { ok: true; message: Uint8Array | undefined } | { ok: false; problem: string };

/** Joins chunks back into messages; refuses a message above `maxBytes` (a peer cannot make us hold more). */
export class Reassembler {
  #parts: Uint8Array[] = [];
  #size = 0;

  constructor(private readonly maxBytes: number) {}

  /** Takes one chunk; returns the whole message when this chunk was its last. */
  push(chunk: Uint8Array): Reassembled {
    if (chunk.byteLength === 0 || chunk.byteLength > CHUNK_PAYLOAD + 1) return { ok: false, problem: `a chunk of ${chunk.byteLength} bytes` };
    const flag = chunk[0];
    if (flag !== MORE && flag !== LAST) return { ok: false, problem: `a chunk flag of ${flag}` };
    this.#size += chunk.byteLength - 1;
    if (this.#size > this.maxBytes) return { ok: false, problem: `a message above ${this.maxBytes} bytes` };
    this.#parts.push(chunk.subarray(1));
    if (flag === MORE) return { ok: true, message: undefined };
    const message = this.#parts.length === 1 ? this.#parts[0]! : concatBytes(...this.#parts);
    this.#parts = [];
    this.#size = 0;
    return { ok: true, message };
  }
}
