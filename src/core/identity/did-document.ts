/**
 * Resolves an Ed25519 did:key to its DID document (did:key spec v0.9, "Document Creation
 * Algorithm"), including the X25519 key-agreement key derived from it.
 *
 * Shape: we emit the spec v0.9 form, byte for byte as its example: `@context` did/v1.1 only, both
 * keys as `Multikey` with `publicKeyMultibase`, the X25519 method embedded in `keyAgreement`
 * (not listed in `verificationMethod`). Other published shapes (2018/2019 and 2020 suites,
 * JsonWebKey2020, keyAgreement by reference) carry the same keys and relations; the tests compare
 * those agreed parts with every shape in the shared vectors.
 *
 * Decisions on forms the specs leave open (tests: did-document.test.ts, "ambiguous"):
 * - A DID URL (`did:key:z6Mk…#z6Mk…`, or with a path or query) is refused with `did-url`: we resolve
 *   DIDs, we do not dereference DID URLs, so a fragment can never pass for an identity.
 * - Did:keys of other key types (X25519 `z6LS…`, secp256k1, P-256) are valid did:keys that a general
 *   resolver may resolve, but nothing in EdgePool can use them as an identity: refused with
 *   `unsupported-key-type`, so every DID-to-key path (resolve, UCAN, ledger) gives the same verdict.
 */
import { base58btc } from "multiformats/bases/base58";
import { concatBytes, x25519PublicKeyFromEd25519 } from "../crypto/index.ts";
import { parseDidKey, type Did, type DidKeyErrorReason } from "./did-key.ts";

export interface VerificationMethod {
  readonly id: string;
  readonly type: "Multikey";
  readonly controller: Did;
  readonly publicKeyMultibase: string;
}

/** Key order is the spec v0.9 example's, so JSON.stringify gives its bytes. */
export interface DidDocument {
  readonly "@context": readonly string[];
  readonly id: Did;
  readonly verificationMethod: readonly VerificationMethod[];
  readonly authentication: readonly string[];
  readonly assertionMethod: readonly string[];
  readonly capabilityDelegation: readonly string[];
  readonly capabilityInvocation: readonly string[];
  readonly keyAgreement: readonly VerificationMethod[];
}

export type ResolveResult = { ok: true; document: DidDocument } | { ok: false; reason: DidKeyErrorReason; message: string };

const X25519_PUB_MULTICODEC = Uint8Array.from([0xec, 0x01]);

/** The multibase (`z6LS…`) of the X25519 key derived from an Ed25519 public key. */
export function x25519Multibase(edPublicKey: Uint8Array): string {
  return base58btc.encode(concatBytes(X25519_PUB_MULTICODEC, x25519PublicKeyFromEd25519(edPublicKey)));
}

export function resolveDidKey(input: unknown): ResolveResult {
  const parsed = parseDidKey(input);
  if (!parsed.ok) return parsed;
  const { did, publicKey } = parsed;
  const edMultibase = did.slice("did:key:".length);
  const signingMethodId = `${did}#${edMultibase}`;
  const agreementMultibase = x25519Multibase(publicKey);
  const method = (id: string, publicKeyMultibase: string): VerificationMethod => ({ id, type: "Multikey", controller: did, publicKeyMultibase });
  return {
    ok: true,
    document: {
      "@context": ["https://www.w3.org/ns/did/v1.1"],
      id: did,
      verificationMethod: [method(signingMethodId, edMultibase)],
      authentication: [signingMethodId],
      assertionMethod: [signingMethodId],
      capabilityDelegation: [signingMethodId],
      capabilityInvocation: [signingMethodId],
      keyAgreement: [method(`${did}#${agreementMultibase}`, agreementMultibase)],
    },
  };
}
