/**
 * A member's own membership steps, written the same way by every front end (the CLI's pool
 * commands and the app's Pools screens): append one's own entry and learn at once whether this
 * node refused it, join with a redeemed invite, and revoke a delegation (a member's, or an
 * invite link's). Messages to people stay with the callers; reasons and facts come from here.
 */
import { checkRevoker, highestContiguous } from "../capability/revocation.ts";
import { TokenVerifier, tokenHash, type TokenHash } from "../capability/chain.ts";
import { createInvite, inviteRevoked, inviteUsedUp, parseInviteLink, type CreateInviteRequest, type Redemption } from "../capability/invite.ts";
import type { RefusalReason } from "../capability/refusal.ts";
import type { Ability } from "../capability/abilities.ts";
import type { Did } from "../identity/did-key.ts";
import type { Ledger } from "./ledger.ts";
import { recordInviteDeadline } from "./invite-deadlines.ts";
import { ownDelegation } from "./own-delegation.ts";
import { UcanAuthoriser } from "./ucan-authoriser.ts";
import { inOwnTurn, ownTime } from "./own-turn.ts";
import type { Kind, RejectReason, SignedEntry } from "./types.ts";
import type { Author } from "./writer.ts";

export type MembershipReason = RefusalReason | RejectReason | "no-pool" | "not-a-member" | "unknown-target";

export interface MembershipRefusal {
  readonly ok: false;
  readonly reason: MembershipReason;
  readonly message: string;
}

const refusal = (reason: MembershipReason, message: string): MembershipRefusal => ({ ok: false, reason, message });

/** Entries this node validated and folded (the ones it refused are left out). */
export function acceptedEntries(ledger: Ledger): SignedEntry[] {
  const refused = new Set(ledger.view().invalid.map((i) => i.key));
  return ledger.entries().filter((e) => !refused.has(e.id));
}

/** Appends this node's own entry; a refusal, stateless or by the fold, comes back with its reason. */
export async function appendOwn(ledger: Ledger, signed: SignedEntry): Promise<{ ok: true } | MembershipRefusal> {
  const appended = await ledger.append([signed]);
  if (!appended.ok) return refusal(appended.reason, appended.message);
  await ledger.settled();
  const refused = ledger.view().invalid.find((i) => i.key === signed.id);
  return refused ? refusal(refused.reason, refused.message) : { ok: true };
}

export interface InviteTerms {
  readonly abilities: readonly Ability[];
  readonly uses: number;
  /** Seconds: the link cannot be redeemed after this. */
  readonly joinBefore: number;
  /** Seconds: when the membership it grants ends (capped at the inviter's own). */
  readonly memberExpiration: number;
  /** The app's URL the link opens. */
  readonly appUrl: string;
  readonly relay: string | undefined;
}

export type InviteOutcome = { readonly ok: true; readonly link: string; readonly invite: TokenHash; readonly joinBefore: number; readonly expiration: number };

/** An invite link to this pool from `inviter`, who must hold member/invite and every ability granted. */
export async function createPoolInvite(
  ledger: Ledger,
  inviter: Author,
  terms: InviteTerms,
  now: number,
  link: Pick<CreateInviteRequest, "seed" | "sealed"> = {},
): Promise<InviteOutcome | MembershipRefusal> {
  const own = ownDelegation(ledger, inviter.did);
  if (!own.ok) return refusal(own.reason, own.reason === "no-pool" ? `this node has no ledger for pool ${ledger.options.pool} yet` : `${inviter.did} is not a member of pool ${ledger.options.pool}: join it with an invite link first`);
  const held = await new UcanAuthoriser().holdings(inviter.did, own.proof, ledger.state, now);
  if (!held.ok) return held;
  const created = await createInvite({
    ...terms,
    inviter: inviter.signingKey,
    inviterProof: own.proof,
    inviterHolds: held.grant.abilities,
    pool: ledger.options.pool,
    poolName: ledger.state.pool?.settings.name,
    ...link,
  });
  if (!created.ok) return created;
  const joinBefore = Math.min(terms.joinBefore, created.expiration);
  // The node's checkpoint writer closes the invite soon after this (auto-checkpoint.ts).
  await recordInviteDeadline(ledger.options.storage, ledger.options.pool, created.invite, joinBefore);
  return { ...created, joinBefore };
}

export type JoinOutcome = {
  readonly ok: true;
  /** `pending`: this node has not seen the pool yet, so the join is recorded and judged once it syncs. */
  readonly status: "joined" | "already-member" | "pending";
  readonly abilities: readonly Ability[];
  /** Joins the link still allows, as far as this node has seen. */
  readonly usesLeft: number;
};

const usesOf = (ledger: Ledger, invite: TokenHash): number => Object.values(ledger.state.members).filter((m) => m.invite === invite).length;

export type InviteStanding = {
  readonly ok: true;
  /** Joins the link still allows, as far as this node has seen. */
  readonly usesLeft: number;
  /** The joiner's abilities when it is already an active member. */
  readonly member: readonly Ability[] | undefined;
};

/**
 * What this node's ledger says of a redeemed invite for `joiner` before it joins: already a member,
 * or how many joins are left; a revoked or used-up link is refused, saying which and whom to ask.
 */
export function inviteStanding(ledger: Ledger, redemption: Redemption, joiner: Did): InviteStanding | MembershipRefusal {
  const state = ledger.state;
  const member = state.members[joiner];
  const usesLeft = redemption.terms.uses - usesOf(ledger, redemption.invite);
  if (member && member.revoked === undefined) return { ok: true, usesLeft, member: member.abilities };
  if (state.revocations[redemption.invite]) return inviteRevoked(redemption.inviter);
  if (usesLeft <= 0) return inviteUsedUp(redemption.terms.uses, redemption.inviter);
  return { ok: true, usesLeft, member: undefined };
}

/**
 * Records `member.join` for a redeemed invite. What this node already knows (a revoked or used-up
 * link) refuses early; the ledger decides the same for every node anyway. `kex` is the joiner's
 * key-agreement key, which a private pool's rotations wrap its keys for.
 */
export async function joinWithInvite(ledger: Ledger, joiner: Author, redemption: Redemption, now: number, kex?: Uint8Array): Promise<JoinOutcome | MembershipRefusal> {
  const state = ledger.state;
  const standing = inviteStanding(ledger, redemption, joiner.did);
  if (!standing.ok) return standing;
  if (standing.member) return { ok: true, status: "already-member", abilities: standing.member, usesLeft: standing.usesLeft };
  const body = { member: joiner.did, abilities: [...redemption.abilities], invite: redemption.invite, ...(kex ? { kex } : {}) };
  const entry = await ledger.writerFor(joiner).write("member.join", body, now, [redemption.proof]);
  if (state.pool) {
    const appended = await appendOwn(ledger, entry);
    if (!appended.ok) return appended;
  } else {
    const appended = await ledger.append([entry]);
    if (!appended.ok) return refusal(appended.reason, appended.message);
  }
  return { ok: true, status: state.pool ? "joined" : "pending", abilities: redemption.abilities, usesLeft: standing.usesLeft - 1 };
}

/**
 * The delegation a revocation target names: a member's DID (the delegation it joined with), an
 * invite link (its delegation to the invite key), or a delegation token itself.
 */
/** What a revocation names: a delegation (by token), or an open pool's stranger, which holds none. */
export type RevocationTarget = { readonly ok: true; readonly token: string } | { readonly ok: true; readonly stranger: Did };

export function revocationTarget(ledger: Ledger, target: string): RevocationTarget | MembershipRefusal {
  if (target.startsWith("did:") && ledger.state.members[target]?.admission !== undefined) return { ok: true, stranger: target as Did };
  if (target.startsWith("did:")) {
    const join = acceptedEntries(ledger).find((e) => e.entry.kind === "member.join" && e.entry.author === target);
    const token = join === undefined ? undefined : delegationOf(ledger, join);
    return token ? { ok: true, token } : refusal("unknown-target", `${target} did not join pool ${ledger.options.pool} through an invite that this node has seen`);
  }
  if (target.includes("#/join/")) {
    const link = parseInviteLink(target);
    return link.ok ? { ok: true, token: link.invite.token } : link;
  }
  if (target.split(".").length === 3) return { ok: true, token: target };
  return refusal("unknown-target", "the target must be a did:key, an invite link or a delegation token");
}

export type RevokeOutcome = {
  readonly ok: true;
  /** The revoked delegation's hash, or the removed stranger's DID. */
  readonly target: TokenHash | Did;
  /** True when this node had already seen a revocation of it (nothing new was written). */
  readonly already: boolean;
  /** Per DID whose entries rest on the delegation: its highest sequence that stays valid. */
  readonly honoured: Readonly<Record<string, number>>;
};

/** The delegation token an entry names by CID in its proof, if this node holds it. */
const delegationOf = (ledger: Ledger, { entry }: SignedEntry): string | undefined => (entry.proof[0] === undefined ? undefined : ledger.token(entry.proof[0]));

/** Link hashes of a delegation chain, leaf first. */
function chainHashes(verifier: TokenVerifier, proof: string): TokenHash[] {
  const structure = verifier.structure(proof);
  const hashes: TokenHash[] = [];
  for (let node = structure.ok ? structure.verified : undefined; node; node = node.proofs[0]) hashes.push(node.hash);
  return hashes;
}

/** For each DID whose entries rest on the revoked delegation: its highest sequence with no gap below. */
function honouredSequences(ledger: Ledger, revoked: TokenHash, verifier: TokenVerifier): Record<string, number> {
  const all = ledger.entries();
  const affected = new Set(
    all.filter((e) => {
      const token = delegationOf(ledger, e);
      return token !== undefined && chainHashes(verifier, token).includes(revoked);
    }).map((e) => e.entry.author),
  );
  const honoured: Record<string, number> = {};
  for (const did of [...affected].sort()) honoured[did] = highestContiguous(all.filter((e) => e.entry.author === did).map((e) => e.entry.seq), 1);
  return honoured;
}

export type RevocationDraft = {
  readonly ok: true;
  readonly target: TokenHash;
  /** Set when this node had already seen a revocation of it (nothing new to write). */
  readonly entry: SignedEntry | undefined;
  /** Per DID whose entries rest on the delegation: its highest sequence that stays valid. */
  readonly honoured: Readonly<Record<string, number>>;
};

/**
 * Signs `ucan.revoke` for `token`, which `revoker` must have issued (or one it rests on), without
 * appending it (a private pool sends it together with the key rotation it calls for).
 */
export async function draftRevocation(ledger: Ledger, revoker: Author, token: string, now: number): Promise<RevocationDraft | MembershipRefusal> {
  const pool = ledger.state.pool;
  if (!pool) return refusal("no-pool", `this node has no ledger for pool ${ledger.options.pool} yet`);
  const verifier = new TokenVerifier();
  const allowed = await checkRevoker(token, revoker.did, verifier);
  if (!allowed.ok) return allowed;
  const target = tokenHash(token);
  if (ledger.state.revocations[target]) return { ok: true, target, entry: undefined, honoured: ledger.state.revocations[target].honoured ?? {} };
  const honoured = honouredSequences(ledger, target, verifier);
  // History a checkpoint covers is final; before the first checkpoint the revocation reaches back
  // to just after the pool's start (at the start itself it could sort before pool.create).
  const checkpoint = ledger.state.checkpoint;
  const from = checkpoint ? checkpoint.through + 1 : pool.created + 1;
  return { ok: true, target, entry: await ledger.writerFor(revoker).write("ucan.revoke", { target, token, honoured, from }, now), honoured };
}

/**
 * Writes `ucan.revoke` for `token`. Every entry resting on it that this node has seen stays valid;
 * every later one is refused.
 */
export const revokeDelegation = (ledger: Ledger, revoker: Author, token: string, now: number): Promise<RevokeOutcome | MembershipRefusal> =>
  inOwnTurn(ledger, revoker.did, () => revokeInTurn(ledger, revoker, token, ownTime(ledger.state, revoker.did, now)));

async function revokeInTurn(ledger: Ledger, revoker: Author, token: string, now: number): Promise<RevokeOutcome | MembershipRefusal> {
  const draft = await draftRevocation(ledger, revoker, token, now);
  if (!draft.ok) return draft;
  const { target, entry, honoured } = draft;
  if (!entry) return { ok: true, target, already: true, honoured };
  const appended = await appendOwn(ledger, entry);
  return appended.ok ? { ok: true, target, already: false, honoured } : appended;
}

/**
 * Removes a stranger from an open pool (`revoker` must hold pool/admin): a `ucan.revoke` naming
 * its DID. Its entries this node has seen stay valid; every later one is refused, whatever time it
 * claims, and it cannot join again with that DID.
 */
export async function removeStranger(ledger: Ledger, revoker: Author, stranger: Did, now: number): Promise<RevokeOutcome | MembershipRefusal> {
  const pool = ledger.state.pool;
  if (!pool) return refusal("no-pool", `this node has no ledger for pool ${ledger.options.pool} yet`);
  const own = ownDelegation(ledger, revoker.did);
  if (!own.ok) return refusal("not-authorised", `${revoker.did} holds no delegation in this pool: only an admin removes a stranger`);
  const seen = ledger.state.revocations[stranger];
  if (seen) return { ok: true, target: stranger, already: true, honoured: seen.honoured ?? {} };
  const theirs = ledger.entries().filter((e) => e.entry.author === stranger);
  const seq = highestContiguous(theirs.map((e) => e.entry.seq), 1);
  // From just after its join (so every later entry is judged by sequence, not by the time it
  // claims) and after what a checkpoint made final; never after now.
  const joined = Math.max(0, ...theirs.filter((e) => e.entry.kind === "member.join").map((e) => e.entry.time));
  const checkpoint = ledger.state.checkpoint;
  const from = Math.min(now, Math.max(joined + 1, checkpoint ? checkpoint.through + 1 : pool.created));
  const honoured = { [stranger]: seq };
  const body = { target: stranger, honoured, from };
  const appended = await signAndAppend(ledger, revoker, "ucan.revoke", body, now, own.proof);
  return appended.ok ? { ok: true, target: stranger, already: false, honoured } : appended;
}

/** Revokes what `revocationTarget` resolved: a delegation, or a stranger's membership. */
export const revokeTarget = (ledger: Ledger, revoker: Author, target: RevocationTarget, now: number): Promise<RevokeOutcome | MembershipRefusal> =>
  "stranger" in target ? removeStranger(ledger, revoker, target.stranger, now) : revokeDelegation(ledger, revoker, target.token, now);

/** Appends an admin's pool-wide setting (the latest in fold order holds), proved by its own delegation. */
async function appendSetting(ledger: Ledger, admin: Author, kind: "pool.network" | "pool.anonymous", body: Record<string, unknown>, now: number): Promise<{ ok: true } | MembershipRefusal> {
  const own = ownDelegation(ledger, admin.did);
  if (!own.ok) return refusal(own.reason, own.reason === "no-pool" ? "this node has no ledger of the pool yet" : `${admin.did} is not a member of the pool`);
  return signAndAppend(ledger, admin, kind, body, now, own.proof);
}

/** Signs and appends one entry of `author` in its turn of own writes (./own-turn.ts), never dated before its last. */
const signAndAppend = (ledger: Ledger, author: Author, kind: Kind, body: Record<string, unknown>, now: number, proof: string | undefined): Promise<{ ok: true } | MembershipRefusal> =>
  inOwnTurn(ledger, author.did, async () => appendOwn(ledger, await ledger.writerFor(author).write(kind, body, ownTime(ledger.state, author.did, now), proof === undefined ? [] : [proof])));

/**
 * Sets how the pool's members connect directly (pool.network, an admin's entry): its STUN/TURN
 * servers and whether direct connections are off for everyone.
 */
export const setPoolNetwork = (ledger: Ledger, admin: Author, network: { ice: readonly string[]; relayOnly: boolean }, now: number): Promise<{ ok: true } | MembershipRefusal> =>
  appendSetting(ledger, admin, "pool.network", { ice: [...network.ice], relayOnly: network.relayOnly ? 1 : 0 }, now);

/**
 * Turns an open pool's anonymous submissions on (with the most one job may offer, paid by the
 * fund) or off (pool.anonymous, an admin's entry; ledger/README.md 6.3).
 */
export const setPoolAnonymous = (ledger: Ledger, admin: Author, anonymous: { enabled: boolean; maxReward: number }, now: number): Promise<{ ok: true } | MembershipRefusal> =>
  appendSetting(ledger, admin, "pool.anonymous", { enabled: anonymous.enabled ? 1 : 0, maxReward: anonymous.maxReward }, now);
