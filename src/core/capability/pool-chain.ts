/**
 * A pool chain: the delegations from the pool root to one member, root first, each with exactly
 * one proof. This module checks the rules that depend only on the tokens and the pool (cached
 * with them): the resource, attenuation, the right to delegate, and depth.
 *
 * Rules (docs/capabilities.md):
 *  - every capability names this pool's resource (that the first link is issued by the pool
 *    root is checked per call, as the root comes from the ledger);
 *  - a link grants only abilities its issuer holds (`pool/admin` implies all);
 *  - a non-root issuer may delegate only if it holds `member/invite`, or if it is an invite key
 *    (the audience of an invite link), which may delegate once per joiner and never to another
 *    invite key;
 *  - at most `maxDepth` links.
 */
import { isAbility, expandAbilities, poolResource, type Ability } from "./abilities.ts";
import type { TokenHash, VerifiedToken } from "./chain.ts";
import { INVITE_FACT, type InviteTerms } from "./issue.ts";
import type { PoolId } from "./pool.ts";
import { refuse, type Refusal } from "./refusal.ts";
import type { Did } from "../identity/did-key.ts";

export interface ChainLink {
  readonly hash: TokenHash;
  readonly iss: Did;
  readonly aud: Did;
  readonly granted: ReadonlySet<Ability>;
  /** Present when this link delegates to a one-time invite key. */
  readonly invite: InviteTerms | undefined;
}

export interface PoolChain {
  /** Root first; the last link is addressed to the member. */
  readonly links: readonly ChainLink[];
  /** What the member holds through the chain (expanded: `pool/admin` implies all). */
  readonly held: ReadonlySet<Ability>;
  /** The verified leaf token (for time checks, which run on every call). */
  readonly leaf: VerifiedToken;
}

export type PoolChainResult = { ok: true; chain: PoolChain } | Refusal;

function parseInviteFact(facts: readonly Record<string, unknown>[]): InviteTerms | undefined | Refusal {
  const found = facts.filter((f) => Object.hasOwn(f, INVITE_FACT));
  if (found.length === 0) return undefined;
  const terms = found[0]![INVITE_FACT] as Record<string, unknown> | null;
  const uses = terms?.uses;
  const joinBefore = terms?.joinBefore;
  if (found.length > 1 || !Number.isSafeInteger(uses) || (uses as number) < 1 || !Number.isSafeInteger(joinBefore)) {
    return refuse("malformed", "an invite delegation carries one invite fact with whole-number uses (at least 1) and joinBefore");
  }
  return { uses: uses as number, joinBefore: joinBefore as number };
}

function toLink(verified: VerifiedToken, pool: PoolId): ChainLink | Refusal {
  const { token } = verified;
  const resource = poolResource(pool);
  const granted = new Set<Ability>();
  for (const cap of token.att) {
    if (cap.with !== resource) return refuse("wrong-pool", `a delegation from ${token.iss} names ${cap.with}, not this pool (${resource})`);
    if (!isAbility(cap.can)) return refuse("malformed", `unknown pool ability ${JSON.stringify(cap.can)}`);
    granted.add(cap.can);
  }
  const invite = parseInviteFact(token.fct);
  if (invite && "ok" in invite) return invite;
  return {
    get hash() {
      return verified.hash;
    },
    iss: token.iss,
    aud: token.aud,
    granted,
    invite,
  };
}

/** Flattens a verified token into root-first links; EdgePool chains carry exactly one proof per link. */
function flatten(leaf: VerifiedToken): VerifiedToken[] | Refusal {
  const path: VerifiedToken[] = [];
  for (let node: VerifiedToken | undefined = leaf; node; node = node.proofs[0]) {
    if (node.proofs.length > 1) return refuse("malformed", "an EdgePool delegation carries at most one proof");
    path.push(node);
  }
  return path.reverse();
}

function checkDelegation(parent: ChainLink, child: ChainLink): Refusal | undefined {
  const parentHolds = expandAbilities(parent.granted);
  const extra = [...child.granted].filter((a) => !parentHolds.has(a));
  if (extra.length > 0) {
    return refuse("escalation", `${child.iss} delegated ${extra.join(", ")}, which it does not hold`);
  }
  if (parent.invite) {
    if (child.invite) return refuse("escalation", "an invite key cannot issue another invite");
    return undefined;
  }
  if (!parentHolds.has("member/invite")) {
    return refuse("escalation", `${child.iss} delegated to ${child.aud} without holding member/invite`);
  }
  return undefined;
}

/** Builds and checks the pool chain of a verified token for one pool (the root is checked per call). */
export function poolChain(leaf: VerifiedToken, pool: PoolId, maxDepth: number): PoolChainResult {
  const path = flatten(leaf);
  if (!Array.isArray(path)) return path;
  if (path.length > maxDepth) return refuse("too-deep", `the delegation chain has ${path.length} links; this pool allows at most ${maxDepth}`);
  const links: ChainLink[] = [];
  for (const verified of path) {
    const link = toLink(verified, pool);
    if ("ok" in link) return link;
    links.push(link);
  }
  for (let i = 1; i < links.length; i++) {
    const problem = checkDelegation(links[i - 1]!, links[i]!);
    if (problem) return problem;
  }
  return { ok: true, chain: { links, held: expandAbilities(links[links.length - 1]!.granted), leaf } };
}
