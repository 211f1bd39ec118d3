/**
 * AES-256-GCM blobs: large job inputs, outputs and private task modules. Every blob gets a fresh
 * random key, so nonces are only a chunk counter (one blob per key) and equal plaintexts never give
 * equal ciphertexts (no convergent encryption: a relay cannot confirm a guess of a blob's content).
 *
 * A blob is sealed in chunks of BLOB_CHUNK plaintext bytes, each its own GCM message (ciphertext
 * || tag). The nonce is the STREAM construction's (Hoang, Reyhanitabar, Rogaway, Vizár 2015): the
 * chunk's index (88 bits, big-endian) and a last-chunk flag, so chunks cannot be reordered, dropped
 * or the blob cut short at a chunk boundary without failing to open.
 *
 * This module holds the wire format and the browser's cipher (WebCrypto, which runs several chunks
 * at once on the platform's crypto threads: one 64 MiB call ran on one thread at ~330 MiB per CPU s
 * here, 4 MiB chunks at 600+). Node seals the same format through node:crypto (aes-gcm-node.ts),
 * which avoids WebCrypto's copies of every chunk in and out.
 */
import { randomBytes } from "./bytes.ts";

export const BLOB_KEY_LENGTH = 32;
/** Plaintext bytes per chunk (the last may be shorter; an empty blob is one empty chunk). */
export const BLOB_CHUNK = 4 * 1024 * 1024;
export const BLOB_TAG_LENGTH = 16;
export const SEALED_BLOB_CHUNK = BLOB_CHUNK + BLOB_TAG_LENGTH;
/** Chunks in flight at once: enough for the threads WebCrypto uses, without copying the whole blob up front. */
const IN_FLIGHT = 4;

export interface SealedBlob {
  readonly key: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Seals and opens blobs in the format above; one implementation per platform, same bytes. */
export interface BlobCipher {
  /** Encrypts under a fresh key; the caller keeps the key (it travels inside a sealed entry). */
  seal(plaintext: Uint8Array): Promise<SealedBlob>;
  /** Decrypts; undefined when the key is wrong or the ciphertext was altered, reordered or cut. */
  open(key: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array | undefined>;
}

/** Chunk i's nonce: its index in bytes 7-10 (big-endian) and the last-chunk flag in byte 11. */
export function blobNonce(index: number, last: boolean): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(12);
  new DataView(out.buffer).setUint32(7, index);
  out[11] = last ? 1 : 0;
  return out;
}

/** How many chunks a plaintext of `length` bytes seals into. */
export const blobChunks = (length: number): number => Math.max(1, Math.ceil(length / BLOB_CHUNK));

/**
 * The chunk count and plaintext length a ciphertext must open to, or undefined when its length
 * cannot be a sealed blob's (a last chunk shorter than its tag). Checks the key's length too.
 */
export function sealedBlobShape(key: Uint8Array, ciphertext: Uint8Array): { chunks: number; plaintextLength: number } | undefined {
  if (key.length !== BLOB_KEY_LENGTH) throw new TypeError(`a blob key is ${BLOB_KEY_LENGTH} bytes, got ${key.length}`);
  const chunks = Math.max(1, Math.ceil(ciphertext.length / SEALED_BLOB_CHUNK));
  const lastLength = ciphertext.length - (chunks - 1) * SEALED_BLOB_CHUNK;
  return lastLength < BLOB_TAG_LENGTH ? undefined : { chunks, plaintextLength: ciphertext.length - chunks * BLOB_TAG_LENGTH };
}

export const newBlobKey = (): Uint8Array => randomBytes(BLOB_KEY_LENGTH);

const importKey = (key: Uint8Array, usage: KeyUsage): Promise<CryptoKey> =>
  globalThis.crypto.subtle.importKey("raw", plainView(key), "AES-GCM", false, [usage]);

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

export async function sealBlob(plaintext: Uint8Array): Promise<SealedBlob> {
  const key = newBlobKey();
  const cryptoKey = await importKey(key, "encrypt");
  const chunks = blobChunks(plaintext.length);
  const ciphertext = new Uint8Array(plaintext.length + chunks * BLOB_TAG_LENGTH);
  const view = plainView(plaintext);
  await eachChunk(chunks, async (i) => {
    const chunk = view.subarray(i * BLOB_CHUNK, (i + 1) * BLOB_CHUNK);
    const sealed = await globalThis.crypto.subtle.encrypt({ name: "AES-GCM", iv: blobNonce(i, i === chunks - 1) }, cryptoKey, chunk);
    ciphertext.set(new Uint8Array(sealed), i * SEALED_BLOB_CHUNK);
    return true;
  });
  return { key, ciphertext };
}

export async function openBlob(key: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array | undefined> {
  const shape = sealedBlobShape(key, ciphertext);
  if (!shape) return undefined;
  const { chunks } = shape;
  const cryptoKey = await importKey(key, "decrypt");
  const plaintext = new Uint8Array(shape.plaintextLength);
  const view = plainView(ciphertext);
  const opened = await eachChunk(chunks, async (i) => {
    const chunk = view.subarray(i * SEALED_BLOB_CHUNK, (i + 1) * SEALED_BLOB_CHUNK);
    try {
      const plain = await globalThis.crypto.subtle.decrypt({ name: "AES-GCM", iv: blobNonce(i, i === chunks - 1) }, cryptoKey, chunk);
      plaintext.set(new Uint8Array(plain), i * BLOB_CHUNK);
      return true;
    } catch {
      return false;
    }
  });
  return opened ? plaintext : undefined;
}

/** The browser's blob cipher (and any platform without node:crypto). */
export const webBlobCipher: BlobCipher = { seal: sealBlob, open: openBlob };
