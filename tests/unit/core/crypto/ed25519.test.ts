import { afterEach, describe, expect, it } from "vitest";
import { verify, signWithSeed, seedSigningKey, publicKeyFromSeed, useBackend, type BackendName } from "../../../../src/core/crypto/ed25519.ts";
import { readVectors as vectors } from "../../../fixtures/vectors.ts";
import { bytesToHex, hexToBytes } from "../../../../src/core/crypto/bytes.ts";

const rfc8032 = vectors("ed25519-rfc8032.json");
const speccheck = vectors("ed25519-speccheck.json");
const wycheproof = vectors("wycheproof/ed25519_test.json");

const backends: BackendName[] = ["webcrypto", "noble"];
afterEach(() => useBackend(undefined));

describe.each(backends)("Ed25519 through the %s backend", (backend) => {
  it("derives RFC 8032 public keys and byte-exact signatures, and verifies them", async () => {
    useBackend(backend);
    expect(rfc8032.vectors.length).toBeGreaterThan(0);
    for (const v of rfc8032.vectors) {
      const seed = hexToBytes(v.secretKeyHex);
      expect(bytesToHex(publicKeyFromSeed(seed))).toBe(v.publicKeyHex);
      const sig = await signWithSeed(seed, hexToBytes(v.messageHex));
      expect(bytesToHex(sig)).toBe(v.signatureHex);
      expect(await verify(hexToBytes(v.publicKeyHex), hexToBytes(v.messageHex), sig)).toEqual({ ok: true });
    }
  });

  it("signs RFC 8032 messages byte-exactly through a reusable seed signing key", async () => {
    useBackend(backend);
    for (const v of rfc8032.vectors) {
      const key = seedSigningKey(hexToBytes(v.secretKeyHex));
      expect(bytesToHex(key.publicKey)).toBe(v.publicKeyHex);
      for (let i = 0; i < 2; i++) expect(bytesToHex(await key.sign(hexToBytes(v.messageHex)))).toBe(v.signatureHex);
    }
  });

  it("agrees with Wycheproof on every case", async () => {
    useBackend(backend);
    let count = 0;
    for (const group of wycheproof.testGroups) {
      const pk = hexToBytes(group.publicKey?.pk ?? group.key.pk);
      for (const t of group.tests) {
        const result = await verify(pk, hexToBytes(t.msg), hexToBytes(t.sig));
        expect.soft(result.ok, `tcId ${t.tcId}: ${t.comment}`).toBe(t.result === "valid");
        count++;
      }
    }
    expect(count).toBeGreaterThan(100);
  });
});

describe("the signature rule", () => {
  it("gives the same verdict on every ed25519-speccheck case through every backend", async () => {
    const verdicts: Record<string, string> = {};
    for (const backend of backends) {
      useBackend(backend);
      let line = "";
      for (const v of speccheck.vectors) {
        const r = await verify(hexToBytes(v.pub_key), hexToBytes(v.message), hexToBytes(v.signature));
        line += r.ok ? "V" : "X";
      }
      verdicts[backend] = line;
    }
    expect(verdicts.noble).toBe(verdicts.webcrypto);
    // Only the cases with a canonical S, prime-order A and R and a valid cofactorless equation pass.
    expect(verdicts.webcrypto).toBe(EXPECTED_SPECCHECK);
  });

  it("names the part of the rule a crafted signature breaks", async () => {
    const small = speccheck.vectors[0];
    expect(await verify(hexToBytes(small.pub_key), hexToBytes(small.message), hexToBytes(small.signature))).toEqual({ ok: false, reason: "a-small-order" });
    const v = rfc8032.vectors[0];
    const sig = hexToBytes(v.signatureHex);
    const malleated = addL(sig);
    expect(await verify(hexToBytes(v.publicKeyHex), hexToBytes(v.messageHex), malleated)).toEqual({ ok: false, reason: "s-not-canonical" });
    expect(await verify(hexToBytes(v.publicKeyHex), hexToBytes(v.messageHex), sig.subarray(0, 63))).toEqual({ ok: false, reason: "wrong-length" });
  });
});

const EXPECTED_SPECCHECK = "XXXXXXXXXXXX";

/** S + L: the classic malleation a verifier without the S < L check accepts. */
function addL(sig: Uint8Array): Uint8Array {
  const out = sig.slice();
  let l = 0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3edn;
  let carry = 0;
  for (let i = 32; i < 64; i++) {
    const sum = out[i]! + Number(l & 0xffn) + carry;
    out[i] = sum & 0xff;
    carry = sum >> 8;
    l >>= 8n;
  }
  return out;
}
