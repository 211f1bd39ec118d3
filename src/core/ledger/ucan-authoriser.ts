/**
 * The ledger's authorisation through UCAN chains (issue 4): the Authoriser the ledger calls for
 * every entry, implemented over src/core/capability's PoolAuthority. Rules in docs/capabilities.md
 * and ledger/README.md ("Capabilities and revocation").
 *
 * - `checkProof` (stateless, cached by token): the entry's proof (`proof[0]`, the CID of the
 *   author's delegation, resolved in `tokens`) verifies and obeys the pool rules; a `ucan.revoke` carries the revoked token, names
 *   it by hash, and its author issued it or a delegation upstream of it.
 * - `authorise` (in the fold): the chain reaches the pool root, is addressed to the author, is
 *   valid at the entry's time, grants the kind's ability and is not revoked for the entry's
 *   (author, sequence). A `member.join` is the joiner's own entry through an invite link that has
 *   uses left and has not passed its join deadline.
 */
import { tokenHash, type TokenHash } from "../capability/chain.ts";
import { PoolAuthority, type AuthorityQuery, type GrantResult } from "../capability/authority.ts";
import { refuse, type Refusal } from "../capability/refusal.ts";
import { checkRevoker, mergeRevocations, type AcceptedRevocation, type Revocations } from "../capability/revocation.ts";
import { inviteUsedUp } from "../capability/invite.ts";
import type { RsaPssVerify } from "../capability/join-token.ts";
import type { Did } from "../identity/did-key.ts";
import type { Authorisation, Authoriser } from "./authoriser.ts";
import type { Requirement } from "./kinds.ts";
import { isOpenJoin } from "./open-admission.ts";
import { authoriseOpenJoin, authoriseOpenMember, checkStrangerRemoval, isStrangerRemoval } from "./open-authorisation.ts";
import { authoriseAnonymousSubmit, isAnonymousSubmit } from "./open-submission.ts";
import type { LedgerState, MemberState } from "./state.ts";
import { isTokenCid, TokenBook } from "./tokens.ts";
import type { Entry } from "./types.ts";

const OK: Authorisation = { ok: true };
type Refused = Extract<Authorisation, { ok: false }>;
const badProof = (refusal: Refusal): Refused => ({ ok: false, reason: "bad-proof", message: `${refusal.reason}: ${refusal.message}` });
const notAuthorised = (reason: string, message: string): Authorisation => ({ ok: false, reason: "not-authorised", message: `${reason}: ${message}` });

/** The author's delegation an entry names: none (the root), its token, or why not. */
type Delegation = { ok: true; token: string | undefined } | Refused;

type Members = LedgerState["members"];

/**
 * How many members joined through each invite, per fold state (its `members` record). Counting by
 * a scan on every join made a pool of n members cost n^2 to fold. Counted once, then kept up to
 * date from the joins this authoriser lets through: a join changes `members` only when allowed,
 * so the next call sees whether the fold applied it (the member's record was replaced).
 */
class InviteUses {
  readonly #counts = new Map<string, number>();
  #pending: { did: Did; before: MemberState | undefined } | undefined;

  constructor(members: Members) {
    for (const member of Object.values(members)) this.#add(member?.invite, 1);
  }

  used(members: Members, invite: string): number {
    if (this.#pending) {
      const { did, before } = this.#pending;
      const after = members[did];
      if (after !== before) {
        this.#add(before?.invite, -1);
        this.#add(after?.invite, 1);
      }
      this.#pending = undefined;
    }
    return this.#counts.get(invite) ?? 0;
  }

  allowed(members: Members, did: Did): void {
    this.#pending = { did, before: members[did] };
  }

  #add(invite: string | undefined, delta: number): void {
    if (invite !== undefined) this.#counts.set(invite, (this.#counts.get(invite) ?? 0) + delta);
  }
}

export class UcanAuthoriser implements Authoriser {
  /** Revocations merged from the fold state, rebuilt only when the state holds a new one. */
  #revocations: { from: LedgerState["revocations"]; count: number; merged: Revocations } | undefined;
  readonly #inviteUses = new WeakMap<Members, InviteUses>();

  constructor(
    readonly authority: PoolAuthority = new PoolAuthority(),
    readonly tokens: TokenBook = new TokenBook(),
    /** Verifies open-pool tokens' RSA signatures (joins and anonymous submissions) (default: the portable BigInt verify). */
    private readonly verifyJoinToken?: RsaPssVerify,
  ) {}

  async checkProof(entry: Entry): Promise<Authorisation> {
    const delegation = this.#delegation(entry);
    if (!delegation.ok) return delegation;
    if (delegation.token !== undefined) {
      const checked = await this.authority.checkProof(delegation.token, entry.pool);
      if (!checked.ok) return badProof(checked);
    }
    return entry.kind === "ucan.revoke" ? this.#checkRevocation(entry) : OK;
  }

  #delegation(entry: Entry): Delegation {
    if (entry.proof.length > 1) return badProof({ ok: false, reason: "malformed", message: "an entry carries at most one delegation (its author's)" });
    const cid = entry.proof[0];
    if (cid === undefined) return { ok: true, token: undefined };
    if (!isTokenCid(cid)) return badProof({ ok: false, reason: "malformed", message: "proof[0] must be the CID (raw, sha2-256, base32) of the author's delegation" });
    const token = this.tokens.get(cid);
    if (token === undefined) return { ok: false, reason: "missing-proof", message: `this node does not have the delegation ${cid} yet (it travels in the document's tokens)` };
    return { ok: true, token };
  }

  async #checkRevocation(entry: Entry): Promise<Authorisation> {
    const { token, target, from } = entry.body as { token?: string; target: string; from?: number };
    if (token === undefined && isStrangerRemoval(entry)) return checkStrangerRemoval(entry);
    if (token === undefined || entry.body.honoured === undefined || from === undefined) {
      return badProof({ ok: false, reason: "malformed", message: "a ucan.revoke names the revoked delegation (token), the sequences it honours and the time it applies from" });
    }
    if (target !== tokenHash(token)) return badProof({ ok: false, reason: "malformed", message: "the revocation's target is not the hash of its token" });
    if (from > entry.time) return badProof({ ok: false, reason: "malformed", message: "a revocation cannot apply from after its own time" });
    const revoker = await checkRevoker(token, entry.author, this.authority.verifier);
    return revoker.ok ? OK : badProof(revoker);
  }

  authorise(entry: Entry, requires: Exclude<Requirement, "genesis">, state: LedgerState): Authorisation {
    const root = state.pool?.root;
    if (!root) return notAuthorised("wrong-root", "the pool has no pool.create entry yet");
    if (entry.kind === "ucan.revoke" && isStrangerRemoval(entry)) return this.#authoriseRemoval(entry, root, state);
    if (entry.kind === "ucan.revoke") return this.#authoriseRevocation(entry, root);
    // Open pools (issue 12): strangers pay with a stamp or token and hold no delegation.
    if (isOpenJoin(entry)) return authoriseOpenJoin(entry, state, this.verifyJoinToken);
    // ... and an anonymous submission spends a token from a fresh key (open-submission.ts).
    if (isAnonymousSubmit(entry)) return authoriseAnonymousSubmit(entry, state, this.verifyJoinToken);
    const open = authoriseOpenMember(entry, requires, state);
    if (open) return open;
    const delegation = this.#delegation(entry);
    if (!delegation.ok) return notAuthorised(delegation.reason, delegation.message);
    const query = this.#query(entry, root, delegation.token, state);
    if (entry.kind === "member.join") return this.#authoriseJoin(entry, query, state);
    // "member": any ability held through a valid, unrevoked chain (the root holds them all).
    const result = requires === "member" ? this.authority.held(query) : this.authority.authoriseVerified({ ...query, ability: requires });
    return result.ok ? OK : notAuthorised(result.reason, result.message);
  }

  /**
   * What `author` would hold for its next entry at `time` (ms), given the fold state: for tools
   * that check before they write (the CLI's invite). Verifies the proof first.
   */
  async holdings(author: Did, proof: string | undefined, state: LedgerState, time: number): Promise<GrantResult> {
    const root = state.pool?.root;
    if (!root) return refuse("wrong-root", "this node has not seen the pool's pool.create entry yet");
    if (proof !== undefined && author !== root) {
      const checked = await this.authority.checkProof(proof, state.pool!.id);
      if (!checked.ok) return checked;
    }
    const seq = (state.authors[author]?.seq ?? 0) + 1;
    return this.authority.held({ pool: state.pool!.id, root, author, at: Math.floor(time / 1000), seq, proof, revocations: this.#merged(state) });
  }

  #query(entry: Entry, root: Did, proof: string | undefined, state: LedgerState): AuthorityQuery {
    // Entry times are milliseconds; UCAN times are seconds.
    return { pool: entry.pool, root, author: entry.author, at: Math.floor(entry.time / 1000), seq: entry.seq, proof, revocations: this.#merged(state) };
  }

  /** A revocation of a delegation outside this pool's tree changes nothing, so it is refused. */
  #authoriseRevocation(entry: Entry, root: Did): Authorisation {
    const structure = this.authority.verifier.structure(entry.body.token as string);
    let first = structure.ok ? structure.verified : undefined;
    while (first?.proofs[0]) first = first.proofs[0];
    if (first?.token.iss !== root) return notAuthorised("wrong-root", "the revoked delegation does not belong to this pool's tree");
    return OK;
  }

  /** Removing a stranger (it holds no delegation to revoke) is an admin's act. */
  #authoriseRemoval(entry: Entry, root: Did, state: LedgerState): Authorisation {
    const target = entry.body.target as Did;
    if (state.members[target]?.admission === undefined) return notAuthorised("not-a-stranger", `${target} is not a stranger admitted to this open pool; revoke the delegation a member joined with instead`);
    const delegation = this.#delegation(entry);
    if (!delegation.ok) return notAuthorised(delegation.reason, delegation.message);
    const result = this.authority.authoriseVerified({ ...this.#query(entry, root, delegation.token, state), ability: "pool/admin" });
    return result.ok ? OK : notAuthorised(result.reason, result.message);
  }

  #authoriseJoin(entry: Entry, query: AuthorityQuery, state: LedgerState): Authorisation {
    if (entry.body.member !== entry.author) return notAuthorised("wrong-audience", "a joiner records its own member.join");
    const joined = this.authority.checkJoin(query);
    if (!joined.ok) return notAuthorised(joined.reason, joined.message);
    if (entry.body.invite !== joined.use.invite) return notAuthorised("malformed", "member.join must name the invite it redeems (the hash of the invite delegation)");
    const extra = (entry.body.abilities as string[]).filter((a) => !joined.grant.abilities.has(a as never));
    if (extra.length > 0) return notAuthorised("escalation", `the invite does not grant ${extra.join(", ")}`);
    let uses = this.#inviteUses.get(state.members);
    if (!uses) this.#inviteUses.set(state.members, (uses = new InviteUses(state.members)));
    if (uses.used(state.members, joined.use.invite) >= joined.use.terms.uses) {
      const refusal = inviteUsedUp(joined.use.terms.uses, joined.use.inviter);
      return notAuthorised(refusal.reason, refusal.message);
    }
    uses.allowed(state.members, entry.author);
    return OK;
  }

  #merged(state: LedgerState): Revocations {
    const all = state.revocations;
    const count = Object.keys(all).length;
    if (this.#revocations?.from === all && this.#revocations.count === count) return this.#revocations.merged;
    const accepted: AcceptedRevocation[] = [];
    for (const [target, revocation] of Object.entries(all)) {
      // A stranger's removal names a DID, not a delegation (open-authorisation.ts checks it).
      if (revocation.honoured && !target.startsWith("did:")) accepted.push({ hash: target as TokenHash, honoured: revocation.honoured });
    }
    const merged = mergeRevocations(accepted);
    this.#revocations = { from: all, count, merged };
    return merged;
  }
}
