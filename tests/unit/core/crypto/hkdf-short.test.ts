import { createHmac, hkdfSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToHex, hexToBytes } from "../../../../src/core/crypto/index.ts";
import { hkdfExpand, hkdfExtract } from "../../../../src/core/crypto/hkdf-short.ts";

describe("HKDF-SHA-256 over short inputs", () => {
  // RFC 5869 appendix A.1 and A.3 (A.3: empty salt and info); T(1) is the first 32 bytes of OKM.
  it("matches RFC 5869's test cases 1 and 3", () => {
    const prk1 = hkdfExtract(hexToBytes("000102030405060708090a0b0c"), new Uint8Array(22).fill(0x0b));
    expect(bytesToHex(prk1)).toBe("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    expect(bytesToHex(hkdfExpand(prk1, hexToBytes("f0f1f2f3f4f5f6f7f8f9"), 32))).toBe("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
    expect(bytesToHex(hkdfExpand(prk1, hexToBytes("f0f1f2f3f4f5f6f7f8f9"), 42))).toBe("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    const prk3 = hkdfExtract(new Uint8Array(0), new Uint8Array(22).fill(0x0b));
    expect(bytesToHex(prk3)).toBe("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
    expect(bytesToHex(hkdfExpand(prk3, new Uint8Array(0), 32))).toBe("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d");
  });

  it("gives node:crypto's HMAC and HKDF for any salt, input and info, short or past the short path", () => {
    // node:crypto's HKDF takes at most 1,024 bytes of info; 1,024 is past the short path (960) already.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 1100 }), fc.uint8Array({ maxLength: 1024 }), fc.integer({ min: 1, max: 64 }), (salt, ikm, info, length) => {
        const prk = hkdfExtract(salt, ikm);
        expect(bytesToHex(prk)).toBe(createHmac("sha256", salt).update(ikm).digest("hex"));
        expect(bytesToHex(hkdfExpand(prk, info, length))).toBe(Buffer.from(hkdfSync("sha256", ikm, salt, info, length)).toString("hex"));
      }),
      { numRuns: 300 },
    );
  });
});
