/**
 * The simulator's authorisation cost model: its members hold no keys and its entries carry no
 * signatures or delegations, so it cannot run the UCAN check nodes run (UcanAuthoriser). It answers
 * from the member list the fold itself keeps instead, which is what a valid chain grants.
 */
import { ALL_ABILITIES, type Ability } from "../core/capability/abilities.ts";
import type { Authorisation, Authoriser } from "../core/ledger/authoriser.ts";
import { isOpenJoin } from "../core/ledger/open-admission.ts";
import { authoriseOpenJoin, authoriseOpenMember } from "../core/ledger/open-authorisation.ts";

const refuse = (message: string): Authorisation => ({ ok: false, reason: "not-authorised", message });

/** expandAbilities(held).has(ability) without building a set per entry (a million entries a run). */
const holds = (held: readonly Ability[], ability: string): boolean =>
  held.includes("pool/admin") ? ALL_ABILITIES.includes(ability as Ability) : held.includes(ability as Ability);

/**
 * The root holds `pool/admin`; a member holds the abilities its `member.join` granted; an author
 * may only grant abilities it holds itself; strangers of an open pool are judged by the real open-pool rules; a member revoked by `ucan.revoke` of its DID writes nothing from the revocation's time on. A DID
 * may be revoked by an admin or by whoever added it. Proofs are not read.
 */
export const memberListAuthoriser: Authoriser = {
  checkProof: async () => ({ ok: true }),
  authorise(entry, requires, state) {
    // Strangers of an open pool: the real rules (a stamp checked by its hash, then no delegation).
    if (isOpenJoin(entry)) return authoriseOpenJoin(entry, state);
    const stranger = authoriseOpenMember(entry, requires, state);
    if (stranger) return stranger;
    const member = state.members[entry.author];
    if (!member) return refuse(`${entry.author} is not a member of the pool`);
    if (member.revoked !== undefined && member.revoked <= entry.time) return refuse(`${entry.author} was removed from the pool at ${member.revoked}`);
    const held = member.abilities;
    if (requires !== "member" && !holds(held, requires)) return refuse(`${entry.author} does not hold ${requires}`);
    if (entry.kind === "member.join") {
      const extra = (entry.body.abilities as string[]).filter((a) => !holds(held, a));
      if (extra.length > 0) return refuse(`an author can only grant abilities it holds; it lacks ${extra.join(", ")}`);
    }
    if (entry.kind === "ucan.revoke") {
      const target = state.members[entry.body.target as string];
      if (target && !held.includes("pool/admin") && target.by !== entry.author) return refuse("only an admin or the member's inviter may remove a member");
    }
    return { ok: true };
  },
};
