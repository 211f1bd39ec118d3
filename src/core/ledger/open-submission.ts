/**
 * Anonymous job submission in open pools (issue 12; ledger/README.md 6.3, "Anonymous submission").
 * A `job.submit` may be written by a fresh ephemeral did:key that holds no delegation and names no
 * member: its authority is a Privacy Pass token from an issuer the pool lists, bound to (pool,
 * ephemeral DID, epoch, purpose "submit"). The issuer rate-limits the people it checks, so the
 * token is the rate limit; the pool learns neither who submitted nor which of its members it was.
 * The fund pays the job (the ephemeral key holds no credits), so the pool caps its reward.
 */
import { checkJoinToken, type RsaPssVerify } from "../capability/join-token.ts";
import type { Authorisation } from "./authoriser.ts";
import { issuersOf, refuseOpen } from "./open-authorisation.ts";
import type { LedgerState } from "./state.ts";
import type { Entry } from "./types.ts";
import { epochOf } from "./verdict.ts";

/** A `job.submit` that spends a token instead of resting on a delegation. */
export const isAnonymousSubmit = (entry: Entry): boolean => entry.kind === "job.submit" && entry.body.token !== undefined;

export function authoriseAnonymousSubmit(entry: Entry, state: LedgerState, verify?: RsaPssVerify): Authorisation {
  const open = state.pool?.open;
  if (!open) return refuseOpen("not-open", "only an open pool takes anonymous submissions");
  if (!open.anonymous) return refuseOpen("anonymous-not-accepted", "this pool takes no anonymous submissions (an admin enables them with pool.anonymous)");
  if (entry.proof.length > 0) return refuseOpen("malformed", "an anonymous submission spends a token; it carries no delegation");
  const reward = entry.body.reward as number;
  if (reward > open.anonymous.maxReward) return refuseOpen("reward-too-high", `an anonymous job may offer at most ${open.anonymous.maxReward} credits (the fund pays it), not ${reward}`);
  const token = checkJoinToken(entry.body.token, issuersOf(open), { pool: entry.pool, did: entry.author, purpose: "submit" }, epochOf(entry.time), verify);
  if (!token.ok) return refuseOpen(token.reason, token.message);
  if (Object.hasOwn(open.spentTokens, token.nonce)) return refuseOpen("token-spent", "this token was already spent");
  // A fresh key for every submission: one that wrote before (or a member) would link submissions.
  if (entry.seq !== 1 || Object.hasOwn(state.authors, entry.author) || Object.hasOwn(state.members, entry.author)) {
    return refuseOpen("not-ephemeral", "an anonymous submission comes from a fresh key that has written nothing in this pool");
  }
  return { ok: true };
}
