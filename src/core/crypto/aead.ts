/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha): an AEAD with a 24-byte nonce, so random nonces are
 * safe. Pure JS through @noble/ciphers, identical in the browser and Node.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";

export const AEAD_KEY_LENGTH = 32;
export const AEAD_NONCE_LENGTH = 24;
export const AEAD_TAG_LENGTH = 16;

export function assertKeyAndNonce(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== AEAD_KEY_LENGTH) throw new TypeError(`an XChaCha20-Poly1305 key is ${AEAD_KEY_LENGTH} bytes, got ${key.length}`);
  if (nonce.length !== AEAD_NONCE_LENGTH) throw new TypeError(`an XChaCha20-Poly1305 nonce is ${AEAD_NONCE_LENGTH} bytes, got ${nonce.length}`);
}

/** Encrypts and authenticates `plaintext` and `aad`; returns ciphertext || 16-byte tag. */
export function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  assertKeyAndNonce(key, nonce);
  return xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
}

/** Decrypts; undefined when the key is wrong or anything sealed (ciphertext, tag, aad) was altered. */
export function aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
  assertKeyAndNonce(key, nonce);
  if (sealed.length < AEAD_TAG_LENGTH) return undefined;
  try {
    return xchacha20poly1305(key, nonce, aad).decrypt(sealed);
  } catch {
    return undefined;
  }
}

/** XChaCha20-Poly1305 on some platform: the functions above (any platform), or node:crypto's (aead-node.ts); the same bytes. */
export interface Aead {
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined;
}

export const nobleAead: Aead = { seal: aeadSeal, open: aeadOpen };
