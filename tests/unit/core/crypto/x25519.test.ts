import { describe, expect, it } from "vitest";
import { bytesToHex, hexToBytes, x25519PublicKeyFromEd25519, x25519SecretKeyFromEd25519Seed } from "../../../../src/core/crypto/index.ts";
import { readVectors } from "../../../fixtures/vectors.ts";

const pairs = readVectors("didkey-ed25519-x25519.json");

describe("Ed25519 to X25519", () => {
  it("maps every published Ed25519 public key to its published X25519 key (RFC 7748 birational map)", () => {
    for (const v of pairs.vectors) {
      expect(bytesToHex(x25519PublicKeyFromEd25519(hexToBytes(v.ed25519PublicKeyHex))), v.id).toBe(v.x25519PublicKeyHex);
    }
  });

  it("derives the published X25519 secret from each published seed", () => {
    const seeded = pairs.vectors.filter((v: any) => v.x25519PrivateKeyHex);
    expect(seeded.length).toBeGreaterThan(0);
    for (const v of seeded) expect(bytesToHex(x25519SecretKeyFromEd25519Seed(hexToBytes(v.ed25519SeedHex))), v.id).toBe(v.x25519PrivateKeyHex);
  });

  it("refuses input that is not 32 bytes", () => {
    expect(() => x25519PublicKeyFromEd25519(new Uint8Array(31))).toThrow(/32 bytes, got 31/);
    expect(() => x25519SecretKeyFromEd25519Seed(new Uint8Array(33))).toThrow(/32 bytes, got 33/);
  });
});
