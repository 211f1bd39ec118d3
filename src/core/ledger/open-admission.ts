/**
 * Open pools (issue 12; ledger/README.md, "Open pools"): a stranger joins without an invite by
 * paying for its `member.join` with a proof-of-work stamp or a Privacy Pass token from an issuer
 * the pool lists. What the fold decides here, from the entry and the state alone:
 * - the admission proof holds for this pool, this joiner and the epoch of the entry's time;
 * - a token is spent once (its nonce is kept);
 * - at most max(5, 5% of current members) strangers are admitted per epoch; the rest wait in a
 *   deterministic queue (fold order) and are members from the start of the first epoch with room;
 * - an admitted stranger holds only the open abilities (run and submit jobs), with no delegation;
 * - an anonymous submission's token is spent like a join's, and the fund pays its job
 *   (open-submission.ts authorises it).
 */
import type { Ability } from "../capability/abilities.ts";
import { bytesToHex } from "../crypto/index.ts";
import type { JobState, LedgerState } from "./state.ts";
import type { Entry, EntryId } from "./types.ts";
import { EPOCH_MS, epochOf } from "./verdict.ts";

/** What a stranger may do in an open pool; more needs an admin's delegation. */
export const OPEN_ABILITIES: readonly Ability[] = ["job/run", "job/submit"];
export const MIN_JOINS_PER_EPOCH = 5;
/** Per mille of current members admitted per epoch, when that is more than the minimum. */
export const JOINS_PER_EPOCH_PERMILLE = 50;

/** A `member.join` that pays with a stamp or a token instead of an invite chain. */
export const isOpenJoin = (entry: Entry): boolean => entry.kind === "member.join" && (entry.body.stamp !== undefined || entry.body.token !== undefined);

/** The nonce a token spends, hex (bytes 2..34 of a type-2 token). */
export const tokenNonce = (token: Uint8Array): string => bytesToHex(token.subarray(2, 34));

/** Keeps an open pool's count of members not revoked (the join cap's n) as members join and are revoked. */
export function countMembers(state: LedgerState, delta: 1 | -1): void {
  if (state.pool?.open) state.pool.open.members += delta;
}

/**
 * The time an accepted open join takes effect: its own time while its epoch has room, else the
 * start of the first later epoch with room. Counts the admission; records a spent token.
 */
export function admitStranger(state: LedgerState, entry: Entry, id: string): number {
  const open = state.pool!.open!;
  if (entry.body.token instanceof Uint8Array) open.spentTokens[tokenNonce(entry.body.token)] = id;
  // The joiner is counted already (applyMemberJoin records it first).
  const cap = Math.max(MIN_JOINS_PER_EPOCH, Math.floor((open.members * JOINS_PER_EPOCH_PERMILLE) / 1000));
  let epoch = epochOf(entry.time);
  while ((open.admitted[epoch] ?? 0) >= cap) epoch++;
  open.admitted[epoch] = (open.admitted[epoch] ?? 0) + 1;
  return epoch === epochOf(entry.time) ? entry.time : epoch * EPOCH_MS;
}

/** The fold's side of an accepted anonymous submission: the token is spent and the fund pays the job. */
export function spendAnonymousToken(state: LedgerState, job: JobState, token: Uint8Array, id: EntryId): void {
  state.pool!.open!.spentTokens[tokenNonce(token)] = id;
  job.funded = true;
}
