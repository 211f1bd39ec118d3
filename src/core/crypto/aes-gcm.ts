/**
 * AES-256-GCM through WebCrypto (hardware AES where the CPU has it) for blobs: large job inputs,
 * outputs and private task modules. Every blob gets a fresh random key, so the 96-bit nonce can be
 * fixed (one message per key) and equal plaintexts never give equal ciphertexts (no convergent
 * encryption: a relay cannot confirm a guess of a blob's content).
 */
import { toArrayBufferBytes, randomBytes } from "./bytes.ts";

export const BLOB_KEY_LENGTH = 32;
const NONCE = new Uint8Array(12);
const TAG_LENGTH = 16;

const importKey = (key: Uint8Array, usage: KeyUsage): Promise<CryptoKey> =>
  globalThis.crypto.subtle.importKey("raw", toArrayBufferBytes(key), "AES-GCM", false, [usage]);

/** Encrypts under a fresh key; the caller keeps the key (it travels inside a sealed entry). */
export async function sealBlob(plaintext: Uint8Array): Promise<{ key: Uint8Array; ciphertext: Uint8Array }> {
  const key = randomBytes(BLOB_KEY_LENGTH);
  const sealed = await globalThis.crypto.subtle.encrypt({ name: "AES-GCM", iv: NONCE }, await importKey(key, "encrypt"), toArrayBufferBytes(plaintext));
  return { key, ciphertext: new Uint8Array(sealed) };
}

/** Decrypts; undefined when the key is wrong or the ciphertext was altered. */
export async function openBlob(key: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array | undefined> {
  if (key.length !== BLOB_KEY_LENGTH) throw new TypeError(`a blob key is ${BLOB_KEY_LENGTH} bytes, got ${key.length}`);
  if (ciphertext.length < TAG_LENGTH) return undefined;
  try {
    const plain = await globalThis.crypto.subtle.decrypt({ name: "AES-GCM", iv: NONCE }, await importKey(key, "decrypt"), toArrayBufferBytes(ciphertext));
    return new Uint8Array(plain);
  } catch {
    return undefined;
  }
}
