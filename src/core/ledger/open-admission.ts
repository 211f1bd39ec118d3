/**
 * Open pools (issue 12; ledger/README.md, "Open pools"): a stranger joins without an invite by
 * paying for its `member.join` with a proof-of-work stamp or a Privacy Pass token from an issuer
 * the pool lists. What the fold decides here, from the entry and the state alone:
 * - the admission proof holds for this pool, this joiner and the epoch of the entry's time;
 * - a token is spent once (its nonce is kept);
 * - at most max(5, 5% of current members) strangers are admitted per epoch; the rest wait in a
 *   deterministic queue (fold order) and are members from the start of the first epoch with room;
 * - an admitted stranger holds only the open abilities (run and submit jobs), with no delegation.
 */
import type { Ability } from "../capability/abilities.ts";
import { checkJoinStamp } from "../capability/join-stamp.ts";
import { checkJoinToken, joinTokenIssuer, type JoinTokenIssuer } from "../capability/join-token.ts";
import { bytesToHex, hexToBytes } from "../crypto/index.ts";
import type { Authorisation } from "./authoriser.ts";
import type { Requirement } from "./kinds.ts";
import type { LedgerState, OpenPoolState } from "./state.ts";
import type { Entry } from "./types.ts";
import { EPOCH_MS, epochOf } from "./verdict.ts";

/** What a stranger may do in an open pool; more needs an admin's delegation. */
export const OPEN_ABILITIES: readonly Ability[] = ["job/run", "job/submit"];
export const MIN_JOINS_PER_EPOCH = 5;
/** Per mille of current members admitted per epoch, when that is more than the minimum. */
export const JOINS_PER_EPOCH_PERMILLE = 50;

const refuse = (reason: string, message: string): Authorisation => ({ ok: false, reason: "not-authorised", message: `${reason}: ${message}` });

/** A `member.join` that pays with a stamp or a token instead of an invite chain. */
export const isOpenJoin = (entry: Entry): boolean => entry.kind === "member.join" && (entry.body.stamp !== undefined || entry.body.token !== undefined);

/** The parsed issuers of a state, cached by the state's issuer record (it is replaced, never edited, when one is added). */
const issuerCache = new WeakMap<OpenPoolState["issuers"], Map<string, JoinTokenIssuer>>();

function issuersOf(open: OpenPoolState): Map<string, JoinTokenIssuer> {
  let parsed = issuerCache.get(open.issuers);
  if (!parsed) {
    parsed = new Map();
    for (const listed of Object.values(open.issuers)) {
      const issuer = joinTokenIssuer(new URL(listed.url).host, hexToBytes(listed.key));
      if (issuer.ok) parsed.set(issuer.issuer.keyId, issuer.issuer);
    }
    issuerCache.set(open.issuers, parsed);
  }
  return parsed;
}

/** The nonce a token spends, hex (bytes 2..34 of a type-2 token). */
export const tokenNonce = (token: Uint8Array): string => bytesToHex(token.subarray(2, 34));

export function authoriseOpenJoin(entry: Entry, state: LedgerState): Authorisation {
  const open = state.pool?.open;
  if (!open) return refuse("not-open", "this pool admits members by invitation only");
  if (entry.body.member !== entry.author) return refuse("wrong-audience", "a stranger records its own member.join");
  if (entry.proof.length > 0) return refuse("malformed", "an open join carries a stamp or a token, not a delegation");
  const extra = (entry.body.abilities as Ability[]).filter((a) => !OPEN_ABILITIES.includes(a));
  if (extra.length > 0) return refuse("escalation", `an open join grants only ${OPEN_ABILITIES.join(" and ")}, not ${extra.join(", ")}`);
  const subject = { pool: entry.pool, did: entry.author };
  const epoch = epochOf(entry.time);
  if (entry.body.stamp !== undefined) {
    if (open.stampBits === 0) return refuse("stamps-not-accepted", "this pool admits strangers with issuer tokens only");
    const stamp = checkJoinStamp(entry.body.stamp, subject, open.stampBits, epoch);
    return stamp.ok ? { ok: true } : refuse(stamp.reason, stamp.message);
  }
  const token = checkJoinToken(entry.body.token, issuersOf(open), subject, epoch);
  if (!token.ok) return refuse(token.reason, token.message);
  if (Object.hasOwn(open.spentTokens, token.nonce)) return refuse("token-spent", "this join token was already spent on another join");
  return { ok: true };
}

/** An admitted stranger's entries: no delegation, the open abilities, from its admission time on. */
export function authoriseOpenMember(entry: Entry, requires: Exclude<Requirement, "genesis">, state: LedgerState): Authorisation | undefined {
  const member = state.members[entry.author];
  if (entry.proof.length > 0 || member?.admission === undefined) return undefined;
  if (member.revoked !== undefined && member.revoked <= entry.time) return refuse("revoked", `${entry.author} was removed from the pool`);
  if (entry.time < member.since) return refuse("join-queued", `${entry.author} waits in the join queue until ${new Date(member.since).toISOString()}`);
  if (requires !== "member" && !member.abilities.includes(requires)) return refuse("not-granted", `an open member does not hold ${requires}`);
  return { ok: true };
}

/**
 * The time an accepted open join takes effect: its own time while its epoch has room, else the
 * start of the first later epoch with room. Counts the admission; records a spent token.
 */
export function admitStranger(state: LedgerState, entry: Entry, id: string): number {
  const open = state.pool!.open!;
  if (entry.body.token instanceof Uint8Array) open.spentTokens[tokenNonce(entry.body.token)] = id;
  const current = Object.values(state.members).filter((m) => m.revoked === undefined).length;
  const cap = Math.max(MIN_JOINS_PER_EPOCH, Math.floor((current * JOINS_PER_EPOCH_PERMILLE) / 1000));
  let epoch = epochOf(entry.time);
  while ((open.admitted[epoch] ?? 0) >= cap) epoch++;
  open.admitted[epoch] = (open.admitted[epoch] ?? 0) + 1;
  return epoch === epochOf(entry.time) ? entry.time : epoch * EPOCH_MS;
}
