/**
 * Joining an open pool (issue 12; ledger/README.md, 6.3), the same for the CLI and the app: read
 * the pool's join policy from the synced ledger, then record a `member.join` paid with a stamp or a
 * token. Solving the stamp (capability/join-stamp.ts) and fetching the token (net/join-token-fetch.ts)
 * are the caller's, since they show progress and talk to the network.
 */
import type { JoinStamp } from "../capability/join-stamp.ts";
import type { Ability } from "../capability/abilities.ts";
import type { Ledger } from "./ledger.ts";
import { appendOwn, type MembershipRefusal } from "./membership.ts";
import { OPEN_ABILITIES } from "./open-admission.ts";
import type { Author } from "./writer.ts";

export interface OpenJoinPolicy {
  readonly name: string;
  /** 0 when the pool takes tokens only. */
  readonly stampBits: number;
  /** Issuers whose tokens the pool takes, in the order they were listed. */
  readonly issuers: readonly { readonly url: string; readonly keyId: string }[];
}

export function openJoinPolicy(ledger: Ledger): { readonly ok: true; readonly policy: OpenJoinPolicy } | MembershipRefusal {
  const pool = ledger.state.pool;
  if (!pool) return { ok: false, reason: "no-pool", message: `this node has not seen pool ${ledger.options.pool} yet: sync it from a relay first` };
  if (!pool.open) return { ok: false, reason: "not-authorised", message: `pool "${pool.settings.name}" admits members by invitation only: ask a member for an invite link` };
  const issuers = Object.entries(pool.open.issuers).map(([keyId, issuer]) => ({ url: issuer.url, keyId }));
  return { ok: true, policy: { name: pool.settings.name, stampBits: pool.open.stampBits, issuers } };
}

export type OpenPayment = { readonly stamp: JoinStamp } | { readonly token: Uint8Array };

/** Records this node's paid join; the fold's verdict (admitted, queued or refused) comes back. */
export async function joinOpenPool(
  ledger: Ledger,
  joiner: Author,
  payment: OpenPayment,
  now: number,
  abilities: readonly Ability[] = OPEN_ABILITIES,
): Promise<{ readonly ok: true; readonly since: number } | MembershipRefusal> {
  const entry = await ledger.writerFor(joiner).write("member.join", { member: joiner.did, abilities: [...abilities], ...payment }, now, []);
  const appended = await appendOwn(ledger, entry);
  if (!appended.ok) return appended;
  return { ok: true, since: ledger.state.members[joiner.did]?.since ?? now };
}
