/**
 * What the Pools screens ask of a pool's ledger in the browser: open it over the app's repo, create
 * a pool, invite, and join by a link. Each step is the core's (capability and ledger); this file
 * only sequences them for one browser identity and turns refusals into messages.
 * Loaded lazily with the repo.
 */
import { parseAbilityList } from "../../core/capability/abilities.ts";
import { createInvite, inviteRevoked, inviteUsedUp, parseInviteLink, redeemInvite, type InviteLink } from "../../core/capability/invite.ts";
import { DEFAULT_POOL_SETTINGS, derivePoolId, newPoolNonce, type PoolId, type PoolSettings } from "../../core/capability/pool.ts";
import type { Identity } from "../../core/identity/keystore.ts";
import { latestEpoch, openEpoch } from "../../core/ledger/epochs.ts";
import type { Ledger } from "../../core/ledger/ledger.ts";
import { ownDelegation } from "../../core/ledger/own-delegation.ts";
import type { SignedEntry } from "../../core/ledger/types.ts";
import { UcanAuthoriser } from "../../core/ledger/ucan-authoriser.ts";
import { createPool } from "../../core/ledger/writer.ts";
import { browserRepo } from "./browser-repo.ts";

export type Outcome<T> = ({ ok: true } & T) | { ok: false; message: string };

/** How long to wait for a relay before working offline. */
const RELAY_WAIT_MS = 10_000;
const ledgers = new Map<PoolId, Promise<Outcome<{ ledger: Ledger }>>>();

export function openPoolLedger(pool: PoolId, relay: string | undefined): Promise<Outcome<{ ledger: Ledger }>> {
  let opened = ledgers.get(pool);
  if (!opened) {
    opened = openNow(pool, relay);
    ledgers.set(pool, opened);
    void opened.then((o) => o.ok || ledgers.delete(pool));
  }
  return opened;
}

async function openNow(pool: PoolId, relay: string | undefined): Promise<Outcome<{ ledger: Ledger }>> {
  const { repo, storage, addRelay, relayStorageId } = await browserRepo();
  if (relay) {
    const added = addRelay(relay);
    if (!added.ok) return { ok: false, message: `the pool's relay ${relay} is refused: ${added.message}` };
    // A document asked for before any peer connects can settle as unavailable (TOOLCHAIN.md).
    await relayStorageId(RELAY_WAIT_MS);
  }
  const opened = await openEpoch({ repo, pool, storage, authoriser: new UcanAuthoriser(), now: Date.now, epoch: await latestEpoch(storage, pool) });
  return opened.ok ? { ok: true, ledger: opened.ledger } : { ok: false, message: `${opened.reason}: ${opened.message}` };
}

/** Appends this node's own entry and reports a refusal (stateless, or by the fold) with its reason. */
async function appendOwn(ledger: Ledger, signed: SignedEntry): Promise<Outcome<object>> {
  const appended = await ledger.append([signed]);
  if (!appended.ok) return { ok: false, message: `${appended.reason}: ${appended.message}` };
  await ledger.settled();
  const refused = ledger.view().invalid.find((i) => i.key === signed.id);
  return refused ? { ok: false, message: `${refused.reason}: ${refused.message}` } : { ok: true };
}

/** This member's own delegation, with what to do when it has none. */
export function ownProof(ledger: Ledger, me: Identity["did"]): Outcome<{ proof: string | undefined }> {
  const own = ownDelegation(ledger, me);
  if (own.ok) return own;
  return {
    ok: false,
    message: own.reason === "no-pool" ? "this device has not received the pool yet; connect to its relay" : "you are not a member of this pool: join it with an invite link",
  };
}

export async function createNewPool(identity: Identity, name: string, replication: number, relay: string | undefined): Promise<Outcome<{ pool: PoolId; ledger: Ledger }>> {
  const nonce = newPoolNonce();
  const pool = derivePoolId(identity.did, nonce);
  const opened = await openPoolLedger(pool, relay);
  if (!opened.ok) return opened;
  // The ledger checks the settings against the pool.create schema (its bounds are the protocol's).
  const { entry } = await createPool(identity, { ...DEFAULT_POOL_SETTINGS, name, replication } as PoolSettings, nonce, Date.now());
  const appended = await appendOwn(opened.ledger, entry);
  return appended.ok ? { ok: true, pool, ledger: opened.ledger } : appended;
}

export interface InviteRequest {
  readonly abilities: string;
  readonly uses: number;
  readonly ttlSeconds: number;
  readonly relay: string | undefined;
}

export async function inviteToPool(identity: Identity, ledger: Ledger, request: InviteRequest): Promise<Outcome<{ link: string; joinBefore: number }>> {
  const abilities = parseAbilityList(request.abilities);
  if (!abilities.ok) return { ok: false, message: abilities.message };
  const proof = ownProof(ledger, identity.did);
  if (!proof.ok) return proof;
  const now = Date.now();
  const held = await new UcanAuthoriser().holdings(identity.did, proof.proof, ledger.state, now);
  if (!held.ok) return { ok: false, message: `you cannot invite to this pool: ${held.message}` };
  const nowS = Math.floor(now / 1000);
  const created = await createInvite({
    inviter: identity.signingKey,
    inviterProof: proof.proof,
    inviterHolds: held.grant.abilities,
    pool: ledger.options.pool,
    abilities: abilities.abilities,
    uses: request.uses,
    joinBefore: nowS + request.ttlSeconds,
    memberExpiration: nowS + 365 * 86_400,
    appUrl: `${location.origin}/`,
    relay: request.relay,
  });
  if (!created.ok) return { ok: false, message: created.message };
  return { ok: true, link: created.link, joinBefore: Math.min(nowS + request.ttlSeconds, created.expiration) };
}

export const readInvite = (link: string): Outcome<{ invite: InviteLink }> => {
  const parsed = parseInviteLink(link);
  return parsed.ok ? parsed : { ok: false, message: parsed.message };
};

/** Redeems the link and records this identity's member.join (the ledger decides as for every node). */
export async function joinPool(identity: Identity, invite: InviteLink): Promise<Outcome<{ ledger: Ledger; abilities: readonly string[] }>> {
  const redeemed = await redeemInvite(invite, identity.did, Math.floor(Date.now() / 1000));
  if (!redeemed.ok) return { ok: false, message: redeemed.message };
  const r = redeemed.redemption;
  const opened = await openPoolLedger(invite.pool, invite.relay);
  if (!opened.ok) return opened;
  const { ledger } = opened;
  const state = ledger.state;
  const member = state.members[identity.did];
  if (member && member.revoked === undefined) return { ok: true, ledger, abilities: member.abilities };
  if (state.revocations[r.invite]) return { ok: false, message: inviteRevoked(r.inviter).message };
  const used = Object.values(state.members).filter((m) => m.invite === r.invite).length;
  if (used >= r.terms.uses) return { ok: false, message: inviteUsedUp(r.terms.uses, r.inviter).message };
  const entry = await ledger.writerFor(identity).write("member.join", { member: identity.did, abilities: [...r.abilities], invite: r.invite }, Date.now(), [r.proof]);
  const appended = state.pool ? await appendOwn(ledger, entry) : await ledger.append([entry]).then((a) => (a.ok ? { ok: true as const } : { ok: false as const, message: a.message }));
  return appended.ok ? { ok: true, ledger, abilities: r.abilities } : appended;
}

export interface InvitePreview {
  readonly pool: PoolId;
  readonly inviter: string;
  readonly abilities: readonly string[];
  readonly uses: number;
  readonly joinBefore: number;
  readonly relay: string | undefined;
}

/** What the "join pool X?" confirmation shows; an expired or malformed link says so here, before any network. */
export async function previewInvite(identity: Identity, invite: InviteLink): Promise<Outcome<{ preview: InvitePreview }>> {
  const redeemed = await redeemInvite(invite, identity.did, Math.floor(Date.now() / 1000));
  if (!redeemed.ok) return { ok: false, message: redeemed.message };
  const r = redeemed.redemption;
  return { ok: true, preview: { pool: r.pool, inviter: r.inviter, abilities: r.abilities, uses: r.terms.uses, joinBefore: r.terms.joinBefore, relay: invite.relay } };
}
