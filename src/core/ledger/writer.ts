/**
 * Writing entries: an author's next sequence number, and the bodies whose fields are derived
 * (a pool's id from its root and nonce, a result's commitment from salt and output).
 */
import { derivePoolId, type PoolId } from "../capability/pool.ts";
import { concatBytes, sha256, type SigningKey } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";
import { draftEntry, signEntry } from "./codec.ts";
import type { PoolSettingsState } from "./state.ts";
import { isTokenCid, tokenCid } from "./tokens.ts";
import type { Kind, SignedEntry } from "./types.ts";

export interface Author {
  readonly did: Did;
  readonly signingKey: SigningKey;
}

/**
 * Signs entries for one author in one pool, numbering them from `lastSeq + 1`. `proof` (the
 * author's delegation as a token, none for the root) goes on every entry that does not name its
 * own: the entry carries the token's CID, and the token travels attached (`SignedEntry.tokens`).
 */
export class EntryWriter {
  constructor(
    readonly author: Author,
    readonly pool: PoolId,
    private lastSeq = 0,
    readonly proof: readonly string[] = [],
  ) {}

  get seq(): number {
    return this.lastSeq;
  }

  /** Moves the counter past a sequence number seen in the ledger (never backwards). */
  observe(seq: number): void {
    this.lastSeq = Math.max(this.lastSeq, seq);
  }

  async write(kind: Kind, body: Record<string, unknown>, time: number, proof: readonly string[] = this.proof): Promise<SignedEntry> {
    if (proof.some(isTokenCid)) throw new TypeError("EntryWriter.write takes the delegation tokens themselves, not their CIDs");
    const seq = ++this.lastSeq;
    const signed = await signEntry(this.author.signingKey, draftEntry({ kind, pool: this.pool, author: this.author.did, seq, time, body, proof: proof.map(tokenCid) }));
    return proof.length === 0 ? signed : { ...signed, tokens: proof };
  }
}

/** The genesis entry of a new pool; its id commits to the root and the nonce. */
export async function createPool(
  root: Author,
  settings: PoolSettingsState,
  nonce: Uint8Array,
  time: number,
  open?: { readonly stampBits: number },
): Promise<{ pool: PoolId; entry: SignedEntry; writer: EntryWriter }> {
  const pool = derivePoolId(root.did, nonce);
  const writer = new EntryWriter(root, pool);
  const entry = await writer.write("pool.create", { nonce, settings: { ...settings }, ...(open ? { open: { ...open } } : {}) }, time);
  return { pool, entry, writer };
}

/** The commitment a result.commit carries: sha2-256(salt || sha2-256(output)). */
export const resultCommitment = (salt: Uint8Array, outputHash: Uint8Array): Uint8Array => sha256(concatBytes(salt, outputHash));
