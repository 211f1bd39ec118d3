/**
 * Starting and rotating a private pool's key epochs (docs/privacy.md). A rotation draws a fresh
 * secret, wraps it for every current member (and every invite link that can still admit someone)
 * in a padded lockbox list, starts the new epoch's document (whose id only new-key holders can compute) with
 * the previous secret sealed inside it, and announces itself with a signed `key.rotate` sealed
 * under the previous key, in the same envelope as any revocation it answers.
 */
import { hexToBytes } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";
import { inOwnTurn, ownTime } from "../ledger/own-turn.ts";
import { recipientTag, RECIPIENT_TAG_LENGTH } from "../ledger/rules/privacy.ts";
import type { LedgerState } from "../ledger/state.ts";
import { reject, type Rejection, type Result, type SignedEntry } from "../ledger/types.ts";
import type { Author } from "../ledger/writer.ts";
import { newEpochKey, sealPrevious, type EpochKey } from "./epoch-key.ts";
import { sealLockboxes, type Recipient } from "./lockbox.ts";
import { PrivateLedger, type PrivateLedgerOptions } from "./private-ledger.ts";
import { putPrevious } from "./sealed-document.ts";

export interface Writer {
  readonly author: Author;
  /** The author's delegation (absent for the pool root). */
  readonly proof?: string;
}

export interface RotationResult {
  readonly epoch: number;
  readonly key: EpochKey;
  /** The signed key.rotate. */
  readonly entry: SignedEntry;
  /** Current members left out because they published no key-agreement key (they cannot read on). */
  readonly withoutKex: readonly Did[];
}

export type NewPrivatePool = Omit<PrivateLedgerOptions, "pool" | "keys" | "author"> & {
  readonly root: Author;
  /** The pool's first entries: its pool.create first, then any member.join (a fresh pool: pool.create alone). */
  readonly entries: readonly SignedEntry[];
  readonly time: number;
};

/**
 * Makes a pool private from its start: its first entries, the root's key-agreement key and key
 * epoch 0 (wrapped for every member that published a key), sealed under the first key.
 */
export async function createPrivatePool(request: NewPrivatePool): Promise<Result<{ node: PrivateLedger }>> {
  const { root, entries, time, ...options } = request;
  const pool = entries[0]!.entry.pool;
  const key = newEpochKey(pool, 0);
  const node = await PrivateLedger.open({ ...options, pool, keys: [key], author: { author: root } });
  const writer = node.ledger.writerFor(root);
  for (const e of entries) if (e.entry.author === root.did) writer.observe(e.entry.seq);
  const rekey = await writer.write("member.rekey", { kex: options.me.kex.publicKey }, time);
  const first = await node.sealNow([...entries, rekey], key);
  if (!first.ok) return first;
  const { recipients } = recipientsOf(node.ledger.state, time);
  const lockboxes = await sealLockboxes(pool, 0, key.secret, recipients, node.native.hpkeSeal);
  const rotate = await writer.write("key.rotate", rotateBody(0, key, lockboxes), time);
  const sealed = await node.sealNow([rotate], key, new Map([[lockboxes.hash, lockboxes.item]]));
  if (!sealed.ok) return sealed;
  const refused = refusal(node, rotate);
  return refused ? { ok: false, ...refused } : { ok: true, node };
}

/**
 * The members and invite links a new epoch's key is wrapped for at `time` (ms), and the members who
 * cannot receive it. A link is included while it can still admit someone, so a multi-use link keeps
 * working across rotations. It is left out once expired, used up or revoked, once its inviter was
 * revoked, and once anyone who joined through it was revoked (that member still holds the link's
 * secret, so the link's lockbox would hand it the new key).
 */
export function recipientsOf(state: LedgerState, time: number, exclude: ReadonlySet<Did> = new Set()): { recipients: Recipient[]; withoutKex: Did[] } {
  const recipients: Recipient[] = [];
  const withoutKex: Did[] = [];
  const used = new Map<string, number>();
  const leaked = new Set<string>();
  for (const [did, member] of Object.entries(state.members).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const gone = member.revoked !== undefined || exclude.has(did as Did);
    if (member.invite !== undefined) {
      used.set(member.invite, (used.get(member.invite) ?? 0) + 1);
      if (gone) leaked.add(member.invite);
    }
    if (gone) continue;
    if (member.kex) recipients.push({ did: did as Did, kex: hexToBytes(member.kex) });
    else withoutKex.push(did as Did);
  }
  for (const [invite, link] of Object.entries(state.privacy?.invites ?? {})) {
    const open = (used.get(invite) ?? 0) < link.uses && time < link.joinBefore * 1000 && !state.revocations[invite] && !leaked.has(invite) && state.members[link.by]?.revoked === undefined;
    if (open && !exclude.has(link.key)) recipients.push({ did: link.key, kex: hexToBytes(link.kex) });
  }
  return { recipients, withoutKex };
}

export interface RotateRequest extends Writer {
  readonly node: PrivateLedger;
  readonly time: number;
  /** Signed revocations (by the same author) this rotation answers: they travel in the same envelope. */
  readonly revocations?: readonly SignedEntry[];
  /** Members the revocations remove (the fold has not seen them yet). */
  readonly removed?: readonly Did[];
}

/** Rotates to the next key epoch, in the author's turn of own writes (ledger/own-turn.ts). */
export function rotateKey(request: RotateRequest): Promise<Result<RotationResult>> {
  return inOwnTurn(request.node.ledger, request.author.did, () => rotateKeyInTurn(request));
}

/** `rotateKey` for a caller already in the author's turn (it signed the revocations given). */
export async function rotateKeyInTurn(request: RotateRequest): Promise<Result<RotationResult>> {
  const { node, author, proof, revocations = [] } = request;
  const state = node.ledger.state;
  const time = ownTime(state, author.did, request.time);
  const privacy = state.privacy;
  if (!privacy) return reject("unknown-reference", "this pool is not private (it has no key epochs)");
  const previous = node.keyring.byId(privacy.epochs[privacy.epoch]!.keyId);
  if (!previous) return reject("not-authorised", `this node does not hold key epoch ${privacy.epoch}'s key, so it cannot announce the next one to its holders`);
  const { recipients, withoutKex } = recipientsOf(state, time, new Set(request.removed ?? []));
  if (recipients.length === 0) return reject("unknown-reference", "nobody would receive the new key");
  const epoch = privacy.epoch + 1;
  const key = newEpochKey(node.options.pool, epoch);
  const lockboxes = await sealLockboxes(node.options.pool, epoch, key.secret, recipients, node.native.hpkeSeal);
  const writer = node.ledger.writerFor(author);
  for (const r of revocations) writer.observe(r.entry.seq);
  const rotate = await writer.write("key.rotate", rotateBody(epoch, key, lockboxes), time, proof ? [proof] : []);
  const sealed = await node.sealNow([...revocations, rotate], previous, new Map([[lockboxes.hash, lockboxes.item]]));
  if (!sealed.ok) return sealed;
  const refused = refusal(node, rotate);
  if (refused) return { ok: false, ...refused };
  await node.addKey(key);
  putPrevious(node.document(key)!, sealPrevious(key, previous));
  return { ok: true, epoch, key, entry: rotate, withoutKex };
}

/**
 * Whether the current epoch's key reached someone it must not: a member revoked since who was a
 * recipient (by tag), or who joined through a link that carried the key: one made during this
 * epoch (its lockbox wraps the key it was made under; no tag names its joiner) or one this
 * epoch's rotation wrapped for. Then a new rotation is due, whoever wrote the last one.
 */
export function rotationDue(state: LedgerState): Did[] {
  const privacy = state.privacy;
  const current = privacy?.epochs[privacy.epoch];
  if (!current) return [];
  const tags = new Set(current.recipients.match(new RegExp(`.{${RECIPIENT_TAG_LENGTH * 2}}`, "g")) ?? []);
  const keyThroughLink = (invite: string | undefined): boolean => {
    const link = invite === undefined ? undefined : privacy.invites[invite];
    return link !== undefined && (link.time >= current.time || tags.has(recipientTag(link.key)));
  };
  return Object.entries(state.members)
    .filter(([did, m]) => m.revoked !== undefined && (tags.has(recipientTag(did as Did)) || keyThroughLink(m.invite)))
    .map(([did]) => did as Did);
}

/** Answers a member's complaint: its key for that epoch, wrapped again to its published key. */
export function grantKey(node: PrivateLedger, writer: Writer, member: Did, time: number): Promise<Result<{ epoch: number }>> {
  return inOwnTurn(node.ledger, writer.author.did, () => grantKeyInTurn(node, writer, member, time));
}

async function grantKeyInTurn(node: PrivateLedger, writer: Writer, member: Did, requested: number): Promise<Result<{ epoch: number }>> {
  const state = node.ledger.state;
  const time = ownTime(state, writer.author.did, requested);
  const complaint = state.privacy?.complaints[member];
  const kex = state.members[member]?.kex;
  if (!complaint || !kex) return reject("unknown-reference", `${member} has no open key complaint with a published key`);
  const epochKey = node.keyring.byId(state.privacy!.epochs[complaint.epoch]!.keyId);
  const before = node.keyring.all().find((k) => k.epoch === complaint.epoch - 1 && Object.values(state.privacy!.epochs).some((e) => e.keyId === k.keyId));
  if (!epochKey || !before) return reject("not-authorised", `this node does not hold the keys of epochs ${complaint.epoch - 1} and ${complaint.epoch}`);
  const lockbox = await sealLockboxes(node.options.pool, complaint.epoch, epochKey.secret, [{ did: member, kex: hexToBytes(kex) }], node.native.hpkeSeal);
  const grant = await node.ledger
    .writerFor(writer.author)
    .write("key.grant", { member, epoch: complaint.epoch, mailbox: hexToBytes(lockbox.hash) }, time, writer.proof ? [writer.proof] : []);
  const sealed = await node.sealNow([grant], before, new Map([[lockbox.hash, lockbox.item]]));
  if (!sealed.ok) return sealed;
  const refused = refusal(node, grant);
  return refused ? { ok: false, ...refused } : { ok: true, epoch: complaint.epoch };
}

/** What an admin node does after a change: rotate when a revoked member still holds the key, answer complaints. */
export async function maintainKeys(node: PrivateLedger, writer: Writer, time: number): Promise<void> {
  await node.settled();
  if (rotationDue(node.ledger.state).length > 0) await rotateKey({ node, ...writer, time });
  for (const member of Object.keys(node.ledger.state.privacy?.complaints ?? {})) await grantKey(node, writer, member as Did, time);
  await node.settled();
}

function rotateBody(epoch: number, key: EpochKey, lockboxes: { hash: string; tags: Uint8Array }): Record<string, unknown> {
  return { epoch, keyId: hexToBytes(key.keyId), mailbox: hexToBytes(lockboxes.hash), recipients: lockboxes.tags };
}

function refusal(node: PrivateLedger, entry: SignedEntry): Rejection | undefined {
  const refused = node.ledger.view().invalid.find((i) => i.key === entry.id);
  return refused ? { reason: refused.reason, message: refused.message } : undefined;
}

