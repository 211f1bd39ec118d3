/**
 * Fold rules of private pools (docs/privacy.md, ledger/README.md "Private pools"): `key.rotate`
 * starts a key epoch, `key.grant` re-wraps an epoch key for one member, `key.complaint` says a
 * member's lockbox did not open, `member.rekey` replaces a member's key-agreement key (`kex`), and
 * `invite.create` publishes an invite's key-agreement key so rotations include it. The keys and
 * lockboxes themselves never appear here: an entry names them by hash and key id only.
 */
import { bytesToHex, isWeakX25519Key, sha256, utf8 } from "../../crypto/index.ts";
import type { Did } from "../../identity/did-key.ts";
import { MAX_INT, type BodySchema } from "../schema.ts";
import type { LedgerState, PrivacyState } from "../state.ts";
import type { Entry, Rejection, SignedEntry } from "../types.ts";
import { rejection } from "./rejection.ts";

/** Each recipient of a rotation is named by 8 bytes of SHA-256 over its DID (a member's or an invite key's). */
export const RECIPIENT_TAG_LENGTH = 8;
export const MAX_RECIPIENTS = 1_024;

export const recipientTag = (did: Did): string => bytesToHex(sha256(utf8(did)).subarray(0, RECIPIENT_TAG_LENGTH));

const kexField = { type: "bytes", min: 32, max: 32 } as const;
const hash32 = { type: "bytes", min: 32, max: 32 } as const;
const epochField = { type: "int", min: 0, max: 1_000_000 } as const;

export const keyRotateSchema: BodySchema = {
  epoch: epochField,
  /** The new epoch's key id (derived from its secret): envelopes name it, members check it. */
  keyId: { type: "bytes", min: 8, max: 8 },
  /** SHA-256 of the lockbox list in the document's mailbox. */
  mailbox: hash32,
  /** Recipient tags in lockbox order, 8 bytes each. */
  recipients: { type: "bytes", min: RECIPIENT_TAG_LENGTH, max: RECIPIENT_TAG_LENGTH * MAX_RECIPIENTS },
};

export const keyGrantSchema: BodySchema = {
  member: { type: "did" },
  epoch: epochField,
  mailbox: hash32,
};

export const keyComplaintSchema: BodySchema = {
  epoch: epochField,
  /** The rotation whose lockbox did not open for the author. */
  rotation: { type: "entry-id" },
};

export const memberRekeySchema: BodySchema = { kex: kexField };

export const inviteCreateSchema: BodySchema = {
  /** The invite (hex SHA-256 of its delegation), as member.join names it. */
  invite: { type: "string", min: 64, max: 64 },
  /** The invite key's DID (lockboxes are bound to it) and its key-agreement key. */
  key: { type: "did" },
  kex: kexField,
  /**
   * The link's terms as its delegation states them (how many may join with it, and until when, in
   * seconds): rotations wrap their keys for the invite key only while the link can still admit
   * someone. The inviter states them; it could hand the key to anyone anyway.
   */
  uses: { type: "int", min: 1, max: MAX_INT },
  joinBefore: { type: "int", min: 0, max: MAX_INT },
};

/** A `kex` must be usable: a low-order X25519 key makes every lockbox to it readable by anyone. */
export const checkKex = (entry: Entry): string | undefined => (entry.body.kex !== undefined && isWeakX25519Key(entry.body.kex) ? "kex is a low-order X25519 key" : undefined);

export function checkKeyRotate(entry: Entry): string | undefined {
  return (entry.body.recipients as Uint8Array).length % RECIPIENT_TAG_LENGTH === 0 ? undefined : `recipients is a whole number of ${RECIPIENT_TAG_LENGTH}-byte tags`;
}

const privacyOf = (state: LedgerState): PrivacyState => (state.privacy ??= { epoch: 0, epochs: {}, invites: {}, complaints: {} });

export function applyKeyRotate(state: LedgerState, { id, entry }: SignedEntry): Rejection | undefined {
  const epoch = entry.body.epoch as number;
  const keyId = bytesToHex(entry.body.keyId as Uint8Array);
  const known = state.privacy?.epochs ?? {};
  if (epoch > 0 && !known[epoch - 1]) return rejection("unknown-reference", `key.rotate to epoch ${epoch} before epoch ${epoch - 1} exists`);
  if (epoch === 0 && entry.author !== state.pool?.root) return rejection("not-authorised", "only the pool root starts key epoch 0");
  const existing = known[epoch];
  if (Object.entries(known).some(([e, k]) => k.keyId === keyId && Number(e) !== epoch)) return rejection("conflict", "a rotation never re-introduces a key already used");
  // Concurrent rotations to one epoch: the lowest entry id wins, whatever the order they arrive in.
  if (existing && existing.rotation <= id) return undefined;
  const privacy = privacyOf(state);
  privacy.epochs[epoch] = {
    rotation: id,
    keyId,
    by: entry.author,
    time: entry.time,
    mailbox: bytesToHex(entry.body.mailbox as Uint8Array),
    recipients: bytesToHex(entry.body.recipients as Uint8Array),
  };
  privacy.epoch = Math.max(privacy.epoch, epoch);
  for (const [did, complaint] of Object.entries(privacy.complaints)) if (complaint.epoch <= epoch) delete privacy.complaints[did];
  return undefined;
}

export function applyKeyGrant(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const epoch = entry.body.epoch as number;
  if (!state.privacy?.epochs[epoch]) return rejection("unknown-reference", `key.grant for epoch ${epoch}, which does not exist`);
  const member = entry.body.member as string;
  if (state.privacy.complaints[member]?.epoch === epoch) delete state.privacy.complaints[member];
  return undefined;
}

export function applyKeyComplaint(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const epoch = entry.body.epoch as number;
  const privacy = state.privacy;
  if (!privacy || privacy.epochs[epoch]?.rotation !== entry.body.rotation) return rejection("unknown-reference", `key.complaint names a rotation that is not epoch ${epoch}'s`);
  privacy.complaints[entry.author] = { epoch, time: entry.time };
  return undefined;
}

export function applyMemberRekey(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const member = state.members[entry.author];
  if (!member || member.revoked !== undefined) return rejection("not-authorised", "only a current member replaces its key-agreement key");
  member.kex = bytesToHex(entry.body.kex as Uint8Array);
  return undefined;
}

export function applyInviteCreate(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const invite = entry.body.invite as string;
  const privacy = privacyOf(state);
  if (privacy.invites[invite]) return rejection("conflict", "this invite's key is already published");
  const { key, kex, uses, joinBefore } = entry.body as { key: Did; kex: Uint8Array; uses: number; joinBefore: number };
  privacy.invites[invite] = { key, kex: bytesToHex(kex), by: entry.author, time: entry.time, uses, joinBefore };
  return undefined;
}
