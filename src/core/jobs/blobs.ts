/**
 * Content-addressed blobs (ledger/README.md, "Blobs"): task modules, inputs and outputs too large
 * for an entry travel as one Automerge document each, synced by the same repo as the ledger. The
 * document id is derived from the bytes' SHA-256 and its only change is built byte for byte the same
 * by every node (fixed actor, time 0), so two nodes that put the same blob offline share one history.
 * Like the ledger document, a blob document is transport only: anyone can write into it, so a reader
 * accepts only a value whose hash is the blob's name.
 */
import * as A from "@automerge/automerge";
import { parseAutomergeUrl, stringifyAutomergeUrl, type AutomergeUrl, type Repo } from "@automerge/automerge-repo";
import { bytesToHex, sha256, utf8 } from "../crypto/index.ts";

/** Lower-case hex SHA-256 of a blob's bytes. */
export type BlobHash = string & { readonly __brand: "BlobHash" };

export const blobHash = (bytes: Uint8Array): BlobHash => bytesToHex(sha256(bytes)) as BlobHash;

export const isBlobHash = (value: unknown): value is BlobHash => typeof value === "string" && /^[0-9a-f]{64}$/.test(value);

interface BlobDoc {
  bytes: Uint8Array;
}

const BLOB_ACTOR = "00000000000000000000000000000001";

export function blobUrl(hash: BlobHash): AutomergeUrl {
  const digest = sha256(utf8(`edgepool/blob-doc/v1\0${hash}`));
  return stringifyAutomergeUrl({ documentId: digest.slice(0, 16) as never });
}

/** `unreadable`: a private pool's blob arrived but its entry's key does not open it to its hash. */
export type BlobResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: "unavailable" | "unreadable"; message: string };

export interface BlobWait {
  /** Give up after this long (ms of real time: it bounds network waits, not protocol time). */
  readonly timeoutMs?: number;
}

/** Every value the document holds under `bytes`, the winner and any concurrent conflicting writes. */
function candidates(doc: A.Doc<BlobDoc> | undefined): Uint8Array[] {
  if (!doc) return [];
  // getConflicts is undefined when only one value was ever written concurrently.
  const values = [doc.bytes as unknown, ...Object.values(A.getConflicts(doc, "bytes") ?? {})];
  return values.filter((v): v is Uint8Array => v instanceof Uint8Array);
}

/** Members reached directly (net/direct.ts): blobs move peer to peer, the relay carries them only when asked. */
export interface BlobPeers {
  /** Whether any member is connected directly now. */
  connected(): boolean;
  /** The blob from a direct peer, checked against its hash, or undefined by `deadline` (ms since the epoch). */
  fetch(hash: BlobHash, deadline: number): Promise<Uint8Array | undefined>;
  serve(provide: (hash: string) => Uint8Array | undefined): () => void;
  /** Asks the members that hold the blob to publish it through the repo (no direct path served it). */
  want(hash: BlobHash): void;
  onWant(listener: (hash: string) => void): () => void;
}

/** How long a reader tries direct peers before it falls back to the relay (issue 14). */
export const DIRECT_BLOB_WAIT_MS = 5_000;

export class BlobStore {
  private readonly local = new Map<BlobHash, Uint8Array>();
  private readonly published = new Set<BlobHash>();

  constructor(
    private readonly repo: Repo,
    private readonly peers?: BlobPeers,
  ) {
    peers?.serve((hash) => this.local.get(hash as BlobHash));
    peers?.onWant((hash) => {
      const bytes = this.local.get(hash as BlobHash);
      if (bytes) void this.publish(hash as BlobHash, bytes);
    });
  }

  /**
   * Stores bytes under their hash and offers them to peers; returns the hash. While members are
   * connected directly, the blob waits here for them, and enters the repo (and so the relay) only
   * when a member asks for it through the relay.
   */
  async put(bytes: Uint8Array): Promise<BlobHash> {
    const hash = blobHash(bytes);
    if (this.local.has(hash)) return hash;
    this.local.set(hash, bytes);
    if (!this.peers?.connected()) await this.publish(hash, bytes);
    return hash;
  }

  private async publish(hash: BlobHash, bytes: Uint8Array): Promise<void> {
    if (this.published.has(hash)) return;
    this.published.add(hash);
    const doc = A.change(A.init<BlobDoc>({ actor: BLOB_ACTOR }), { time: 0 }, (d) => {
      d.bytes = bytes;
    });
    // Importing under the derived id merges with any copy a peer already holds (the same change).
    await this.repo.import<BlobDoc>(A.save(doc), { docId: parseAutomergeUrl(blobUrl(hash)).documentId }).whenReady();
  }

  /** The blob's bytes, from this node or a peer, checked against the hash. */
  async get(hash: BlobHash, wait: BlobWait = {}): Promise<BlobResult> {
    const held = this.local.get(hash);
    if (held) return { ok: true, bytes: held };
    const deadline = Date.now() + (wait.timeoutMs ?? 10_000);
    if (this.peers) {
      const direct = await this.peers.fetch(hash, Math.min(deadline, Date.now() + DIRECT_BLOB_WAIT_MS));
      if (direct) {
        this.local.set(hash, direct);
        return { ok: true, bytes: direct };
      }
      this.peers.want(hash);
    }
    // An unavailable handle still turns ready when a peer that gets the blob later syncs it to us.
    const handle = await this.repo.find<BlobDoc>(blobUrl(hash), { allowableStates: ["ready", "unavailable"] });
    for (;;) {
      const found = handle.isReady() ? candidates(handle.doc()).find((v) => blobHash(v) === hash) : undefined;
      if (found) {
        this.local.set(hash, found);
        return { ok: true, bytes: found };
      }
      if (Date.now() >= deadline) return { ok: false, reason: "unavailable", message: `no peer offered blob ${hash.slice(0, 16)}… in time; it syncs when the node that holds it is reachable` };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
