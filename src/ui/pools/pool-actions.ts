/**
 * What the Pools screens ask of a pool's ledger in the browser: open it over the app's repo, create
 * a pool, invite, and join by a link. Each step is the core's (capability and ledger); this file
 * only sequences them for one browser identity and turns refusals into messages.
 * Loaded lazily with the repo.
 */
import { parseAbilityList } from "../../core/capability/abilities.ts";
import { parseInviteLink, redeemInvite, type InviteLink } from "../../core/capability/invite.ts";
import { DEFAULT_POOL_SETTINGS, derivePoolId, newPoolNonce, parsePoolId, type PoolId, type PoolSettings } from "../../core/capability/pool.ts";
import { joinOpenPool, openJoinPolicy, type OpenJoinPolicy } from "../../core/ledger/open-join.ts";
import { payForOpenJoin } from "../../core/net/open-join-payment.ts";
import type { Identity } from "../../core/identity/keystore.ts";
import { latestEpoch, openEpoch } from "../../core/ledger/epochs.ts";
import type { Ledger } from "../../core/ledger/ledger.ts";
import { appendOwn, createPoolInvite, inviteStanding, joinWithInvite, revocationTarget, revokeTarget, setPoolNetwork } from "../../core/ledger/membership.ts";
import { UcanAuthoriser } from "../../core/ledger/ucan-authoriser.ts";
import { createPool } from "../../core/ledger/writer.ts";
import { browserRepo } from "./browser-repo.ts";

export type Outcome<T> = ({ ok: true } & T) | { ok: false; message: string };

/** How long to wait for a relay before working offline. */
const RELAY_WAIT_MS = 10_000;
/** How long a membership granted by an invite lasts (the CLI's default --member-ttl). */
const MEMBER_TTL_SECONDS = 365 * 86_400;
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

export async function createNewPool(identity: Identity, name: string, replication: number, relay: string | undefined): Promise<Outcome<{ pool: PoolId; ledger: Ledger }>> {
  const nonce = newPoolNonce();
  const pool = derivePoolId(identity.did, nonce);
  const opened = await openPoolLedger(pool, relay);
  if (!opened.ok) return opened;
  // The ledger checks the settings against the pool.create schema (its bounds are the protocol's).
  const { entry } = await createPool(identity, { ...DEFAULT_POOL_SETTINGS, name, replication } as PoolSettings, nonce, Date.now());
  const appended = await appendOwn(opened.ledger, entry);
  if (!appended.ok) return { ok: false, message: `${appended.reason}: ${appended.message}` };
  return { ok: true, pool, ledger: opened.ledger };
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
  const nowS = Math.floor(Date.now() / 1000);
  const terms = { abilities: abilities.abilities, uses: request.uses, joinBefore: nowS + request.ttlSeconds, memberExpiration: nowS + MEMBER_TTL_SECONDS, appUrl: `${location.origin}/`, relay: request.relay };
  const created = await createPoolInvite(ledger, identity, terms, Date.now());
  return created.ok ? { ok: true, link: created.link, joinBefore: created.joinBefore } : { ok: false, message: `you cannot invite to this pool: ${created.message}` };
}

export const readInvite = (link: string): Outcome<{ invite: InviteLink }> => {
  const parsed = parseInviteLink(link);
  return parsed.ok ? parsed : { ok: false, message: parsed.message };
};

/** Redeems the link and records this identity's member.join (the ledger decides as for every node). */
export async function joinPool(identity: Identity, invite: InviteLink): Promise<Outcome<{ ledger: Ledger; abilities: readonly string[] }>> {
  const redeemed = await redeemInvite(invite, identity.did, Math.floor(Date.now() / 1000));
  if (!redeemed.ok) return { ok: false, message: redeemed.message };
  const opened = await openPoolLedger(invite.pool, invite.relay);
  if (!opened.ok) return opened;
  const joined = await joinWithInvite(opened.ledger, identity, redeemed.redemption, Date.now());
  return joined.ok ? { ok: true, ledger: opened.ledger, abilities: joined.abilities } : { ok: false, message: joined.message };
}

/**
 * Revokes a member's delegation (by DID), an invite link, or removes an open pool's stranger (by
 * DID); the ledger refuses it unless this identity issued the delegation or one it rests on (an
 * admin, for a stranger).
 */
export async function revokeInPool(identity: Identity, ledger: Ledger, target: string): Promise<Outcome<{ honoured: Readonly<Record<string, number>> }>> {
  const resolved = revocationTarget(ledger, target);
  if (!resolved.ok) return { ok: false, message: resolved.message };
  const revoked = await revokeTarget(ledger, identity, resolved, Date.now());
  return revoked.ok ? { ok: true, honoured: revoked.honoured } : { ok: false, message: revoked.message };
}

/** Turns direct connections off (or on) for every member of the pool: an admin's pool.network, keeping its STUN/TURN servers. */
export async function setRelayOnlyInPool(identity: Identity, ledger: Ledger, relayOnly: boolean): Promise<Outcome<object>> {
  const ice = ledger.state.pool?.network?.ice ?? [];
  const set = await setPoolNetwork(ledger, identity, { ice, relayOnly }, Date.now());
  return set.ok ? { ok: true } : { ok: false, message: set.reason === "not-authorised" ? "only an admin of the pool can change this" : set.message };
}

/** What the pool's validated ledger says of an invite: `known` false while it has not arrived. */
export type InviteInLedger = { readonly known: false } | { readonly known: true; readonly name: string; readonly usesLeft: number; readonly member: boolean };

/** Waits up to `waitMs` for the pool's ledger through the link's relay (nothing of this identity is shared), then reads the invite's standing. */
export async function inviteInLedger(identity: Identity, invite: InviteLink, waitMs: number): Promise<Outcome<{ ledger: InviteInLedger }>> {
  const redeemed = await redeemInvite(invite, identity.did, Math.floor(Date.now() / 1000));
  if (!redeemed.ok) return { ok: false, message: redeemed.message };
  const opened = await openPoolLedger(invite.pool, invite.relay);
  if (!opened.ok) return { ok: true, ledger: { known: false } };
  const { ledger } = opened;
  if (!ledger.state.pool) await arrival(ledger, waitMs);
  const pool = ledger.state.pool;
  if (!pool) return { ok: true, ledger: { known: false } };
  const standing = inviteStanding(ledger, redeemed.redemption, identity.did);
  if (!standing.ok) return { ok: false, message: standing.message };
  return { ok: true, ledger: { known: true, name: pool.settings.name, usesLeft: standing.usesLeft, member: standing.member !== undefined } };
}

/** Resolves once the ledger holds its pool.create, or after `waitMs`. */
function arrival(ledger: Ledger, waitMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = ledger.subscribe(() => ledger.state.pool && done());
    const timer = setTimeout(done, waitMs);
    function done(): void {
      stop();
      clearTimeout(timer);
      resolve();
    }
  });
}

export interface InvitePreview {
  readonly pool: PoolId;
  readonly inviter: string;
  readonly abilities: readonly string[];
  readonly uses: number;
  readonly joinBefore: number;
  readonly relay: string | undefined;
  /** The name the link carries: unchecked until the pool's ledger arrives (`InviteLink.nameHint`). */
  readonly nameHint: string | undefined;
}

/** What the "join pool X?" confirmation shows; an expired or malformed link says so here, before any network. */
export async function previewInvite(identity: Identity, invite: InviteLink): Promise<Outcome<{ preview: InvitePreview }>> {
  const redeemed = await redeemInvite(invite, identity.did, Math.floor(Date.now() / 1000));
  if (!redeemed.ok) return { ok: false, message: redeemed.message };
  const r = redeemed.redemption;
  return { ok: true, preview: { pool: r.pool, inviter: r.inviter, abilities: r.abilities, uses: r.terms.uses, joinBefore: r.terms.joinBefore, relay: invite.relay, nameHint: invite.nameHint } };
}

export interface OpenPoolPreview {
  readonly policy: OpenJoinPolicy;
  readonly members: number;
  readonly replication: number;
  readonly rewardPerJob: number;
  readonly alreadyMember: boolean;
}

/** An open pool's ledger and join policy, from the pool id a page was opened with. */
async function openOpenPool(poolText: string, relay: string | undefined): Promise<Outcome<{ pool: PoolId; ledger: Ledger; policy: OpenJoinPolicy }>> {
  const parsed = parsePoolId(poolText);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const opened = await openPoolLedger(parsed.pool, relay);
  if (!opened.ok) return opened;
  const policy = openJoinPolicy(opened.ledger);
  return policy.ok ? { ok: true, pool: parsed.pool, ledger: opened.ledger, policy: policy.policy } : { ok: false, message: policy.message };
}

/** An open pool's description from its validated ledger (reading it shares nothing of this identity). */
export async function readOpenPool(identity: Identity, poolText: string, relay: string | undefined): Promise<Outcome<{ preview: OpenPoolPreview }>> {
  const opened = await openOpenPool(poolText, relay);
  if (!opened.ok) return opened;
  const { policy } = opened;
  const { members, pool } = opened.ledger.state;
  const current = Object.values(members).filter((m) => m.revoked === undefined).length;
  const mine = members[identity.did];
  return {
    ok: true,
    preview: { policy, members: current, replication: pool!.settings.replication, rewardPerJob: pool!.settings.rewardPerJob, alreadyMember: mine !== undefined && mine.revoked === undefined },
  };
}

/** Pays (a stamp solved here, or an issuer's token) and records this identity's join as a stranger. */
export async function joinOpenPoolAsStranger(
  identity: Identity,
  poolText: string,
  relay: string | undefined,
  onProgress: (tried: number, expected: number) => void,
  signal: AbortSignal,
): Promise<Outcome<{ ledger: Ledger; since: number }>> {
  const opened = await openOpenPool(poolText, relay);
  if (!opened.ok) return opened;
  const paid = await payForOpenJoin(opened.policy, { pool: opened.pool, did: identity.did }, { onProgress, signal });
  if (!paid.ok) return { ok: false, message: paid.message };
  const joined = await joinOpenPool(opened.ledger, identity, paid.payment, Date.now());
  return joined.ok ? { ok: true, ledger: opened.ledger, since: joined.since } : { ok: false, message: joined.message };
}
