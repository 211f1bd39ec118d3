/**
 * The capability check the ledger asks of every entry: did `author` hold `ability` in `pool`
 * at the entry's time, through a valid, unrevoked chain to the pool root?
 *
 * Two steps, matching the ledger's Authoriser contract (src/core/ledger/authoriser.ts):
 * `checkProof` (asynchronous, from the token alone: signatures, structure, pool rules; cached by
 * token) and `authoriseVerified` (synchronous: root, addressee, time, revocation, ability, against
 * values the caller passes in). `authorise` runs both.
 */
import { ALL_ABILITIES, type Ability } from "./abilities.ts";
import { TokenVerifier, checkTimes, isoTime, type TokenHash } from "./chain.ts";
import type { InviteTerms } from "./issue.ts";
import { poolChain, type ChainLink, type PoolChain, type PoolChainResult } from "./pool-chain.ts";
import type { PoolId } from "./pool.ts";
import { refuse, type Refusal } from "./refusal.ts";
import type { Revocations } from "./revocation.ts";
import type { Did } from "../identity/did-key.ts";

export const DEFAULT_MAX_DEPTH = 6;

export interface AuthorityQuery {
  readonly pool: PoolId;
  readonly root: Did;
  readonly author: Did;
  /** The entry's time, seconds since the epoch. */
  readonly at: number;
  /** The entry's per-author sequence number (judged against revocations, never its time). */
  readonly seq: number;
  /** The author's delegation (absent for the root). */
  readonly proof: string | undefined;
  readonly revocations: Revocations;
}

export interface Grant {
  /** Everything the author holds in the pool (expanded). */
  readonly abilities: ReadonlySet<Ability>;
  /** Root first; empty when the author is the root. */
  readonly links: readonly ChainLink[];
}

export interface InviteUse {
  /** The invite link's delegation (to the invite key): the id under which uses are counted. */
  readonly invite: TokenHash;
  readonly inviter: Did;
  readonly terms: InviteTerms;
}

export type GrantResult = { ok: true; grant: Grant } | Refusal;
export type JoinResult = { ok: true; grant: Grant; use: InviteUse } | Refusal;
export type ProofResult = { ok: true } | Refusal;

const ROOT_GRANT: Grant = { abilities: new Set(ALL_ABILITIES), links: [] };

export class PoolAuthority {
  readonly #chains = new Map<string, { pool: PoolId; result: PoolChainResult }>();

  constructor(
    readonly verifier: TokenVerifier = new TokenVerifier(),
    readonly maxDepth: number = DEFAULT_MAX_DEPTH,
  ) {}

  /**
   * Structure, pool rules and signatures of a delegation, from the token alone (cached). The
   * cheap rules (decoding, links, attenuation, depth) run first, so a chain they refuse costs
   * no signature work.
   */
  async checkProof(proof: string, pool: PoolId): Promise<ProofResult> {
    const chain = this.#chain(proof, pool);
    if (!chain.ok) return chain;
    const signed = await this.verifier.verify(proof);
    return signed.ok ? { ok: true } : signed;
  }

  /** `checkProof`, then `authoriseVerified`. */
  async authorise(query: AuthorityQuery & { readonly ability: Ability }): Promise<GrantResult> {
    if (query.proof !== undefined && query.author !== query.root) {
      const proof = await this.checkProof(query.proof, query.pool);
      if (!proof.ok) return proof;
    }
    return this.authoriseVerified(query);
  }

  /**
   * Whether the author held `ability` at the entry's time and sequence. Precondition: the proof
   * passed `checkProof` (signatures are not checked again here, so this can run in a fold).
   */
  authoriseVerified(query: AuthorityQuery & { readonly ability: Ability }): GrantResult {
    const held = this.held(query);
    if (!held.ok) return held;
    if (!held.grant.abilities.has(query.ability)) {
      return refuse("not-granted", `${query.author} does not hold ${query.ability} in pool ${query.pool} (it holds ${[...held.grant.abilities].join(", ") || "nothing"})`);
    }
    return held;
  }

  /** A member.join (same precondition): the author's chain ends in a delegation from an invite key. */
  checkJoin(query: AuthorityQuery): JoinResult {
    const held = this.held(query);
    if (!held.ok) return held;
    const links = held.grant.links;
    const inviteLink = links[links.length - 2];
    if (!inviteLink?.invite) return refuse("malformed", `${query.author} did not join through an invite link`);
    const terms = inviteLink.invite;
    if (query.at > terms.joinBefore) {
      return refuse("invite-expired", `this invite link expired at ${isoTime(terms.joinBefore)}; ask ${inviteLink.iss} (who invited you) for a new link`);
    }
    return { ...held, use: { invite: inviteLink.hash, inviter: inviteLink.iss, terms } };
  }

  /** What the author holds at the entry's time and sequence (same precondition). */
  held(query: AuthorityQuery): GrantResult {
    if (query.author === query.root) return { ok: true, grant: ROOT_GRANT };
    if (query.proof === undefined) return refuse("not-granted", `${query.author} holds no delegation in pool ${query.pool}`);
    const built = this.#chain(query.proof, query.pool);
    if (!built.ok) return built;
    return checkUse(built.chain, query);
  }

  #chain(proof: string, pool: PoolId): PoolChainResult {
    const cached = this.#chains.get(proof);
    if (cached && cached.pool === pool) return cached.result;
    const token = this.verifier.structure(proof);
    const result = token.ok ? poolChain(token.verified, pool, this.maxDepth) : token;
    if (this.#chains.size >= this.verifier.cacheSize) this.#chains.delete(this.#chains.keys().next().value!);
    this.#chains.set(proof, { pool, result });
    return result;
  }
}

/** The per-call checks: root, addressee, invite keys, time, revocation. */
function checkUse(chain: PoolChain, query: AuthorityQuery): GrantResult {
  const first = chain.links[0]!;
  if (first.iss !== query.root) return refuse("wrong-root", `the chain starts at ${first.iss}, not at the pool root ${query.root}`);
  const leaf = chain.links[chain.links.length - 1]!;
  if (leaf.aud !== query.author) return refuse("wrong-audience", `the delegation is addressed to ${leaf.aud}, not to the author ${query.author}`);
  if (leaf.invite) return refuse("escalation", "an invite key can only delegate to the member who redeems it, not act in the pool");
  const timeProblem = checkTimes(chain.leaf, query.at);
  if (timeProblem) return timeProblem;
  if (query.revocations.size === 0) return { ok: true, grant: { abilities: chain.held, links: chain.links } };
  for (const link of chain.links) {
    const cut = query.revocations.get(link.hash);
    if (!cut) continue;
    const honoured = cut.get(query.author);
    if (honoured === undefined || query.seq > honoured) {
      const after = honoured === undefined ? "all of its entries" : `its entries after sequence ${honoured}`;
      return refuse("revoked", `the delegation from ${link.iss} to ${link.aud} was revoked; ${after} by ${query.author} are refused`);
    }
  }
  return { ok: true, grant: { abilities: chain.held, links: chain.links } };
}
