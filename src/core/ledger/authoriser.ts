/**
 * The one place the ledger asks "was this author allowed to write this entry?". The capability
 * module (UCAN chains, issue 4) implements this interface; until it does, `memberListAuthoriser`
 * answers from the member list the ledger itself folds.
 */
import { expandAbilities } from "../capability/abilities.ts";
import type { Requirement } from "./kinds.ts";
import type { LedgerState } from "./state.ts";
import type { Entry, RejectReason } from "./types.ts";

export type Authorisation = { ok: true } | { ok: false; reason: Extract<RejectReason, "not-authorised" | "bad-proof">; message: string };

/**
 * Contract for an implementation:
 * - `checkProof(entry)` runs once per entry before the fold, may be asynchronous (signature
 *   checks of a UCAN chain) and may cache by token hash. It must depend on the entry alone, never
 *   on the local clock or on other entries: its verdict is part of whether the entry is valid.
 *   Refuse with `bad-proof` (malformed, forged, wrong root, too deep, escalation).
 * - `authorise(entry, requires, state)` runs inside the fold, in fold order, and must be pure and
 *   synchronous: its answer may depend only on the entry and on `state`, the fold of every valid
 *   entry that sorts before it (members, revocations with their times, the pool root). Time checks
 *   (`exp`, `nbf`, revoked-before) use `entry.time`, never the reader's clock. Refuse with
 *   `not-authorised`. `requires` is the kind's row in KIND_RULES: an ability, or `"member"`.
 *   Genesis (`pool.create`) never reaches it: the pool id itself certifies the root.
 */
export interface Authoriser {
  checkProof(entry: Entry): Promise<Authorisation>;
  authorise(entry: Entry, requires: Exclude<Requirement, "genesis">, state: LedgerState): Authorisation;
}

const refuse = (message: string): Authorisation => ({ ok: false, reason: "not-authorised", message });

/**
 * The interim rule (ledger/README.md, "Authorisation"): the root holds `pool/admin`; a member holds
 * the abilities its `member.join` granted; an author may only grant abilities it holds itself; a
 * member revoked by `ucan.revoke` of its DID writes nothing from the revocation's time on. A DID
 * may be revoked by an admin or by whoever added it. Proofs are not read.
 */
export const memberListAuthoriser: Authoriser = {
  checkProof: async () => ({ ok: true }),
  authorise(entry, requires, state) {
    const member = state.members[entry.author];
    if (!member) return refuse(`${entry.author} is not a member of the pool`);
    if (member.revoked !== undefined && member.revoked <= entry.time) return refuse(`${entry.author} was removed from the pool at ${member.revoked}`);
    const held = expandAbilities(member.abilities);
    if (requires !== "member" && !held.has(requires)) return refuse(`${entry.author} does not hold ${requires}`);
    if (entry.kind === "member.join") {
      const extra = (entry.body.abilities as string[]).filter((a) => !held.has(a as never));
      if (extra.length > 0) return refuse(`an author can only grant abilities it holds; it lacks ${extra.join(", ")}`);
    }
    if (entry.kind === "ucan.revoke") {
      const target = state.members[entry.body.target as string];
      if (target && !held.has("pool/admin") && target.by !== entry.author) return refuse("only an admin or the member's inviter may remove a member");
    }
    return { ok: true };
  },
};
