/**
 * Lockboxes: an epoch secret wrapped for each recipient with HPKE (RFC 9180 base mode, X25519).
 * The `info` binds the pool, the epoch and the recipient's DID, so a lockbox cannot be moved to
 * another pool, epoch or member. A list is padded to a power of two with random filler of the same
 * length, so the relay learns only a rough member count. The list (DAG-CBOR) sits in the document's
 * mailbox under its hex SHA-256, which the signed key.rotate / key.grant entry names.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { bytesToHex, hexToBytes, hpkeOpen, hpkeSeal, randomBytes, sha256, utf8, type HpkeSeal, type KexKeyPair } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";
import { RECIPIENT_TAG_LENGTH, recipientTag } from "../ledger/rules/privacy.ts";
import type { PoolId } from "../ledger/types.ts";
import { EPOCH_SECRET_LENGTH } from "./epoch-key.ts";

export interface Recipient {
  readonly did: Did;
  /** X25519 public key. */
  readonly kex: Uint8Array;
}

export interface SealedLockboxes {
  /** The mailbox item: DAG-CBOR list of lockboxes. */
  readonly item: Uint8Array;
  /** Hex SHA-256 of `item`: its key in the mailbox. */
  readonly hash: string;
  /** The recipients' tags in lockbox order (what key.rotate carries). */
  readonly tags: Uint8Array;
}

export type LockboxResult =
  | { ok: true; secret: Uint8Array }
  | { ok: false; reason: "tampered-key" | "malformed" | "not-a-recipient" | "bad-lockbox"; message: string };

const MAX_LOCKBOXES = 2_048;

const infoFor = (pool: PoolId, epoch: number, recipient: Did): Uint8Array => utf8(`edgepool/lockbox/v1\0${pool}\0${epoch}\0${recipient}`);

export const mailboxHash = (item: Uint8Array): string => bytesToHex(sha256(item));

const nextPowerOfTwo = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** Wraps `secret` (epoch `epoch`) for each recipient, in order, and pads the list; `seal`: the platform's (native.ts). */
export async function sealLockboxes(pool: PoolId, epoch: number, secret: Uint8Array, recipients: readonly Recipient[], seal: HpkeSeal = hpkeSeal): Promise<SealedLockboxes> {
  if (secret.length !== EPOCH_SECRET_LENGTH) throw new TypeError(`an epoch secret is ${EPOCH_SECRET_LENGTH} bytes`);
  if (recipients.length === 0 || recipients.length > MAX_LOCKBOXES) throw new RangeError(`a lockbox list has 1..${MAX_LOCKBOXES} recipients, got ${recipients.length}`);
  const boxes = await Promise.all(recipients.map((r) => seal(r.kex, infoFor(pool, epoch, r.did), secret)));
  const length = boxes[0]!.length;
  while (boxes.length < nextPowerOfTwo(recipients.length)) {
    // Filler looks like a lockbox: an X25519 public key (top bit clear) and a ciphertext.
    const filler = randomBytes(length);
    filler[31]! &= 0x7f;
    boxes.push(filler);
  }
  const item = dagCbor.encode(boxes);
  const tags = new Uint8Array(recipients.length * RECIPIENT_TAG_LENGTH);
  recipients.forEach((r, i) => tags.set(hexToBytes(recipientTag(r.did)), i * RECIPIENT_TAG_LENGTH));
  return { item, hash: mailboxHash(item), tags };
}

/**
 * Opens `me`'s lockbox in a mailbox item. `hash` is what the signed entry names (the item must hash
 * to it); `tags` the entry's recipient tags, which give `me`'s position.
 */
export async function openLockbox(pool: PoolId, epoch: number, item: unknown, hash: string, tags: Uint8Array, me: { did: Did; kex: KexKeyPair }): Promise<LockboxResult> {
  if (!(item instanceof Uint8Array)) return { ok: false, reason: "malformed", message: "a mailbox item is a byte array" };
  if (mailboxHash(item) !== hash) return { ok: false, reason: "tampered-key", message: `the mailbox item under ${hash.slice(0, 16)}… does not hash to it` };
  const index = indexOf(tags, recipientTag(me.did));
  if (index < 0) return { ok: false, reason: "not-a-recipient", message: `epoch ${epoch}'s key was not wrapped for ${me.did}` };
  let boxes: unknown;
  try {
    boxes = dagCbor.decode(item);
  } catch {
    return { ok: false, reason: "malformed", message: "the mailbox item is not DAG-CBOR" };
  }
  const box = Array.isArray(boxes) && boxes.length <= MAX_LOCKBOXES ? boxes[index] : undefined;
  if (!(box instanceof Uint8Array)) return { ok: false, reason: "malformed", message: `the mailbox item has no lockbox at position ${index}` };
  const secret = await hpkeOpen(me.kex, infoFor(pool, epoch, me.did), box);
  if (!secret || secret.length !== EPOCH_SECRET_LENGTH) return { ok: false, reason: "bad-lockbox", message: `the lockbox at position ${index} does not open with ${me.did}'s key (wrapped for another key)` };
  return { ok: true, secret };
}

function indexOf(tags: Uint8Array, tag: string): number {
  for (let i = 0; i * RECIPIENT_TAG_LENGTH < tags.length; i++) {
    if (bytesToHex(tags.subarray(i * RECIPIENT_TAG_LENGTH, (i + 1) * RECIPIENT_TAG_LENGTH)) === tag) return i;
  }
  return -1;
}
