/**
 * Revocation in a private pool (docs/privacy.md): the `ucan.revoke` and the `key.rotate` that
 * shuts the removed members (and a revoked link's invite key) out travel in one envelope, under
 * the key everyone else already holds. A revoker without pool/admin cannot rotate: its revocation
 * goes out alone, and the pool's admins rotate when they see it (`rotationDue`, `maintainKeys`).
 */
import { expandAbilities } from "../capability/abilities.ts";
import type { Did } from "../identity/did-key.ts";
import { inOwnTurn } from "../ledger/own-turn.ts";
import { appendOwn, draftRevocation, type MembershipRefusal, type RevokeOutcome } from "../ledger/membership.ts";
import type { Rejection } from "../ledger/types.ts";
import { UcanAuthoriser } from "../ledger/ucan-authoriser.ts";
import type { PrivateLedger } from "./private-ledger.ts";
import { rotateKeyInTurn, type Writer } from "./rotation.ts";

export type PrivateRevokeOutcome = RevokeOutcome & {
  /** The new key epoch, or why this node could not rotate (undefined: nothing new was revoked). */
  readonly rotation: { readonly ok: true; readonly epoch: number } | ({ readonly ok: false } & Rejection) | undefined;
};

/** Revokes `token` and, for an admin, rotates, in the revoker's turn of own writes (ledger/own-turn.ts). */
export function revokeAndRotate(node: PrivateLedger, writer: Writer, token: string, now: number): Promise<PrivateRevokeOutcome | MembershipRefusal> {
  return inOwnTurn(node.ledger, writer.author.did, () => revokeInTurn(node, writer, token, now));
}

async function revokeInTurn(node: PrivateLedger, writer: Writer, token: string, now: number): Promise<PrivateRevokeOutcome | MembershipRefusal> {
  const { ledger } = node;
  const draft = await draftRevocation(ledger, writer.author, token, now);
  if (!draft.ok) return draft;
  const { target, entry, honoured } = draft;
  if (!entry) return { ok: true, target, already: true, honoured, rotation: undefined };
  const held = await new UcanAuthoriser().holdings(writer.author.did, writer.proof, ledger.state, now);
  if (held.ok && expandAbilities(held.grant.abilities).has("pool/admin")) {
    const inviteKey = ledger.state.privacy?.invites[target]?.key;
    const removed: Did[] = [...(Object.keys(honoured) as Did[]), ...(inviteKey ? [inviteKey] : [])];
    const rotated = await rotateKeyInTurn({ node, ...writer, time: now, revocations: [entry], removed });
    return rotated.ok ? { ok: true, target, already: false, honoured, rotation: { ok: true, epoch: rotated.epoch } } : rotated;
  }
  const appended = await appendOwn(ledger, entry);
  if (!appended.ok) return appended;
  const rotation = { ok: false as const, reason: "not-authorised" as const, message: "rotating the key needs pool/admin: the pool's admins rotate when they next see the revocation" };
  return { ok: true, target, already: false, honoured, rotation };
}
