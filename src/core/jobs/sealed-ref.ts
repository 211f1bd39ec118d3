/**
 * Sealed blob references as private pools' entries carry them (ledger/README.md 8.5). Apart from
 * ./job-blobs.ts so that reading an entry's reference loads neither Automerge nor the fold.
 */
import { bytesToHex, hexToBytes } from "../crypto/index.ts";
import { SEALED_REF_BYTES } from "../ledger/sealed-ref.ts";
import type { BlobHash } from "./blobs.ts";

/** Where a private pool's blob travels: the hash of its ciphertext, and the key that opens it. */
export interface SealedBlobRef {
  readonly at: BlobHash;
  readonly key: Uint8Array;
}

/** A sealed reference as entries carry it: the ciphertext's SHA-256, then the key. */
export const encodeSealedRef = (ref: SealedBlobRef): Uint8Array => {
  const out = new Uint8Array(SEALED_REF_BYTES);
  out.set(hexToBytes(ref.at));
  out.set(ref.key, 32);
  return out;
};

/** Undefined for anything but 64 bytes (the schema checked the entry; this guards other callers). */
export const decodeSealedRef = (bytes: unknown): SealedBlobRef | undefined =>
  bytes instanceof Uint8Array && bytes.length === SEALED_REF_BYTES ? { at: bytesToHex(bytes.subarray(0, 32)) as BlobHash, key: bytes.slice(32) } : undefined;
