/**
 * Blobs as the jobs layer sees them (ledger/README.md, "Blobs"): an entry names a blob by the
 * SHA-256 of its bytes. In a plain pool that is also where the blob travels. In a private pool
 * (docs/privacy.md) the bytes travel sealed: AES-256-GCM under a fresh key per blob, the ciphertext
 * a content-addressed blob of its own, and its address and key ride in the sealed entry that names
 * the blob. Relays and direct peers only ever store and serve the ciphertext.
 */
import { webBlobCipher, type BlobCipher } from "../crypto/index.ts";
import { blobHash, type BlobHash, type BlobResult, type BlobStore, type BlobWait } from "./blobs.ts";
import type { SealedBlobRef } from "./sealed-ref.ts";

export interface BlobRef {
  /** SHA-256 of the plaintext: what entries and the fold name. */
  readonly hash: BlobHash;
  readonly sealed?: SealedBlobRef;
}

export interface JobBlobs {
  /** Stores and offers bytes; the reference goes into the entry that names them. */
  put(bytes: Uint8Array): Promise<BlobRef>;
  /** Keeps bytes this node ships with (task modules) where `get` finds them, without offering them sealed. */
  hold(bytes: Uint8Array): Promise<void>;
  get(ref: BlobRef, wait?: BlobWait): Promise<BlobResult>;
}

/** A plain pool's blobs: the bytes travel as they are, named by their hash. */
export function plainBlobs(store: BlobStore): JobBlobs {
  return {
    put: async (bytes) => ({ hash: await store.put(bytes) }),
    hold: async (bytes) => void (await store.put(bytes)),
    get: (ref, wait) => store.get(ref.hash, wait),
  };
}

/** A private pool's blobs: `store` (and so every peer and relay) holds only ciphertext. */
export class SealedBlobs implements JobBlobs {
  /** Plaintext this node put, held or opened, by its hash. */
  private readonly plain = new Map<BlobHash, Uint8Array>();
  /** This node's own sealed copies: the same bytes put twice travel once. */
  private readonly own = new Map<BlobHash, BlobRef>();

  /** `cipher`: the platform's (Node passes node:crypto's, aes-gcm-node.ts); same bytes either way. */
  constructor(
    private readonly store: BlobStore,
    private readonly cipher: BlobCipher = webBlobCipher,
  ) {}

  async put(bytes: Uint8Array): Promise<BlobRef> {
    const hash = blobHash(bytes);
    const known = this.own.get(hash);
    if (known) return known;
    const { key, ciphertext } = await this.cipher.seal(bytes);
    const ref = { hash, sealed: { at: await this.store.put(ciphertext), key } };
    this.own.set(hash, ref);
    this.plain.set(hash, bytes);
    return ref;
  }

  async hold(bytes: Uint8Array): Promise<void> {
    this.plain.set(blobHash(bytes), bytes);
  }

  async get(ref: BlobRef, wait?: BlobWait): Promise<BlobResult> {
    const held = this.plain.get(ref.hash);
    if (held) return { ok: true, bytes: held };
    if (!ref.sealed) return { ok: false, reason: "unreadable", message: `blob ${ref.hash.slice(0, 16)}… carries no key in this private pool's entry, and this node does not hold it` };
    const fetched = await this.store.get(ref.sealed.at, wait);
    if (!fetched.ok) return fetched;
    const opened = await this.cipher.open(ref.sealed.key, fetched.bytes);
    // The ciphertext matched its name, so a failure here is an entry whose key or hash is wrong.
    if (!opened || blobHash(opened) !== ref.hash) return { ok: false, reason: "unreadable", message: `sealed blob ${ref.hash.slice(0, 16)}… does not open to its hash with the key its entry gives` };
    this.plain.set(ref.hash, opened);
    return { ok: true, bytes: opened };
  }
}
