/**
 * The ledger's vocabulary: entries, their ids, and the typed reasons a node gives when it refuses
 * one. The protocol these types carry is specified in ledger/README.md.
 */
import type { PoolId } from "../capability/pool.ts";
import type { Did } from "../identity/did-key.ts";

export type { PoolId };

/** CIDv1 (dag-cbor, sha2-256) of an entry's signed bytes, base32 ("bafyrei…"). */
export type EntryId = string & { readonly __brand: "EntryId" };

export const ENTRY_VERSION = 1;
/** Entries above this size are refused before decoding: large inputs travel as blobs, by hash. */
export const MAX_ENTRY_BYTES = 16_384;

export const KINDS = [
  "pool.create",
  "member.join",
  "ucan.revoke",
  "job.submit",
  "job.claim",
  "result.commit",
  "result.reveal",
  "checkpoint",
  "key.rotate",
  "key.grant",
  "key.complaint",
  "member.rekey",
  "invite.create",
  "pool.issuer",
  "pool.anonymous",
  "audit.result",
  "stake.deposit",
  "stake.withdraw",
  "stake.grant",
  "member.leave",
  "member.reinstate",
  "pool.params",
  "pool.network",
] as const;
export type Kind = (typeof KINDS)[number];

/** Everything an author signs. Field names are the CBOR map keys (ledger/README.md, "Entries"). */
export interface UnsignedEntry {
  readonly v: number;
  readonly kind: Kind;
  readonly pool: PoolId;
  readonly author: Did;
  /** Per (author, pool) sequence number, from 1; never reused. */
  readonly seq: number;
  /** Milliseconds since the Unix epoch, as the author's clock read it. */
  readonly time: number;
  readonly body: Readonly<Record<string, unknown>>;
  /** The CIDs of the UCAN tokens the author relies on (its delegation; none for the pool root). */
  readonly proof: readonly string[];
}

export interface Entry extends UnsignedEntry {
  readonly sig: Uint8Array;
}

/** A decoded entry with its id and the exact bytes it was decoded from (and is re-published as). */
export interface SignedEntry {
  readonly id: EntryId;
  readonly bytes: Uint8Array;
  readonly entry: Entry;
  /**
   * The tokens its `proof` CIDs name, attached by the writer that signed it (not part of the
   * bytes): a ledger publishes them with the entry, a fold learns them. Absent on decoded entries.
   */
  readonly tokens?: readonly string[];
}

/**
 * Why a node refuses an entry. Stateless reasons are decided from the entry alone; the others
 * depend on the set of entries (ledger/README.md, "Validation", gives the order they are checked in).
 */
export type RejectReason =
  | "too-large"
  | "malformed"
  | "non-canonical"
  | "bad-version"
  | "unknown-kind"
  | "bad-id"
  | "bad-author"
  | "bad-signature"
  | "bad-proof"
  | "missing-proof"
  | "wrong-pool"
  | "future-time"
  | "bad-body"
  | "equivocation"
  | "time-regression"
  | "not-authorised"
  | "conflict"
  | "unknown-reference"
  | "bad-reveal"
  | "checkpoint-mismatch"
  | "before-checkpoint";

export interface Rejection {
  readonly reason: RejectReason;
  readonly message: string;
}

export type Result<T> = ({ ok: true } & T) | ({ ok: false } & Rejection);

export const reject = (reason: RejectReason, message: string): { ok: false } & Rejection => ({ ok: false, reason, message });
