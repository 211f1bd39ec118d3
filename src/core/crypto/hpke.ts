/**
 * HPKE base mode (RFC 9180) with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-256-GCM, single
 * shot (one message per context, sequence 0, empty AAD). Private pools wrap epoch keys for each
 * member with it (lockboxes), and members publish the X25519 key it needs (`kex`): a non-extractable
 * WebCrypto Ed25519 key cannot be turned into X25519, so the key-agreement key is its own key pair.
 *
 * Written out here rather than through a general HPKE library so that sealing costs two native
 * X25519 operations and a few microseconds of synchronous hashing, instead of a dozen WebCrypto
 * round trips per lockbox: a 50-member rotation must stay under 50 ms of CPU. The native part is
 * per platform (`HpkeNative`): WebCrypto here, node:crypto's synchronous calls in hpke-node.ts. The tests
 * check every output against @hpke/core, an independent implementation of the RFC, both ways.
 */
import { x25519 } from "@noble/curves/ed25519.js";
import { concatBytes, toArrayBufferBytes, utf8 } from "./bytes.ts";
import { hkdfSha256 } from "./hkdf.ts";
import { hkdfExpand, hkdfExtract } from "./hkdf-short.ts";

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

// RFC 9180 section 7: KEM 0x0020 DHKEM(X25519, HKDF-SHA256), KDF 0x0001 HKDF-SHA256, AEAD 0x0002 AES-256-GCM.
const KEM_SUITE = concatBytes(utf8("KEM"), Uint8Array.of(0x00, 0x20));
const HPKE_SUITE = concatBytes(utf8("HPKE"), Uint8Array.of(0x00, 0x20, 0x00, 0x01, 0x00, 0x02));
const VERSION_LABEL = utf8("HPKE-v1");
const EMPTY = new Uint8Array(0);
const AEAD_KEY_LENGTH = 32;
const AEAD_NONCE_LENGTH = 12;

// Section 4: LabeledExtract and LabeledExpand.
const labeledExtract = (suite: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array): Uint8Array =>
  hkdfExtract(salt, concatBytes(VERSION_LABEL, suite, utf8(label), ikm));

function labeledExpand(suite: Uint8Array, prk: Uint8Array, label: string, info: Uint8Array, length: number): Uint8Array {
  const prefix = Uint8Array.of(length >> 8, length & 0xff);
  return hkdfExpand(prk, concatBytes(prefix, VERSION_LABEL, suite, utf8(label), info), length);
}

/** Section 4.1: the KEM's ExtractAndExpand over dh, bound to enc and the recipient's key. */
function kemSharedSecret(dh: Uint8Array, enc: Uint8Array, recipient: Uint8Array): Uint8Array {
  const prk = labeledExtract(KEM_SUITE, EMPTY, "eae_prk", dh);
  return labeledExpand(KEM_SUITE, prk, "shared_secret", concatBytes(enc, recipient), 32);
}

/** Section 5.1: KeySchedule in mode_base (no PSK): the AEAD key and base nonce. */
const PSK_ID_HASH = labeledExtract(HPKE_SUITE, EMPTY, "psk_id_hash", EMPTY);

function keySchedule(sharedSecret: Uint8Array, info: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  const context = concatBytes(Uint8Array.of(0x00), PSK_ID_HASH, labeledExtract(HPKE_SUITE, EMPTY, "info_hash", info));
  const secret = labeledExtract(HPKE_SUITE, sharedSecret, "secret", EMPTY);
  return { key: labeledExpand(HPKE_SUITE, secret, "key", context, AEAD_KEY_LENGTH), nonce: labeledExpand(HPKE_SUITE, secret, "base_nonce", context, AEAD_NONCE_LENGTH) };
}

/** Seals `plaintext` to `recipient` (X25519 public key); `info` binds the context. Returns enc || ciphertext. */
export type HpkeSeal = (recipient: Uint8Array, info: Uint8Array, plaintext: Uint8Array) => Promise<Uint8Array>;

/**
 * A platform's native half of a seal: a fresh ephemeral X25519 key pair's public key (enc) and its
 * shared secret with the recipient (dh), which must fail for a low-order recipient (all-zero
 * secret), and AES-256-GCM. The key schedule between them is the same code everywhere.
 */
export interface HpkeNative {
  encapsulate(recipient: Uint8Array): Promise<{ enc: Uint8Array; dh: Uint8Array }>;
  encrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** RFC 9180 base-mode single-shot seal over a platform's native X25519 and AES-256-GCM. */
export const hpkeSealWith =
  (native: HpkeNative): HpkeSeal =>
  async (recipient, info, plaintext) => {
    if (recipient.length !== X25519_KEY_LENGTH) throw new TypeError(`an X25519 public key is 32 bytes, got ${recipient.length}`);
    const { enc, dh } = await native.encapsulate(recipient);
    const { key, nonce } = keySchedule(kemSharedSecret(dh, enc, recipient), info);
    return concatBytes(enc, await native.encrypt(key, nonce, plaintext));
  };

const X25519_ALGORITHM = { name: "X25519" } as const;

// noble builds its AES tables when its module loads (~0.1 s of CPU): loaded at the first seal or
// open, so the many processes that do neither (most CLI commands) never pay for it.
let nobleAes: Promise<typeof import("@noble/ciphers/aes.js")> | undefined;
const nobleGcm = async () => (await (nobleAes ??= import("@noble/ciphers/aes.js"))).gcm;

/** The browser's: WebCrypto X25519 (~25x faster than pure-JS X25519), noble's AES-GCM (one 32-byte secret: no round trip). */
const webHpke: HpkeNative = {
  async encapsulate(recipient) {
    // A low-order key makes WebCrypto's deriveBits fail (all-zero secret); the ledger refuses such a kex before it gets here.
    const subtle = globalThis.crypto.subtle;
    const ephemeral = (await subtle.generateKey(X25519_ALGORITHM, true, ["deriveBits"])) as CryptoKeyPair;
    const [enc, dh] = await Promise.all([
      subtle.exportKey("raw", ephemeral.publicKey).then((raw) => new Uint8Array(raw)),
      subtle
        .importKey("raw", toArrayBufferBytes(recipient), X25519_ALGORITHM, false, [])
        .then((publicKey) => subtle.deriveBits({ name: "X25519", public: publicKey }, ephemeral.privateKey, 256))
        .then((bits) => new Uint8Array(bits)),
    ]);
    return { enc, dh };
  },
  encrypt: async (key, nonce, plaintext) => (await nobleGcm())(key, nonce).encrypt(plaintext),
};

/** HPKE seal through WebCrypto (browsers; Node passes `hpkeSealNode` from hpke-node.ts, same bytes). */
export const hpkeSeal: HpkeSeal = hpkeSealWith(webHpke);

/**
 * Opens what `hpkeSeal` made with the recipient's key pair (its public key is part of the key
 * schedule: taking it from the pair saves a scalar multiplication); undefined when it was not
 * sealed to this key under this `info`, or was altered.
 */
export async function hpkeOpen(recipient: KexKeyPair, info: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | undefined> {
  if (sealed.length < HPKE_ENC_LENGTH + HPKE_TAG_LENGTH || recipient.secretKey.length !== X25519_KEY_LENGTH) return undefined;
  const enc = sealed.subarray(0, HPKE_ENC_LENGTH);
  const gcm = await nobleGcm();
  try {
    // One open per join or rotation: pure JS, and no key import.
    const dh = x25519.getSharedSecret(recipient.secretKey, enc);
    const { key, nonce } = keySchedule(kemSharedSecret(dh, enc, recipient.publicKey), info);
    return gcm(key, nonce).decrypt(sealed.subarray(HPKE_ENC_LENGTH));
  } catch {
    // A low-order enc (noble refuses the all-zero secret) or a failed tag.
    return undefined;
  }
}
