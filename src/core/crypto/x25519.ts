/**
 * Ed25519 -> X25519 conversion (the birational map of RFC 7748 section 4.1, u = (1 + y) / (1 - y)
 * mod p), so an Ed25519 did:key also names a key-agreement key (did:key spec, "Encryption Method
 * Creation Algorithm"). Pure JS through @noble/curves: identical in the browser and Node.
 */
import { ed25519 } from "@noble/curves/ed25519.js";

function assertLength(bytes: Uint8Array, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw new TypeError(`${what} must be 32 bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
  }
}

/**
 * The X25519 public key (Montgomery u) of an Ed25519 public key. The caller passes a key that has
 * already passed `checkPublicKey` (did:key parsing does it): for a small-order or non-canonical
 * point the map gives a key no one can agree with, and noble throws on off-curve bytes.
 */
export function x25519PublicKeyFromEd25519(edPublicKey: Uint8Array): Uint8Array {
  assertLength(edPublicKey, "an Ed25519 public key");
  return ed25519.utils.toMontgomery(edPublicKey);
}

/**
 * The X25519 secret scalar that matches `x25519PublicKeyFromEd25519(publicKeyFromSeed(seed))`:
 * the clamped first half of SHA-512(seed), as Ed25519 itself derives its scalar (RFC 8032 5.1.5).
 * Private pools use it to open HPKE lockboxes addressed to a member's DID.
 */
export function x25519SecretKeyFromEd25519Seed(seed: Uint8Array): Uint8Array {
  assertLength(seed, "an Ed25519 seed");
  return ed25519.utils.toMontgomerySecret(seed);
}
