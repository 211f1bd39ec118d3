import { describe, expect, it } from "vitest";
import { didFromPublicKey, parseDidKey, publicKeyOfDid } from "../../../../src/core/identity/did-key.ts";
import { bytesToHex, hexToBytes } from "../../../../src/core/crypto/index.ts";
import { readVectors } from "../../../fixtures/vectors.ts";

const pairs = readVectors("didkey-ed25519-x25519.json");
const invalid = readVectors("didkey-invalid.json");

describe("the did:key codec", () => {
  it("encodes each published Ed25519 key to its published DID and parses it back", () => {
    for (const v of pairs.vectors) {
      expect(didFromPublicKey(hexToBytes(v.ed25519PublicKeyHex)), v.id).toBe(v.did);
      expect(bytesToHex(publicKeyOfDid(v.did)), v.id).toBe(v.ed25519PublicKeyHex);
    }
  });

  it("refuses every published invalid and ambiguous DID on both DID-to-key paths", () => {
    for (const v of [...invalid.invalid, ...invalid.ambiguous]) {
      const parsed = parseDidKey(v.did);
      expect(parsed.ok, v.id).toBe(false);
      expect(() => publicKeyOfDid(v.did), v.id).toThrow(TypeError);
    }
  });

  it("names a DID URL as such instead of calling '#' bad base58", () => {
    const parsed = parseDidKey(`${pairs.vectors[0].did}#key-1`);
    expect(!parsed.ok && parsed.message).toMatch(/DID URL/);
  });
});
