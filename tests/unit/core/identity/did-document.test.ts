import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { base58btc } from "multiformats/bases/base58";
import { base64url } from "multiformats/bases/base64";
import { resolveDidKey, type DidDocument } from "../../../../src/core/identity/did-document.ts";
import { parseDidKey, didFromPublicKey, type DidKeyErrorReason } from "../../../../src/core/identity/did-key.ts";
import { publicKeyFromSeed, bytesToHex, hexToBytes, x25519PublicKeyFromEd25519 } from "../../../../src/core/crypto/index.ts";
import { readVectors } from "../../../fixtures/vectors.ts";
import { alice } from "../../../fixtures/identities.ts";

const pairs = readVectors("didkey-ed25519-x25519.json");
const documents = readVectors("didkey-documents.json");
const invalid = readVectors("didkey-invalid.json");

function resolved(did: string): DidDocument {
  const result = resolveDidKey(did);
  if (!result.ok) throw new Error(`${did} did not resolve: ${result.message}`);
  return result.document;
}

/** The key bytes of a verification method in any published shape (2018/2020 suites, Multikey, JWK). */
function keyBytes(method: any): string {
  if (method.publicKeyBase58) return bytesToHex(base58btc.baseDecode(method.publicKeyBase58));
  if (method.publicKeyMultibase) return bytesToHex(base58btc.decode(method.publicKeyMultibase).slice(2));
  if (method.publicKeyJwk) return bytesToHex(base64url.baseDecode(method.publicKeyJwk.x));
  throw new Error(`no key in ${JSON.stringify(method)}`);
}

/** What every published shape agrees on: ids, controller, keys, and which method serves which relation. */
function agreedParts(doc: any) {
  const methods = [...doc.verificationMethod, ...(doc.keyAgreement ?? []).filter((m: unknown) => typeof m === "object")];
  const byId = (ref: any) => (typeof ref === "string" ? methods.find((m) => m.id === ref) : ref);
  const describe = (m: any) => ({ id: m.id, controller: m.controller, key: keyBytes(m) });
  const signing = doc.verificationMethod[0];
  return {
    id: doc.id,
    signing: describe(signing),
    relations: ["authentication", "assertionMethod", "capabilityDelegation", "capabilityInvocation"].map((r) => doc[r]),
    keyAgreement: doc.keyAgreement?.map((ref: any) => describe(byId(ref))),
  };
}

describe("resolving an Ed25519 did:key", () => {
  it("gives the spec v0.9 example document byte for byte (the shape we emit)", () => {
    const example = documents.vectors.find((d: any) => d.id === "spec-v0.9-create-example");
    expect(JSON.stringify(resolved(example.did))).toBe(JSON.stringify(example.didDocument));
  });

  it("agrees with every published document shape on ids, keys and relations", () => {
    expect(documents.vectors.length).toBe(13);
    for (const vector of documents.vectors) {
      const theirs = agreedParts(vector.didDocument);
      const ours = agreedParts(resolved(vector.did));
      if (theirs.keyAgreement === undefined) ours.keyAgreement = undefined; // web5 without encryption-key derivation
      expect(ours, vector.id).toEqual(theirs);
    }
  });

  it("derives the published X25519 key-agreement key for every vector, and decodes to the Ed25519 key", () => {
    expect(pairs.vectors.length).toBe(12);
    for (const v of pairs.vectors) {
      const doc = resolved(v.did);
      expect(doc.keyAgreement, v.id).toEqual([{ id: v.keyAgreementId, type: "Multikey", controller: v.did, publicKeyMultibase: v.x25519Multibase }]);
      const parsed = parseDidKey(v.did);
      expect(parsed.ok && bytesToHex(parsed.publicKey)).toBe(v.ed25519PublicKeyHex);
    }
  });

  it("gives the vector's DID when an identity is created from its seed", () => {
    const seeded = pairs.vectors.filter((v: any) => v.ed25519SeedHex);
    expect(seeded.length).toBe(5);
    for (const v of seeded) expect(didFromPublicKey(publicKeyFromSeed(hexToBytes(v.ed25519SeedHex)))).toBe(v.did);
  });

  it("resolves alice's DID to a document whose every reference names a method it lists", () => {
    const doc = resolved(alice.did);
    const ids = new Set([...doc.verificationMethod, ...doc.keyAgreement].map((m) => m.id));
    for (const ref of [...doc.authentication, ...doc.assertionMethod, ...doc.capabilityDelegation, ...doc.capabilityInvocation]) expect(ids).toContain(ref);
  });
});

describe("properties", () => {
  it("resolves every generated identity to a document naming its own key and the key's X25519 map", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const publicKey = publicKeyFromSeed(seed);
        const doc = resolved(didFromPublicKey(publicKey));
        expect(keyBytes(doc.verificationMethod[0])).toBe(bytesToHex(publicKey));
        expect(keyBytes(doc.keyAgreement[0])).toBe(bytesToHex(x25519PublicKeyFromEd25519(publicKey)));
      }),
      { numRuns: 50 },
    );
  });

  it("never throws on arbitrary input, and refuses every string that is not a did:key:z…", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (input) => {
        const result = resolveDidKey(input);
        if (typeof input !== "string" || !input.startsWith("did:key:z")) expect(result.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe("refusing invalid did:keys", () => {
  // Our reason for each published invalid DID; the vector's specError is the spec's name for it.
  const expected: Record<string, DidKeyErrorReason> = {
    "ts-scheme-not-did": "invalid-did",
    "ts-method-not-key": "method-not-supported",
    "ts-version-negative": "invalid-did",
    "ts-multibase-not-z": "invalid-multibase",
    "ts-at-sign": "invalid-multibase",
    "ts-key-too-short": "invalid-key-length",
    "ts-key-too-long": "unsupported-key-type", // decodes to multicodec 0x01, not ed25519-pub (see the vector's note)
    "web5-no-method": "invalid-did",
    "web5-not-multibase": "invalid-multibase",
    "web5-other-method": "method-not-supported",
    "ucan-bad-base58-plus": "invalid-base58",
    "ucan-empty-string": "invalid-did",
    "multicodec-secp256k1": "unsupported-key-type",
    "multicodec-p256": "unsupported-key-type",
  };

  it("refuses every published invalid DID with its reason and a message", () => {
    expect(invalid.invalid.map((v: any) => v.id).sort()).toEqual(Object.keys(expected).sort());
    for (const v of invalid.invalid) {
      const result = resolveDidKey(v.did);
      expect(result.ok, v.id).toBe(false);
      if (!result.ok) {
        expect(result.reason, v.id).toBe(expected[v.id]);
        expect(result.message.length, v.id).toBeGreaterThan(10);
      }
    }
  });

  it("refuses the ambiguous forms as decided: DID URLs are not DIDs, an X25519 did:key cannot sign", () => {
    const decided: Record<string, DidKeyErrorReason> = {
      "did-url-with-fragment": "did-url",
      "did-url-junk-path": "did-url",
      "x25519-did-key": "unsupported-key-type",
    };
    expect(invalid.ambiguous.map((v: any) => v.id).sort()).toEqual(Object.keys(decided).sort());
    for (const v of invalid.ambiguous) {
      const result = resolveDidKey(v.did);
      expect(result.ok ? "resolved" : result.reason, v.id).toBe(decided[v.id]);
    }
    const x25519 = resolveDidKey("did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F");
    expect(!x25519.ok && x25519.message).toMatch(/X25519.*cannot sign/);
  });

  it("refuses a well-formed did:key whose key is a small-order point", () => {
    const identityPoint = new Uint8Array(32);
    identityPoint[0] = 1;
    const result = resolveDidKey(didFromPublicKey(identityPoint));
    expect(result.ok ? "resolved" : result.reason).toBe("invalid-public-key");
  });

  it("refuses non-strings and absurdly long input without decoding it", () => {
    expect(resolveDidKey(42).ok).toBe(false);
    expect(resolveDidKey(undefined).ok).toBe(false);
    const long = resolveDidKey("did:key:z" + "1".repeat(100_000));
    expect(long.ok ? "resolved" : long.reason).toBe("invalid-did");
  });
});
