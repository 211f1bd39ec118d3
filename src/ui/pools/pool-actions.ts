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
import { appendOwn, createPoolInvite, inviteStanding, joinWithInvite, revocationTarget, revokeTarget, setPoolAnonymous, setPoolNetwork } from "../../core/ledger/membership.ts";
import { MAX_ANONYMOUS_REWARD } from "../../core/ledger/rules/anonymous.ts";
import { UcanAuthoriser } from "../../core/ledger/ucan-authoriser.ts";
import { createPool } from "../../core/ledger/writer.ts";
import { Keyring } from "../../core/privacy/keyring.ts";
import type { PrivateLedger } from "../../core/privacy/private-ledger.ts";
import type { RotationNote } from "./private-pool.ts";
import { browserRepo, type BrowserRepo } from "./browser-repo.ts";

export type Outcome<T> = ({ ok: true } & T) | { ok: false; message: string };

/** How long to wait for a relay before working offline. */
const RELAY_WAIT_MS = 10_000;
/** How long a membership granted by an invite lasts (the CLI's default --member-ttl). */
const MEMBER_TTL_SECONDS = 365 * 86_400;
/** A pool opened in this browser: its ledger, and for a private pool the sealing layer it runs behind. */
export interface OpenedPool {
  readonly ledger: Ledger;
  readonly privacy: PrivateLedger | undefined;
}

const opened = new Map<PoolId, Promise<Outcome<OpenedPool>>>();
const privatePools = () => import("./private-pool.ts");

/**
 * Opens a pool once per page: private when this browser holds a key of it (or `invite` is a
 * private pool's link), plain otherwise.
 */
export function openPoolLedger(identity: Identity, pool: PoolId, relay: string | undefined, invite?: InviteLink): Promise<Outcome<OpenedPool>> {
  return remembered(pool, async () => {
    const shared = await browserRepo();
    const sealed = invite?.sealed !== undefined || (await Keyring.holds(shared.storage, pool));
    const connected = await connectRelay(relay, sealed ? await browserRepo(pool) : shared);
    if (!connected.ok) return connected;
    if (sealed) return asOpened(await (await privatePools()).openPrivatePool(identity, pool, invite));
    const plain = await openPlainLedger(shared, pool);
    return plain.ok ? { ok: true, ledger: plain.ledger, privacy: undefined } : plain;
  });
}

/** A pool's ledger as it stands in `browser`'s repo (documents readable by relays: not a private pool's). */
export async function openPlainLedger({ repo, repoStorage }: BrowserRepo, pool: PoolId): Promise<Outcome<{ ledger: Ledger }>> {
  const plain = await openEpoch({ repo, pool, storage: repoStorage, authoriser: new UcanAuthoriser(), now: Date.now, epoch: await latestEpoch(repoStorage, pool) });
  return plain.ok ? plain : { ok: false, message: `${plain.reason}: ${plain.message}` };
}

function remembered(pool: PoolId, open: () => Promise<Outcome<OpenedPool>>): Promise<Outcome<OpenedPool>> {
  let opening = opened.get(pool);
  if (!opening) {
    opening = open();
    opened.set(pool, opening);
    void opening.then((o) => o.ok || opened.delete(pool));
  }
  return opening;
}

const asOpened = (result: Outcome<{ privacy: PrivateLedger }>): Outcome<OpenedPool> => (result.ok ? { ok: true, ledger: result.privacy.ledger, privacy: result.privacy } : result);

/** Connects the pool's repo (browser-repo.ts: a private pool's or an anonymous job's own) to the pool's relay and waits (a while) for it. */
export async function connectRelay(relay: string | undefined, { addRelay, relayStorageId }: BrowserRepo): Promise<Outcome<object>> {
  if (!relay) return { ok: true };
  const added = addRelay(relay);
  if (!added.ok) return { ok: false, message: `the pool's relay ${relay} is refused: ${added.message}` };
  // A document asked for before any peer connects can settle as unavailable (TOOLCHAIN.md).
  await relayStorageId(RELAY_WAIT_MS);
  return { ok: true };
}

/**
 * A new pool with this identity as its root. Private (the default for an invite-only pool, as in
 * the CLI) seals it from its first entry; `plain` keeps it readable by relays.
 */
export async function createNewPool(identity: Identity, name: string, replication: number, relay: string | undefined, plain: boolean): Promise<Outcome<{ pool: PoolId } & OpenedPool>> {
  const nonce = newPoolNonce();
  const pool = derivePoolId(identity.did, nonce);
  // The ledger checks the settings against the pool.create schema (its bounds are the protocol's).
  const { entry } = await createPool(identity, { ...DEFAULT_POOL_SETTINGS, name, replication } as PoolSettings, nonce, Date.now());
  if (!plain) {
    const made = await remembered(pool, async () => {
      const connected = await connectRelay(relay, await browserRepo(pool));
      return connected.ok ? asOpened(await (await privatePools()).createPrivate(identity, pool, entry)) : connected;
    });
    return made.ok ? { ...made, pool } : made;
  }
  const opening = await openPoolLedger(identity, pool, relay);
  if (!opening.ok) return opening;
  const appended = await appendOwn(opening.ledger, entry);
  if (!appended.ok) return { ok: false, message: `${appended.reason}: ${appended.message}` };
  return { ...opening, pool };
}

export interface InviteRequest {
  readonly abilities: string;
  readonly uses: number;
  readonly ttlSeconds: number;
  readonly relay: string | undefined;
}

export async function inviteToPool(identity: Identity, { ledger, privacy }: OpenedPool, request: InviteRequest): Promise<Outcome<{ link: string; joinBefore: number }>> {
  const abilities = parseAbilityList(request.abilities);
  if (!abilities.ok) return { ok: false, message: abilities.message };
  const nowS = Math.floor(Date.now() / 1000);
  const terms = { abilities: abilities.abilities, uses: request.uses, joinBefore: nowS + request.ttlSeconds, memberExpiration: nowS + MEMBER_TTL_SECONDS, appUrl: `${location.origin}/`, relay: request.relay };
  const created = privacy ? await (await privatePools()).invitePrivate(identity, privacy, terms) : await createPoolInvite(ledger, identity, terms, Date.now());
  return created.ok ? { ok: true, link: created.link, joinBefore: created.joinBefore } : { ok: false, message: `you cannot invite to this pool: ${created.message}` };
}

export const readInvite = (link: string): Outcome<{ invite: InviteLink }> => {
  const parsed = parseInviteLink(link);
  return parsed.ok ? parsed : { ok: false, message: parsed.message };
};

/**
 * Redeems the link and records this identity's member.join (the ledger decides as for every node).
 * In a private pool the join publishes this identity's key-agreement key, so rotations reach it.
 */
export async function joinPool(identity: Identity, invite: InviteLink): Promise<Outcome<{ ledger: Ledger; abilities: readonly string[]; privacy: PrivateLedger | undefined }>> {
  const redeemed = await redeemInvite(invite, identity.did, Math.floor(Date.now() / 1000));
  if (!redeemed.ok) return { ok: false, message: redeemed.message };
  const opening = await openPoolLedger(identity, invite.pool, invite.relay, invite);
  if (!opening.ok) return opening;
  const { ledger, privacy } = opening;
  if (privacy) {
    const taken = await (await privatePools()).takeInviteKey(privacy, invite);
    if (!taken.ok) return taken;
  }
  if (!ledger.state.pool) await arrival(ledger, RELAY_WAIT_MS);
  const joined = await joinWithInvite(ledger, identity, redeemed.redemption, Date.now(), privacy?.options.me.kex.publicKey);
  if (!joined.ok) return { ok: false, message: joined.message };
  await privacy?.flush();
  return { ok: true, ledger, abilities: joined.abilities, privacy };
}

/**
 * Revokes a member's delegation (by DID), an invite link, or removes an open pool's stranger (by
 * DID); the ledger refuses it unless this identity issued the delegation or one it rests on (an
 * admin, for a stranger).
 */
export async function revokeInPool(identity: Identity, { ledger, privacy }: OpenedPool, target: string): Promise<Outcome<{ honoured: Readonly<Record<string, number>>; rotation?: RotationNote | undefined }>> {
  const resolved = revocationTarget(ledger, target);
  if (!resolved.ok) return { ok: false, message: resolved.message };
  // Private pools are invite-only: every target there is a delegation.
  if (privacy && "token" in resolved) return (await privatePools()).revokePrivate(identity, privacy, resolved.token);
  const revoked = await revokeTarget(ledger, identity, resolved, Date.now());
  return revoked.ok ? { ok: true, honoured: revoked.honoured } : { ok: false, message: revoked.message };
}

/** Turns direct connections off (or on) for every member of the pool: an admin's pool.network, keeping its STUN/TURN servers. */
export async function setRelayOnlyInPool(identity: Identity, ledger: Ledger, relayOnly: boolean): Promise<Outcome<object>> {
  const ice = ledger.state.pool?.network?.ice ?? [];
  const set = await setPoolNetwork(ledger, identity, { ice, relayOnly }, Date.now());
  return set.ok ? { ok: true } : { ok: false, message: set.reason === "not-authorised" ? "only an admin of the pool can change this" : set.message };
}

/**
 * Whether an open pool takes anonymous jobs, and the most one may offer (paid by the fund): an
 * admin's pool.anonymous, as `edgepool pool anonymous` writes it.
 */
export async function setAnonymousInPool(identity: Identity, ledger: Ledger, anonymous: { enabled: boolean; maxReward: number }): Promise<Outcome<{ warning: string | undefined }>> {
  if (!ledger.state.pool?.open) return { ok: false, message: "only an open pool takes anonymous jobs" };
  const { maxReward } = anonymous;
  if (!Number.isSafeInteger(maxReward) || maxReward < 0 || maxReward > MAX_ANONYMOUS_REWARD) return { ok: false, message: `the most a job may offer is a whole number of credits from 0 to ${MAX_ANONYMOUS_REWARD}` };
  const set = await setPoolAnonymous(ledger, identity, anonymous, Date.now());
  if (!set.ok) return { ok: false, message: set.reason === "not-authorised" ? "only an admin of the pool can change this" : set.message };
  const noIssuer = anonymous.enabled && Object.keys(ledger.state.pool.open.issuers).length === 0;
  return { ok: true, warning: noIssuer ? "The pool lists no token issuer yet, so nobody can get a token to submit with (list one with edgepool pool create --issuer)." : undefined };
}

/** What the pool's validated ledger says of an invite: `known` false while it has not arrived. */
export type InviteInLedger = { readonly known: false } | { readonly known: true; readonly name: string; readonly usesLeft: number; readonly member: boolean };

/** Waits up to `waitMs` for the pool's ledger through the link's relay (nothing of this identity is shared), then reads the invite's standing. */
export async function inviteInLedger(identity: Identity, invite: InviteLink, waitMs: number): Promise<Outcome<{ ledger: InviteInLedger }>> {
  const redeemed = await redeemInvite(invite, identity.did, Math.floor(Date.now() / 1000));
  if (!redeemed.ok) return { ok: false, message: redeemed.message };
  const opening = await openPoolLedger(identity, invite.pool, invite.relay, invite);
  if (!opening.ok) return { ok: true, ledger: { known: false } };
  const { ledger } = opening;
  if (!ledger.state.pool) await arrival(ledger, waitMs);
  const pool = ledger.state.pool;
  if (!pool) return { ok: true, ledger: { known: false } };
  const standing = inviteStanding(ledger, redeemed.redemption, identity.did);
  if (!standing.ok) return { ok: false, message: standing.message };
  return { ok: true, ledger: { known: true, name: pool.settings.name, usesLeft: standing.usesLeft, member: standing.member !== undefined } };
}

/** Resolves once the ledger holds its pool.create (or what `arrived` asks for), or after `waitMs`. */
export function arrival(ledger: Ledger, waitMs: number, arrived: (state: Ledger["state"]) => boolean = (state) => state.pool !== undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (arrived(ledger.state)) return resolve();
    const stop = ledger.subscribe(() => arrived(ledger.state) && done());
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
  /** A private pool's link: it leads to a lockbox, and the relay holds only ciphertext. */
  readonly sealed: boolean;
}

/** What the "join pool X?" confirmation shows; an expired or malformed link says so here, before any network. */
export async function previewInvite(identity: Identity, invite: InviteLink): Promise<Outcome<{ preview: InvitePreview }>> {
  const redeemed = await redeemInvite(invite, identity.did, Math.floor(Date.now() / 1000));
  if (!redeemed.ok) return { ok: false, message: redeemed.message };
  const r = redeemed.redemption;
  return { ok: true, preview: { pool: r.pool, inviter: r.inviter, abilities: r.abilities, uses: r.terms.uses, joinBefore: r.terms.joinBefore, relay: invite.relay, nameHint: invite.nameHint, sealed: invite.sealed !== undefined } };
}

export interface OpenPoolPreview {
  readonly policy: OpenJoinPolicy;
  readonly members: number;
  readonly replication: number;
  readonly rewardPerJob: number;
  readonly alreadyMember: boolean;
  /** Set when the pool takes anonymous jobs (and lists an issuer to get their tokens from). */
  readonly anonymous: { readonly maxReward: number } | undefined;
}

/** An open pool's ledger and join policy, from the pool id a page was opened with. */
async function openOpenPool(identity: Identity, poolText: string, relay: string | undefined): Promise<Outcome<{ pool: PoolId; ledger: Ledger; policy: OpenJoinPolicy }>> {
  const parsed = parsePoolId(poolText);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const opening = await openPoolLedger(identity, parsed.pool, relay);
  if (!opening.ok) return opening;
  const policy = openJoinPolicy(opening.ledger);
  return policy.ok ? { ok: true, pool: parsed.pool, ledger: opening.ledger, policy: policy.policy } : { ok: false, message: policy.message };
}

/** An open pool's description from its validated ledger (reading it shares nothing of this identity). */
export async function readOpenPool(identity: Identity, poolText: string, relay: string | undefined): Promise<Outcome<{ preview: OpenPoolPreview }>> {
  const opened = await openOpenPool(identity, poolText, relay);
  if (!opened.ok) return opened;
  const { policy } = opened;
  const { members, pool } = opened.ledger.state;
  const current = Object.values(members).filter((m) => m.revoked === undefined).length;
  const mine = members[identity.did];
  const anonymous = pool!.open?.anonymous && policy.issuers.length > 0 ? { maxReward: pool!.open.anonymous.maxReward } : undefined;
  return {
    ok: true,
    preview: { policy, members: current, replication: pool!.settings.replication, rewardPerJob: pool!.settings.rewardPerJob, alreadyMember: mine !== undefined && mine.revoked === undefined, anonymous },
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
  const opened = await openOpenPool(identity, poolText, relay);
  if (!opened.ok) return opened;
  const paid = await payForOpenJoin(opened.policy, { pool: opened.pool, did: identity.did }, { onProgress, signal });
  if (!paid.ok) return { ok: false, message: paid.message };
  const joined = await joinOpenPool(opened.ledger, identity, paid.payment, Date.now());
  return joined.ok ? { ok: true, ledger: opened.ledger, since: joined.since } : { ok: false, message: joined.message };
}
