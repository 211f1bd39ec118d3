import { describe, expect, it } from "vitest";
import { CHUNK_PAYLOAD, Reassembler, toChunks } from "../../../../src/core/net/chunks.ts";

describe("data channel chunks", () => {
  it("cuts a message into 16 KiB chunks with a more-follows flag and joins them back", () => {
    const message = Uint8Array.from({ length: 3 * CHUNK_PAYLOAD + 5 }, (_, i) => i % 251);
    const chunks = toChunks(message);
    expect(chunks.map((c) => [c[0], c.byteLength])).toEqual([[1, CHUNK_PAYLOAD + 1], [1, CHUNK_PAYLOAD + 1], [1, CHUNK_PAYLOAD + 1], [0, 6]]);
    const r = new Reassembler(1 << 20);
    const results = chunks.map((c) => r.push(c));
    expect(results.slice(0, 3).every((x) => x.ok && x.message === undefined)).toBe(true);
    expect(results[3]).toEqual({ ok: true, message });
  });

  it("sends an empty message as one chunk", () => {
    expect(toChunks(new Uint8Array(0))).toEqual([new Uint8Array([0])]);
    expect(new Reassembler(10).push(new Uint8Array([0]))).toEqual({ ok: true, message: new Uint8Array(0) });
  });

  it("refuses a message above the limit, a bad flag and an oversized chunk", () => {
    const r = new Reassembler(CHUNK_PAYLOAD);
    expect(r.push(toChunks(new Uint8Array(CHUNK_PAYLOAD + 1))[0]!).ok).toBe(true);
    expect(r.push(new Uint8Array([1, 2]))).toMatchObject({ ok: false });
    expect(new Reassembler(100).push(new Uint8Array([7, 1]))).toMatchObject({ ok: false });
    expect(new Reassembler(1 << 20).push(new Uint8Array(CHUNK_PAYLOAD + 2))).toMatchObject({ ok: false });
    expect(new Reassembler(100).push(new Uint8Array(0))).toMatchObject({ ok: false });
  });
});
