import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToHex, sha256, utf8 } from "../../../../src/core/crypto/index.ts";
import { SHORT_MESSAGE_MAX, sha256Short } from "../../../../src/core/crypto/sha256-short.ts";

const reference = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

describe("SHA-256", () => {
  // FIPS 180-2 appendix B (B.1, B.2, B.3) and the empty message (NIST CSRC examples).
  it("matches the FIPS 180-2 examples", () => {
    expect(bytesToHex(sha256(utf8("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(bytesToHex(sha256(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    expect(bytesToHex(sha256(new Uint8Array(1_000_000).fill(0x61)))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    expect(bytesToHex(sha256(new Uint8Array(0)))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("gives node:crypto's digest at every padding boundary of the short path and past it", () => {
    for (const length of [0, 1, 47, 48, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, SHORT_MESSAGE_MAX - 1, SHORT_MESSAGE_MAX, SHORT_MESSAGE_MAX + 1]) {
      const message = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
      expect(bytesToHex(sha256(message)), `length ${length}`).toBe(reference(message));
    }
  });

  it("gives node:crypto's digest for any message, including views into a larger buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: SHORT_MESSAGE_MAX + 200 }), fc.nat(16), (bytes, skip) => {
        const view = bytes.subarray(Math.min(skip, bytes.length));
        expect(bytesToHex(sha256(view))).toBe(reference(view));
      }),
      { numRuns: 300 },
    );
  });

  it("leaves nothing behind between calls: a long message, then a short one, hashes as the short one alone", () => {
    const short = utf8("abc");
    sha256Short(new Uint8Array(SHORT_MESSAGE_MAX).fill(0xff));
    expect(bytesToHex(sha256Short(short))).toBe(reference(short));
  });

  it("refuses what is not bytes, and the short path refuses a message longer than it handles", () => {
    expect(() => sha256("abc" as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => sha256([1, 2, 3] as unknown as Uint8Array)).toThrow(/Uint8Array/);
    expect(() => sha256Short(new Uint8Array(SHORT_MESSAGE_MAX + 1))).toThrow(RangeError);
  });
});
