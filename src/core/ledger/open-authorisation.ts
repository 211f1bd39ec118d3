/**
 * Authorisation of open-pool entries (issue 12; ledger/README.md, 6.3), called by the UCAN
 * authoriser: a stranger's paid join, and a stranger's later entries, which carry no delegation.
 */
import type { Ability } from "../capability/abilities.ts";
import { checkJoinStamp } from "../capability/join-stamp.ts";
import { checkJoinToken, joinTokenIssuer, type JoinTokenIssuer, type RsaPssVerify } from "../capability/join-token.ts";
import { hexToBytes } from "../crypto/index.ts";
import type { Authorisation } from "./authoriser.ts";
import type { Requirement } from "./kinds.ts";
import { OPEN_ABILITIES, tokenNonce } from "./open-admission.ts";
import type { LedgerState, OpenPoolState } from "./state.ts";
import type { Entry } from "./types.ts";
import { epochOf } from "./verdict.ts";

export const refuseOpen = (reason: string, message: string): Authorisation => ({ ok: false, reason: "not-authorised", message: `${reason}: ${message}` });

/** The parsed issuers of a state, cached by the state's issuer record (it is replaced, never edited, when one is added). */
const issuerCache = new WeakMap<OpenPoolState["issuers"], Map<string, JoinTokenIssuer>>();

export function issuersOf(open: OpenPoolState): Map<string, JoinTokenIssuer> {
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

export function authoriseOpenJoin(entry: Entry, state: LedgerState, verify?: RsaPssVerify): Authorisation {
  const open = state.pool?.open;
  if (!open) return refuseOpen("not-open", "this pool admits members by invitation only");
  if (entry.body.member !== entry.author) return refuseOpen("wrong-audience", "a stranger records its own member.join");
  if (Object.hasOwn(state.revocations, entry.author)) return refuseOpen("revoked", `${entry.author} was removed from this pool and cannot join again`);
  if (entry.proof.length > 0) return refuseOpen("malformed", "an open join carries a stamp or a token, not a delegation");
  const extra = (entry.body.abilities as Ability[]).filter((a) => !OPEN_ABILITIES.includes(a));
  if (extra.length > 0) return refuseOpen("escalation", `an open join grants only ${OPEN_ABILITIES.join(" and ")}, not ${extra.join(", ")}`);
  const subject = { pool: entry.pool, did: entry.author };
  const epoch = epochOf(entry.time);
  if (entry.body.stamp !== undefined) {
    if (open.stampBits === 0) return refuseOpen("stamps-not-accepted", "this pool admits strangers with issuer tokens only");
    const stamp = checkJoinStamp(entry.body.stamp, subject, open.stampBits, epoch);
    return stamp.ok ? { ok: true } : refuseOpen(stamp.reason, stamp.message);
  }
  const token = checkJoinToken(entry.body.token, issuersOf(open), subject, epoch, verify);
  if (!token.ok) return refuseOpen(token.reason, token.message);
  if (Object.hasOwn(open.spentTokens, token.nonce)) return refuseOpen("token-spent", "this join token was already spent on another join");
  return { ok: true };
}

/** An admitted stranger's entries: no delegation, the open abilities, from its admission time on. */
export function authoriseOpenMember(entry: Entry, requires: Exclude<Requirement, "genesis">, state: LedgerState): Authorisation | undefined {
  const member = state.members[entry.author];
  if (entry.proof.length > 0 || member?.admission === undefined) return undefined;
  // As for a revoked delegation: the sequence, not the claimed time, decides (no backdating).
  const removal = state.revocations[entry.author];
  if (removal && entry.seq > (removal.honoured?.[entry.author] ?? 0)) return refuseOpen("revoked", `${entry.author} was removed from the pool`);
  if (entry.time < member.since) return refuseOpen("join-queued", `${entry.author} waits in the join queue until ${new Date(member.since).toISOString()}`);
  if (requires !== "member" && !member.abilities.includes(requires)) return refuseOpen("not-granted", `an open member does not hold ${requires}`);
  return { ok: true };
}

/** A `ucan.revoke` that removes a stranger: its target is the stranger's DID and it carries no token. */
export const isStrangerRemoval = (entry: Entry): boolean => entry.body.token === undefined && typeof entry.body.target === "string" && entry.body.target.startsWith("did:key:");

/** The stateless shape of a removal: it honours exactly the removed stranger's sequences up to one number. */
export function checkStrangerRemoval(entry: Entry): Authorisation {
  const { target, honoured, from } = entry.body as { target: string; honoured?: Record<string, number>; from?: number };
  const malformed = (message: string): Authorisation => ({ ok: false, reason: "bad-proof", message: `malformed: ${message}` });
  if (honoured === undefined || from === undefined) return malformed("removing a stranger names the sequences it honours and the time it applies from");
  const keys = Object.keys(honoured);
  if (keys.length !== 1 || keys[0] !== target) return malformed("removing a stranger honours the removed stranger's own sequences only");
  if (from > entry.time) return malformed("a removal cannot apply from after its own time");
  return { ok: true };
}
