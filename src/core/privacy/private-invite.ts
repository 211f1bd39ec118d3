/**
 * Invites to a private pool that work with nobody else online (docs/privacy.md). The inviter wraps
 * the current epoch's key for the one-time invite key (derived, with its X25519 key, from the
 * link's fragment secret), puts that lockbox in the epoch document's mailbox, names the document
 * and the mailbox item in the link, and publishes the invite key in a signed `invite.create`, so
 * that rotations until the link is redeemed wrap their keys for it too. The joiner needs only the
 * link and a relay: it fetches the document, opens its lockbox, checks the key against the
 * document's id (which only the key derives), then reads on and follows rotations forward.
 */
import { stringifyAutomergeUrl, type DocumentId, type Repo } from "@automerge/automerge-repo";
import { generateSeed, hexToBytes } from "../crypto/index.ts";
import { inOwnTurn } from "../ledger/own-turn.ts";
import type { InviteLink } from "../capability/invite.ts";
import { recipientTag } from "../ledger/rules/privacy.ts";
import { appendOwn, createPoolInvite, type InviteOutcome, type InviteTerms, type MembershipRefusal } from "../ledger/membership.ts";
import { ownDelegation } from "../ledger/own-delegation.ts";
import { reject, type Result } from "../ledger/types.ts";
import type { Author } from "../ledger/writer.ts";
import { deriveEpochKey, type EpochKey } from "./epoch-key.ts";
import type { KeyHolder } from "./key-discovery.ts";
import { openLockbox, sealLockboxes } from "./lockbox.ts";
import { inviteHolder } from "./member-keys.ts";
import type { PrivateLedger, PrivateLedgerOptions } from "./private-ledger.ts";
import { findSealedDocument, readMailbox } from "./sealed-document.ts";

/** An invite link to a private pool, with the lockbox it points to posted and its key published. */
export function createPrivateInvite(node: PrivateLedger, inviter: Author, terms: InviteTerms, now: number): Promise<InviteOutcome | MembershipRefusal> {
  return inOwnTurn(node.ledger, inviter.did, () => inviteInTurn(node, inviter, terms, now));
}

async function inviteInTurn(node: PrivateLedger, inviter: Author, terms: InviteTerms, now: number): Promise<InviteOutcome | MembershipRefusal> {
  const key = node.sealingKey();
  if (!key || node.view().pendingRotation) {
    return { ok: false, reason: "not-authorised", message: "this node does not hold the pool's latest key yet: sync with a relay (--relay URL) and try again" };
  }
  const seed = generateSeed();
  const holder = inviteHolder(seed);
  const lockbox = await sealLockboxes(node.options.pool, key.epoch, key.secret, [{ did: holder.did, kex: holder.kex.publicKey }], node.native.hpkeSeal);
  const created = await createPoolInvite(node.ledger, inviter, terms, now, { seed, sealed: { document: key.documentId, epoch: key.epoch, mailbox: lockbox.hash } });
  if (!created.ok) return created;
  node.postMailbox(key, lockbox.hash, lockbox.item);
  const own = ownDelegation(node.ledger, inviter.did);
  const proof = own.ok && own.proof ? [own.proof] : [];
  const published = await node.ledger.writerFor(inviter).write("invite.create", { invite: created.invite, key: holder.did, kex: holder.kex.publicKey, uses: terms.uses, joinBefore: created.joinBefore }, now, proof);
  const appended = await appendOwn(node.ledger, published);
  return appended.ok ? created : appended;
}

/** The epoch key a private pool's link leads to, fetched and opened with the link's secret alone. */
export async function openInviteKey(repo: Repo, link: InviteLink, share?: PrivateLedgerOptions["share"]): Promise<Result<{ key: EpochKey; holder: KeyHolder }>> {
  const pointer = link.sealed;
  if (!pointer) return reject("unknown-reference", "this invite link is for a pool that is not private");
  const holder = inviteHolder(link.key);
  let url;
  try {
    url = stringifyAutomergeUrl({ documentId: pointer.document as DocumentId });
  } catch {
    return reject("malformed", "the invite link names a document id that is not one");
  }
  share?.hide(pointer.document as DocumentId);
  const handle = await findSealedDocument(repo, { documentUrl: url });
  const item = handle ? readMailbox(handle.doc(), pointer.mailbox) : undefined;
  if (item === undefined) return reject("unknown-reference", `the pool's key for this link is not on any reachable relay yet; check the relay and try again (epoch ${pointer.epoch})`);
  const opened = await openLockbox(link.pool, pointer.epoch, item, pointer.mailbox, hexToBytes(recipientTag(holder.did)), holder);
  if (!opened.ok) return reject("bad-body", `the invite's lockbox: ${opened.message}`);
  const key = deriveEpochKey(link.pool, pointer.epoch, opened.secret);
  if (key.documentId !== pointer.document) return reject("bad-body", "the invite's lockbox holds a key that is not the one of the document it names");
  return { ok: true, key, holder };
}
