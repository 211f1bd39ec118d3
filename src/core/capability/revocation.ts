/**
 * Revocation (docs/capabilities.md, "Revocation and backdating").
 *
 * A `ucan.revoke` entry names a delegation (the whole token) and, for each DID whose authority
 * rests on it, the highest sequence number of that DID's entries that stays honoured. Every entry
 * whose chain contains a revoked delegation is judged by (author, sequence), never by its claimed
 * time: an entry is valid only if its sequence is at or below the honoured number for its author.
 * A revoked member cannot write around this: a new entry needs a new sequence number (above the
 * cut), and reusing a number at or below it is equivocation, which the ledger rejects anyway.
 * So the verdict is the same on every node, whatever order entries and revocations arrive in.
 *
 * Several revocations of one delegation merge to the strictest: per DID the smallest honoured
 * number, and a DID missing from any of them has nothing honoured. Merging is a min over a set,
 * so it is order-independent too.
 */
import type { Did } from "../identity/did-key.ts";
import { tokenHash, type TokenHash, type TokenVerifier, type VerifiedToken } from "./chain.ts";
import { refuse, type Refusal } from "./refusal.ts";

/** The body of a `ucan.revoke` entry, as the capability layer needs it. */
export interface RevocationRecord {
  /** The revoked delegation, encoded. */
  readonly token: string;
  /** Per DID resting on it: the highest sequence number that stays valid. */
  readonly honoured: Readonly<Record<string, number>>;
}

/** Merged revocations: revoked token hash -> (DID -> highest honoured sequence). */
export type Revocations = ReadonlyMap<TokenHash, ReadonlyMap<Did, number>>;

export const NO_REVOCATIONS: Revocations = new Map();

const issuers = (verified: VerifiedToken): Did[] => [verified.token.iss, ...verified.proofs.flatMap(issuers)];

/**
 * Only an issuer of the revoked delegation or of one upstream of it may revoke it (UCAN 0.8.1,
 * "Revocation"): the pool root can revoke anything in its pool, a member only what it delegated.
 */
export async function checkRevoker(token: string, revoker: Did, verifier: TokenVerifier): Promise<{ ok: true; hash: TokenHash } | Refusal> {
  const verified = await verifier.verify(token);
  if (!verified.ok) return { ...verified, message: `the revoked delegation is not valid: ${verified.message}` };
  if (!issuers(verified.verified).includes(revoker)) {
    return refuse("escalation", `${revoker} did not issue this delegation or any delegation it rests on, so it cannot revoke it`);
  }
  return { ok: true, hash: tokenHash(token) };
}

export interface AcceptedRevocation {
  readonly hash: TokenHash;
  readonly honoured: RevocationRecord["honoured"];
}

/** Merges accepted revocations (already checked with `checkRevoker`) into the strictest cut per DID. */
export function mergeRevocations(accepted: readonly AcceptedRevocation[]): Revocations {
  const grouped = new Map<TokenHash, AcceptedRevocation[]>();
  for (const revocation of accepted) grouped.set(revocation.hash, [...(grouped.get(revocation.hash) ?? []), revocation]);
  const merged = new Map<TokenHash, Map<Did, number>>();
  for (const [hash, records] of grouped) {
    const cut = new Map<Did, number>();
    for (const did of Object.keys(records[0]!.honoured) as Did[]) {
      if (records.every((r) => Object.hasOwn(r.honoured, did))) cut.set(did, Math.min(...records.map((r) => r.honoured[did]!)));
    }
    merged.set(hash, cut);
  }
  return merged;
}

/**
 * The honoured number for one author: the highest sequence such that this node has seen every
 * entry of that author up to it. An entry beyond a gap may still be in flight, so it is not
 * vouched for; `first` is the ledger's first sequence number.
 */
export function highestContiguous(seen: Iterable<number>, first: number): number {
  const set = new Set(seen);
  let n = first - 1;
  while (set.has(n + 1)) n++;
  return n;
}
