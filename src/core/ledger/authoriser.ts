/**
 * The one place the ledger asks "was this author allowed to write this entry?". Nodes answer with
 * UCAN chains (UcanAuthoriser, ucan-authoriser.ts); the simulator, whose members hold no keys, with
 * its member-list cost model (src/sim/member-list-authoriser.ts).
 */
import type { Requirement } from "./kinds.ts";
import type { LedgerState } from "./state.ts";
import type { TokenBook } from "./tokens.ts";
import type { Entry, RejectReason } from "./types.ts";

export type Authorisation = { ok: true } | { ok: false; reason: Extract<RejectReason, "not-authorised" | "bad-proof" | "missing-proof">; message: string };

/**
 * Contract for an implementation:
 * - `checkProof(entry)` runs once per entry before the fold, may be asynchronous (signature
 *   checks of a UCAN chain) and may cache by token hash. It must depend on the entry alone, never
 *   on the local clock or on other entries: its verdict is part of whether the entry is valid.
 *   Refuse with `bad-proof` (malformed, forged, wrong root, too deep, escalation), or with
 *   `missing-proof` while a token its proof names by CID is not in `tokens`: the entry is held,
 *   not refused, and checked again when the token arrives.
 * - `authorise(entry, requires, state)` runs inside the fold, in fold order, and must be pure and
 *   synchronous: its answer may depend only on the entry and on `state`, the fold of every valid
 *   entry that sorts before it (members, revocations with their times, the pool root). Time checks
 *   (`exp`, `nbf`, revoked-before) use `entry.time`, never the reader's clock. Refuse with
 *   `not-authorised`. `requires` is the kind's row in KIND_RULES: an ability, or `"member"`.
 *   Genesis (`pool.create`) never reaches it: the pool id itself certifies the root.
 */
export interface Authoriser {
  /** Where proofs named by CID are resolved; the ledger adds the tokens it reads (absent: entries carry no proofs). */
  readonly tokens?: TokenBook;
  checkProof(entry: Entry): Promise<Authorisation>;
  authorise(entry: Entry, requires: Exclude<Requirement, "genesis">, state: LedgerState): Authorisation;
}
