import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToHex, hexToBytes } from "../../../../src/core/crypto/index.ts";

describe("bytesToHex", () => {
  it("writes lowercase hex, two digits a byte, as Node's Buffer does, for short inputs (one string at once) and long ones", () => {
    expect(bytesToHex(new Uint8Array([0x00, 0x0f, 0xa0, 0xff]))).toBe("000fa0ff");
    expect(bytesToHex(new Uint8Array(0))).toBe("");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const hex = bytesToHex(bytes);
        expect(hex).toBe(Buffer.from(bytes).toString("hex"));
        expect(hexToBytes(hex)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });
});
