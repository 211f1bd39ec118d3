import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hexToBytes, parseRsaSpki, sha256, verifyRsaPssSha384 as portable } from "../../../../src/core/crypto/index.ts";
import { verifyRsaPssSha384Node } from "../../../../src/core/crypto/rsa-pss-node.ts";

const rfc = JSON.parse(readFileSync(new URL("../../../fixtures/privacypass-rfc9578.json", import.meta.url), "utf8")) as {
  vectors: { pkS: string; token_challenge: string; nonce: string; token: string }[];
};

// The fold's portable verify and node:crypto's, which Node's composition roots use: same answers.
describe.each([
  ["the portable BigInt verify", portable],
  ["node:crypto", verifyRsaPssSha384Node],
])("RSASSA-PSS-SHA384 verification with %s", (_, verifyRsaPssSha384) => {
  it("verifies the authenticators of RFC 9578's type-2 test tokens", () => {
    for (const vector of rfc.vectors) {
      const spki = hexToBytes(vector.pkS);
      const parsed = parseRsaSpki(spki);
      if (!parsed.ok) throw new Error(parsed.message);
      expect(parsed.key.bits).toBe(2048);
      const token = hexToBytes(vector.token);
      expect(token.subarray(2, 34)).toEqual(hexToBytes(vector.nonce));
      expect(token.subarray(34, 66)).toEqual(sha256(hexToBytes(vector.token_challenge)));
      expect(token.subarray(66, 98)).toEqual(sha256(spki));
      expect(verifyRsaPssSha384(parsed.key, token.subarray(0, 98), token.subarray(98))).toBe(true);
      const flipped = Uint8Array.from(token);
      flipped[40]! ^= 1;
      expect(verifyRsaPssSha384(parsed.key, flipped.subarray(0, 98), flipped.subarray(98))).toBe(false);
    }
  });

  it("agrees with WebCrypto's RSA-PSS signatures at 2048 and 3072 bits, and refuses tampered ones", async () => {
    for (const modulusLength of [2048, 3072]) {
      const pair = await webcrypto.subtle.generateKey({ name: "RSA-PSS", modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-384" }, true, ["sign", "verify"]);
      const parsed = parseRsaSpki(new Uint8Array(await webcrypto.subtle.exportKey("spki", pair.publicKey)));
      if (!parsed.ok) throw new Error(parsed.message);
      for (const length of [0, 1, 98, 1000]) {
        const message = webcrypto.getRandomValues(new Uint8Array(length));
        const signature = new Uint8Array(await webcrypto.subtle.sign({ name: "RSA-PSS", saltLength: 48 }, pair.privateKey, message));
        expect(verifyRsaPssSha384(parsed.key, message, signature)).toBe(true);
        const tampered = Uint8Array.from(signature);
        tampered[signature.length - 1]! ^= 0x80;
        expect(verifyRsaPssSha384(parsed.key, message, tampered)).toBe(false);
        expect(verifyRsaPssSha384(parsed.key, new Uint8Array([...message, 0]), signature)).toBe(false);
        // Another salt length is another scheme: refused.
        expect(verifyRsaPssSha384(parsed.key, message, signature, 32)).toBe(false);
      }
    }
  });

  it("refuses signatures of the wrong length or not below the modulus", () => {
    const parsed = parseRsaSpki(hexToBytes(rfc.vectors[0]!.pkS));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(verifyRsaPssSha384(parsed.key, new Uint8Array(1), new Uint8Array(255))).toBe(false);
    expect(verifyRsaPssSha384(parsed.key, new Uint8Array(1), new Uint8Array(256).fill(0xff))).toBe(false);
  });

  it("refuses keys that are not well-formed RSA SubjectPublicKeyInfo", () => {
    const good = hexToBytes(rfc.vectors[0]!.pkS);
    for (const bad of [new Uint8Array(0), new Uint8Array([0x30, 0x82, 0xff, 0xff]), good.subarray(0, good.length - 1), Uint8Array.from([...good, 0])]) {
      expect(parseRsaSpki(bad).ok).toBe(false);
    }
  });
});
