import { describe, expect, it } from "vitest";
import { bytesToHex, hexToBytes, nobleAead, utf8, type Aead } from "../../../../src/core/crypto/index.ts";
import { nodeAead } from "../../../../src/core/crypto/aead-node.ts";

// draft-irtf-cfrg-xchacha-03, appendix A.3.1 (AEAD_XChaCha20_Poly1305 test vector).
const vector = {
  key: hexToBytes("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"),
  nonce: hexToBytes("404142434445464748494a4b4c4d4e4f5051525354555657"),
  aad: hexToBytes("50515253c0c1c2c3c4c5c6c7"),
  plaintext: utf8("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."),
  sealed:
    "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e" +
    "c0875924c1c7987947deafd8780acf49",
};

// noble's (browsers) and node:crypto's (Node's nodes) must be the same cipher.
describe.each<[string, Aead]>([
  ["noble", nobleAead],
  ["node:crypto", nodeAead],
])("XChaCha20-Poly1305 through %s", (_, { seal: aeadSeal, open: aeadOpen }) => {
  it("matches the draft-irtf-cfrg-xchacha test vector both ways", () => {
    const sealed = aeadSeal(vector.key, vector.nonce, vector.plaintext, vector.aad);
    expect(bytesToHex(sealed)).toBe(vector.sealed);
    expect(aeadOpen(vector.key, vector.nonce, sealed, vector.aad)).toEqual(vector.plaintext);
  });

  it("refuses to open when one bit of the ciphertext, tag, aad or key changes, or the input is shorter than a tag", () => {
    const sealed = hexToBytes(vector.sealed);
    const flip = (bytes: Uint8Array, i: number) => {
      const copy = bytes.slice();
      copy[i]! ^= 1;
      return copy;
    };
    expect(aeadOpen(vector.key, vector.nonce, flip(sealed, 0), vector.aad)).toBeUndefined();
    expect(aeadOpen(vector.key, vector.nonce, flip(sealed, sealed.length - 1), vector.aad)).toBeUndefined();
    expect(aeadOpen(vector.key, vector.nonce, sealed, flip(vector.aad, 3))).toBeUndefined();
    expect(aeadOpen(flip(vector.key, 31), vector.nonce, sealed, vector.aad)).toBeUndefined();
    expect(aeadOpen(vector.key, vector.nonce, sealed.slice(0, 15), vector.aad)).toBeUndefined();
  });

  it("throws on a key or nonce of the wrong length (a programmer error)", () => {
    expect(() => aeadSeal(new Uint8Array(16), vector.nonce, vector.plaintext, vector.aad)).toThrow(/key is 32 bytes, got 16/);
    expect(() => aeadOpen(vector.key, new Uint8Array(12), hexToBytes(vector.sealed), vector.aad)).toThrow(/nonce is 24 bytes, got 12/);
  });
});
