/**
 * Private pools in the browser (docs/privacy.md): each pool's own repo (browser-repo.ts) holds
 * only sealed epoch documents, and the pool's ledger runs behind `PrivateLedger`. The steps are the core's (creating,
 * opening from an invite's lockbox, inviting, revoking with a rotation, rotating); this file
 * gives them the browser's storage, share policy and the identity's stored key-agreement key, and
 * turns refusals into messages. Loaded only when a private pool is opened or made.
 */
import type { InviteLink } from "../../core/capability/invite.ts";
import type { PoolId } from "../../core/capability/pool.ts";
import type { Identity } from "../../core/identity/keystore.ts";
import type { InviteOutcome, InviteTerms, MembershipRefusal } from "../../core/ledger/membership.ts";
import { ownDelegation } from "../../core/ledger/own-delegation.ts";
import type { SignedEntry } from "../../core/ledger/types.ts";
import { UcanAuthoriser } from "../../core/ledger/ucan-authoriser.ts";
import { latestKeyHolding } from "../../core/privacy/key-holders.ts";
import { publishKex, rekeyDue } from "../../core/privacy/member-rekey.ts";
import { createPrivateInvite, openInviteKey } from "../../core/privacy/private-invite.ts";
import { PrivateLedger } from "../../core/privacy/private-ledger.ts";
import { revokeAndRotate } from "../../core/privacy/private-revocation.ts";
import { createPrivatePool, maintainKeys, rotateKey, rotationDue } from "../../core/privacy/rotation.ts";
import { storedMemberKex } from "../../core/privacy/stored-kex.ts";
import { browserRepo } from "./browser-repo.ts";

type Outcome<T> = ({ ok: true } & T) | { ok: false; message: string };

/** What the Pools screen shows of a private pool. */
export interface PrivacyFacts {
  /** The latest key epoch the ledger knows of (undefined until the pool's first key.rotate arrives). */
  readonly epoch: number | undefined;
  /** The epoch this device seals under. */
  readonly sealingEpoch: number | undefined;
  /** A newer key exists that this device does not hold (yet, or any more: removed). */
  readonly pendingRotation: boolean;
  /** Current members with no sign yet of holding the latest key. */
  readonly notYetSeen: readonly string[];
}

async function nodeOptions(identity: Identity, pool: PoolId) {
  const { repo, storage, share } = await browserRepo(pool);
  return { repo, storage, share, authoriser: new UcanAuthoriser(), now: Date.now, me: { did: identity.did, kex: await storedMemberKex(storage, identity.did) } };
}

/** Opens a private pool with the keys this browser holds, or, from a private link, with the key its lockbox gives. */
export async function openPrivatePool(identity: Identity, pool: PoolId, invite: InviteLink | undefined): Promise<Outcome<{ privacy: PrivateLedger }>> {
  const options = await nodeOptions(identity, pool);
  if (!invite?.sealed) return { ok: true, privacy: await PrivateLedger.open({ ...options, pool, author: { author: identity } }) };
  const opened = await openInviteKey(options.repo, invite, options.share);
  if (!opened.ok) return { ok: false, message: `this private pool's invite: ${opened.message}` };
  return { ok: true, privacy: await PrivateLedger.open({ ...options, pool, keys: [opened.key], also: [opened.holder], author: { author: identity } }) };
}

/**
 * A pool this page opened already (from another link, say one used up) takes the key a new link's
 * lockbox gives: the page keeps one ledger per pool, opened with the first link's key only.
 */
export async function takeInviteKey(privacy: PrivateLedger, invite: InviteLink): Promise<Outcome<object>> {
  const pointer = invite.sealed;
  if (!pointer || privacy.keyring.all().some((k) => k.documentId === pointer.document)) return { ok: true };
  const { repo, share } = await browserRepo(privacy.options.pool);
  const opened = await openInviteKey(repo, invite, share);
  if (!opened.ok) return { ok: false, message: `this private pool's invite: ${opened.message}` };
  await privacy.addKey(opened.key);
  return { ok: true };
}

/** A new private pool from its pool.create: sealed under key epoch 0 from its first entry. */
export async function createPrivate(identity: Identity, pool: PoolId, create: SignedEntry): Promise<Outcome<{ privacy: PrivateLedger }>> {
  const made = await createPrivatePool({ ...(await nodeOptions(identity, pool)), root: identity, entries: [create], time: Date.now() });
  return made.ok ? { ok: true, privacy: made.node } : { ok: false, message: `${made.reason}: ${made.message}` };
}

const writer = (identity: Identity, privacy: PrivateLedger) => {
  const own = ownDelegation(privacy.ledger, identity.did);
  return { author: identity, proof: own.ok ? own.proof : undefined };
};

/**
 * An invite whose lockbox waits in the pool's mailbox, so the joiner needs only the link and a
 * relay. Its invite.create is sealed at once, not after the batch timer: once the sync status says
 * "up to date", the inviter can go offline and rotations still include the link.
 */
export async function invitePrivate(identity: Identity, privacy: PrivateLedger, terms: InviteTerms): Promise<InviteOutcome | MembershipRefusal> {
  const created = await createPrivateInvite(privacy, identity, terms, Date.now());
  await privacy.flush();
  return created;
}

export type RotationNote = { readonly ok: true; readonly epoch: number } | { readonly ok: false; readonly message: string };

/** Revokes a delegation and, for an admin, rotates the key in the same envelope. */
export async function revokePrivate(identity: Identity, privacy: PrivateLedger, token: string): Promise<Outcome<{ honoured: Readonly<Record<string, number>>; rotation: RotationNote | undefined }>> {
  const revoked = await revokeAndRotate(privacy, writer(identity, privacy), token, Date.now());
  if (!revoked.ok) return { ok: false, message: revoked.message };
  await privacy.flush();
  const rotation = revoked.rotation && (revoked.rotation.ok ? revoked.rotation : { ok: false as const, message: revoked.rotation.message });
  return { ok: true, honoured: revoked.honoured, rotation };
}

/** Starts a new key epoch by hand (a device may have leaked its keys); needs pool/admin. */
export async function rotatePrivate(identity: Identity, privacy: PrivateLedger): Promise<Outcome<{ epoch: number; withoutKex: readonly string[] }>> {
  const rotated = await rotateKey({ node: privacy, ...writer(identity, privacy), time: Date.now() });
  if (!rotated.ok) return { ok: false, message: rotated.reason === "not-authorised" ? `only an admin holding the latest key can rotate: ${rotated.message}` : rotated.message };
  await privacy.flush();
  return { ok: true, epoch: rotated.epoch, withoutKex: rotated.withoutKex };
}

export function privacyFacts(privacy: PrivateLedger): PrivacyFacts {
  const view = privacy.view();
  return { epoch: view.epoch, sealingEpoch: view.sealingEpoch, pendingRotation: view.pendingRotation, notYetSeen: latestKeyHolding(privacy).notYetSeen };
}

let maintaining = false;
/** Pools whose rekey this page wrote (once each: a refused one is not retried on every change). */
const rekeyed = new Set<PoolId>();

/**
 * What a page does after a change of a private pool. Every member: publish this browser's
 * key-agreement key when the pool lists another one for this identity (restored from a backup that
 * did not carry it: member-rekey.ts). An admin (rotation.ts `maintainKeys`): rotate when a revoked
 * member still holds the key (a revoker without pool/admin could not rotate), and answer key
 * complaints; one run at a time.
 */
export function keepKeys(identity: Identity, privacy: PrivateLedger): void {
  const pool = privacy.options.pool;
  if (!rekeyed.has(pool) && rekeyDue(privacy)) {
    rekeyed.add(pool);
    void publishKex(privacy, writer(identity, privacy));
  }
  const state = privacy.ledger.state;
  const me = state.members[identity.did];
  const admin = state.pool?.root === identity.did || (me !== undefined && me.revoked === undefined && me.abilities.includes("pool/admin"));
  const due = rotationDue(state).length > 0 || Object.keys(state.privacy?.complaints ?? {}).length > 0;
  if (!admin || !due || maintaining) return;
  maintaining = true;
  void maintainKeys(privacy, writer(identity, privacy), Date.now()).finally(() => (maintaining = false));
}
