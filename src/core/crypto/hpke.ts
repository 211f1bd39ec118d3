/**
 * HPKE base mode (RFC 9180) with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-256-GCM, through
 * @hpke/core (WebCrypto). Private pools wrap epoch keys for each member with it (lockboxes), and
 * members publish the X25519 key it needs (`kex`): a non-extractable WebCrypto Ed25519 key cannot be
 * turned into X25519, so the key-agreement key is its own key pair.
 */
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { x25519 } from "@noble/curves/ed25519.js";
import { concatBytes, toArrayBufferBytes } from "./bytes.ts";
import { hkdfSha256 } from "./hkdf.ts";

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });

export const X25519_KEY_LENGTH = 32;
/** enc (the sender's ephemeral X25519 key) comes first in a sealed message. */
export const HPKE_ENC_LENGTH = 32;
export const HPKE_TAG_LENGTH = 16;

export interface KexKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** The key pair of a 32-byte X25519 secret (any 32 bytes; X25519 clamps them). */
export function kexKeyPairFromSecret(secretKey: Uint8Array): KexKeyPair {
  if (secretKey.length !== X25519_KEY_LENGTH) throw new TypeError(`an X25519 secret key is 32 bytes, got ${secretKey.length}`);
  return { publicKey: x25519.getPublicKey(secretKey), secretKey };
}

/** A key-agreement key pair derived from a seed under a label (a CLI node's seed, an invite's fragment secret). */
export const kexKeyPairFromSeed = (seed: Uint8Array, label: string): KexKeyPair => kexKeyPairFromSecret(hkdfSha256(seed, label, X25519_KEY_LENGTH));

// Any clamped scalar is a multiple of the cofactor 8, so it sends every point of order 1, 2, 4 or 8
// to the all-zero output: the test works for the whole low-order set (RFC 7748 section 6.1).
const PROBE_SCALAR = new Uint8Array(32).fill(0x55);

/**
 * Whether an X25519 public key is unusable: wrong length, or of low order (every shared secret
 * with it is all zeros, so whatever is "encrypted" to it is readable by anyone).
 */
export function isWeakX25519Key(publicKey: unknown): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== X25519_KEY_LENGTH) return true;
  try {
    return x25519.getSharedSecret(PROBE_SCALAR, publicKey).every((b) => b === 0);
  } catch {
    // noble refuses an all-zero result itself.
    return true;
  }
}

/** Seals `plaintext` to `recipient` (X25519 public key); `info` binds the context. Returns enc || ciphertext. */
export async function hpkeSeal(recipient: Uint8Array, info: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const recipientPublicKey = await suite.kem.deserializePublicKey(toArrayBufferBytes(recipient).buffer);
  const { enc, ct } = await suite.seal({ recipientPublicKey, info: toArrayBufferBytes(info).buffer }, toArrayBufferBytes(plaintext).buffer);
  return concatBytes(new Uint8Array(enc), new Uint8Array(ct));
}

/** Opens what `hpkeSeal` made; undefined when it was not sealed to this key under this `info`, or was altered. */
export async function hpkeOpen(secretKey: Uint8Array, info: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | undefined> {
  if (sealed.length < HPKE_ENC_LENGTH + HPKE_TAG_LENGTH) return undefined;
  try {
    const recipientKey = await suite.kem.deserializePrivateKey(toArrayBufferBytes(secretKey).buffer);
    const enc = toArrayBufferBytes(sealed.subarray(0, HPKE_ENC_LENGTH)).buffer;
    const pt = await suite.open({ recipientKey, enc, info: toArrayBufferBytes(info).buffer }, toArrayBufferBytes(sealed.subarray(HPKE_ENC_LENGTH)).buffer);
    return new Uint8Array(pt);
  } catch {
    return undefined;
  }
}
