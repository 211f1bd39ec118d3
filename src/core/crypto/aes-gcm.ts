/**
 * AES-256-GCM through WebCrypto (hardware AES where the CPU has it) for blobs: large job inputs,
 * outputs and private task modules. Every blob gets a fresh random key, so nonces are only a
 * chunk counter (one blob per key) and equal plaintexts never give equal ciphertexts (no
 * convergent encryption: a relay cannot confirm a guess of a blob's content).
 *
 * A blob is sealed in chunks of BLOB_CHUNK plaintext bytes, each its own GCM message (ciphertext
 * || tag), so that WebCrypto runs several at once on the platform's crypto threads (Node's thread
 * pool, Chromium's WebCrypto workers); one 64 MiB call ran on one thread at ~330 MiB per CPU s
 * here, 4 MiB chunks at 600+. The nonce is the STREAM construction's (Hoang, Reyhanitabar, Rogaway,
 * Vizár 2015): the chunk's index (88 bits, big-endian) and a last-chunk flag, so chunks cannot be
 * reordered, dropped or the blob cut short at a chunk boundary without failing to open.
 */
import { randomBytes } from "./bytes.ts";

export const BLOB_KEY_LENGTH = 32;
/** Plaintext bytes per chunk (the last may be shorter; an empty blob is one empty chunk). */
export const BLOB_CHUNK = 4 * 1024 * 1024;
const TAG_LENGTH = 16;
const SEALED_CHUNK = BLOB_CHUNK + TAG_LENGTH;
/** Chunks in flight at once: enough for the threads WebCrypto uses, without copying the whole blob up front. */
const IN_FLIGHT = 4;

const importKey = (key: Uint8Array, usage: KeyUsage): Promise<CryptoKey> =>
  globalThis.crypto.subtle.importKey("raw", plainView(key), "AES-GCM", false, [usage]);

function nonce(index: number, last: boolean): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(12);
  new DataView(out.buffer).setUint32(7, index);
  out[11] = last ? 1 : 0;
  return out;
}

/** WebCrypto refuses views of a SharedArrayBuffer; any other view passes without a copy. */
const plainView = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => (bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes));

/** Runs `task(i)` for i in 0..count-1, at most IN_FLIGHT at a time; false as soon as one returns false. */
async function eachChunk(count: number, task: (index: number) => Promise<boolean>): Promise<boolean> {
  let next = 0;
  let ok = true;
  const lane = async (): Promise<void> => {
    while (ok && next < count) if (!(await task(next++))) ok = false;
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, lane));
  return ok;
}

/** Encrypts under a fresh key; the caller keeps the key (it travels inside a sealed entry). */
export async function sealBlob(plaintext: Uint8Array): Promise<{ key: Uint8Array; ciphertext: Uint8Array }> {
  const key = randomBytes(BLOB_KEY_LENGTH);
  const cryptoKey = await importKey(key, "encrypt");
  const chunks = Math.max(1, Math.ceil(plaintext.length / BLOB_CHUNK));
  const ciphertext = new Uint8Array(plaintext.length + chunks * TAG_LENGTH);
  const view = plainView(plaintext);
  await eachChunk(chunks, async (i) => {
    const chunk = view.subarray(i * BLOB_CHUNK, (i + 1) * BLOB_CHUNK);
    const sealed = await globalThis.crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce(i, i === chunks - 1) }, cryptoKey, chunk);
    ciphertext.set(new Uint8Array(sealed), i * SEALED_CHUNK);
    return true;
  });
  return { key, ciphertext };
}

/** Decrypts; undefined when the key is wrong or the ciphertext was altered, reordered or cut. */
export async function openBlob(key: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array | undefined> {
  if (key.length !== BLOB_KEY_LENGTH) throw new TypeError(`a blob key is ${BLOB_KEY_LENGTH} bytes, got ${key.length}`);
  const chunks = Math.max(1, Math.ceil(ciphertext.length / SEALED_CHUNK));
  const lastLength = ciphertext.length - (chunks - 1) * SEALED_CHUNK;
  if (lastLength < TAG_LENGTH) return undefined;
  const cryptoKey = await importKey(key, "decrypt");
  const plaintext = new Uint8Array(ciphertext.length - chunks * TAG_LENGTH);
  const view = plainView(ciphertext);
  const opened = await eachChunk(chunks, async (i) => {
    const chunk = view.subarray(i * SEALED_CHUNK, (i + 1) * SEALED_CHUNK);
    try {
      const plain = await globalThis.crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce(i, i === chunks - 1) }, cryptoKey, chunk);
      plaintext.set(new Uint8Array(plain), i * BLOB_CHUNK);
      return true;
    } catch {
      return false;
    }
  });
  return opened ? plaintext : undefined;
}
