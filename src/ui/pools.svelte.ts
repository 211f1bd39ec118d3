/**
 * The pools this browser belongs to, as runes: the list (kept in localStorage), the chosen pool's
 * ledger summary (refreshed on every ledger change), its sync status (UX.md 10), and the intents
 * of the Pools and Join screens. Automerge and the pool logic load on first use (pools/*.ts), so
 * the first route does not carry them.
 */
import type { InviteLink } from "../core/capability/invite.ts";
import type { PoolId } from "../core/capability/pool.ts";
import type { Identity } from "../core/identity/keystore.ts";
import type { LedgerSummary } from "../core/ledger/summary.ts";
import type { SyncStatus } from "../core/net/sync-status.ts";
import type { EdgeNode } from "../core/node.ts";
import type { InviteInLedger, InvitePreview, InviteRequest, OpenedPool, OpenPoolPreview, Outcome } from "./pools/pool-actions.ts";
import type { PrivacyFacts, RotationNote } from "./pools/private-pool.ts";
import type { PrivateLedger } from "../core/privacy/private-ledger.ts";
import { contribution } from "./contribute.svelte.ts";
import { OTHER_TAB_WRITES, writerRole } from "./writer.svelte.ts";

export interface KnownPool {
  readonly pool: PoolId;
  readonly name: string;
  readonly relay: string | undefined;
  /** Sealed end to end (docs/privacy.md); absent in lists stored before private pools. */
  readonly private?: boolean;
}

/** One line of the Ledger screen's entry list. */
export interface EntryRow {
  readonly id: string;
  readonly kind: string;
  readonly author: string;
  readonly time: number;
}

/** The Ledger screen lists this many of the newest entries. */
const RECENT_ENTRIES = 50;
const POOLS_KEY = "edgepool.pools";
const RELAY_KEY = "edgepool.relay";
const SELECTED_KEY = "edgepool.pools.selected";
const SYNC_POLL_MS = 1000;
/** How long the join screen waits for the pool's ledger (its name, the link's uses left). */
const LEDGER_WAIT_MS = 20_000;
/** Handing the writer role to another tab waits this long at most for running tasks to finish. */
const HANDOVER_MS = 30_000;
const HANDOVER_POLL_MS = 250;
const READ_ONLY: { ok: false; message: string } = { ok: false, message: OTHER_TAB_WRITES };

function storedPools(): KnownPool[] {
  try {
    const list = JSON.parse(localStorage.getItem(POOLS_KEY) ?? "[]") as unknown;
    return Array.isArray(list) ? list.filter((p): p is KnownPool => typeof p?.pool === "string" && typeof p?.name === "string") : [];
  } catch {
    return [];
  }
}

let pools = $state<KnownPool[]>(storedPools());
let relay = $state<string>(localStorage.getItem(RELAY_KEY) ?? "");
let selected = $state<{ pool: KnownPool; opened: OpenedPool; node: EdgeNode; identity: Identity; readOnly: boolean } | undefined>();
let privacy = $state<PrivacyFacts | undefined>();
let summary = $state<LedgerSummary | undefined>();
let recent = $state<EntryRow[]>([]);
let sync = $state<SyncStatus>({ status: "looking" });
let onlyHere = $state(0);
let stopWatching: (() => void) | undefined;

/** What the chosen pool's watch does when it is private (loaded with the private-pool code). */
interface PrivateWatch {
  facts(privacy: PrivateLedger): PrivacyFacts;
  /** An admin's maintenance after a change: rotate when due, answer key complaints. */
  keep(privacy: PrivateLedger): void;
}

const actions = () => import("./pools/pool-actions.ts");

function remember(pool: KnownPool): void {
  pools = [...pools.filter((p) => p.pool !== pool.pool), pool];
  localStorage.setItem(POOLS_KEY, JSON.stringify(pools));
}

const acknowledgedKey = (pool: PoolId): string => `edgepool.acknowledged.${pool}`;

function storedAcknowledged(pool: PoolId): string[] {
  try {
    const list = JSON.parse(localStorage.getItem(acknowledgedKey(pool)) ?? "[]") as unknown;
    return Array.isArray(list) ? list.filter((h): h is string => typeof h === "string") : [];
  } catch {
    return [];
  }
}

/**
 * Reads the sync status and keeps what peers acknowledged, so a reload offline still knows which
 * changes are elsewhere. A private pool's ledger document never leaves the device: what syncs is
 * the sealed document of the epoch this device writes to.
 */
async function readSyncNow({ ledger, privacy: sealed }: OpenedPool): Promise<void> {
  const [{ browserRepo }, { readSync }] = await Promise.all([import("./pools/browser-repo.ts"), import("../core/net/sync-status.ts")]);
  const pool = ledger.options.pool;
  const { repo } = await browserRepo(sealed ? pool : undefined);
  const key = sealed?.sealingKey();
  const handle = sealed ? (key && sealed.document(key)) : ledger.handle;
  if (!handle) return;
  const reading = readSync({ online: navigator.onLine, handle, peers: Object.values(repo.peerMetadataByPeerId), acknowledged: storedAcknowledged(pool), now: Date.now() });
  localStorage.setItem(acknowledgedKey(pool), JSON.stringify(reading.acknowledged));
  sync = reading.sync;
  onlyHere = reading.onlyHere;
}

/** Follows the chosen pool's ledger; `summarise` and `facts` are passed in because they load with the pool, off the first route. */
function watch(opened: OpenedPool, summarise: typeof import("../core/ledger/summary.ts").summarise, sealed: PrivateWatch | undefined): void {
  stopWatching?.();
  const { ledger } = opened;
  // Keys arrive without a ledger change of their own (a lockbox opened), so the sync poll reads them too.
  const readPrivacy = () => (privacy = opened.privacy && sealed?.facts(opened.privacy));
  const refresh = () => {
    readPrivacy();
    // Key maintenance writes as the identity: only the tab that holds the writer role does it.
    if (opened.privacy && writerRole.writes) sealed?.keep(opened.privacy);
    summary = summarise(ledger.view(), Date.now());
    recent = ledger
      .entries()
      .map(({ id, entry }) => ({ id, kind: entry.kind, author: entry.author, time: entry.time }))
      .sort((a, b) => b.time - a.time)
      .slice(0, RECENT_ENTRIES);
  };
  refresh();
  const unsubscribe = ledger.subscribe(refresh);
  void readSyncNow(opened);
  const timer = setInterval(() => {
    readPrivacy();
    void readSyncNow(opened);
  }, SYNC_POLL_MS);
  stopWatching = () => {
    unsubscribe();
    clearInterval(timer);
  };
}

let selecting: Promise<void> = Promise.resolve();

/** One change of the chosen pool or its node at a time: a click during a reopen must not start a second node. */
function inTurn<T>(task: () => Promise<T>): Promise<T> {
  const next = selecting.then(task);
  selecting = next.then(() => undefined, () => undefined);
  return next;
}

async function startNode(identity: Identity, opened: OpenedPool, pool: KnownPool, readOnly: boolean): Promise<EdgeNode> {
  const { startPoolNode } = await import("./pools/pool-node.ts");
  const node = await startPoolNode(identity, opened, await contribution.signalSource(), contribution.settings, pool.relay, readOnly);
  if (node.scheduler) await contribution.adopt(node.scheduler);
  return node;
}

/** Runs the chosen pool's node again as a writer or a reader (the old node closes first: never two writing). */
async function runNodeAs(readOnly: boolean): Promise<void> {
  if (!selected || selected.readOnly === readOnly) return;
  await selected.node.close();
  selected = { ...selected, node: await startNode(selected.identity, selected.opened, selected.pool, readOnly), readOnly };
}

/** The writer role came or went. While handing over, `letGo` lets the running tasks finish first. */
const roleMoved = (): Promise<void> => (writerRole.state.status === "handing-over" ? Promise.resolve() : runNodeAs(!writerRole.writes));

/** The last sequence number this tab's identity used in a pool: the next writer must have seen it. */
interface WrittenMark {
  readonly pool: string;
  readonly seq: number;
}

const lastSeq = (): WrittenMark | undefined => selected && { pool: selected.pool.pool, seq: selected.opened.ledger.writerFor(selected.identity).seq };

/** Another tab takes over: let the running tasks finish (at most HANDOVER_MS), then only show. */
async function letGo(): Promise<WrittenMark | undefined> {
  const node = selected?.node;
  if (node?.scheduler) {
    node.scheduler.pause({ finishFirst: true });
    const until = Date.now() + HANDOVER_MS;
    while ((node.workStatus()?.active.length ?? 0) > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, HANDOVER_POLL_MS));
  }
  await inTurn(() => runNodeAs(true));
  return lastSeq();
}

/** Before writing here, the chosen pool's ledger has every entry the old writer tab wrote (a mark from another pool is in IndexedDB already). */
async function catchUp(mark: unknown): Promise<void> {
  const { pool, seq } = (mark ?? {}) as Partial<WrittenMark>;
  if (typeof seq !== "number") return;
  while (lastSeq()?.pool === pool && lastSeq()!.seq < seq) await new Promise((resolve) => setTimeout(resolve, HANDOVER_POLL_MS));
}

const roleHooks = { letGo, catchUp, changed: () => void inTurn(roleMoved) };

/** Whether this tab writes for `identity`, once its writer role has settled (a click right after the page loads waits for it). */
async function mayWrite(identity: Identity): Promise<boolean> {
  await writerRole.start(identity.did, roleHooks);
  return writerRole.writes;
}

/** Runs `action` if this tab writes for `identity` (once its role has settled), else refuses with a sentence. */
async function asWriter<T>(identity: Identity, action: () => Promise<T>): Promise<T | typeof READ_ONLY> {
  return (await mayWrite(identity)) ? action() : READ_ONLY;
}

async function selectNow(identity: Identity, pool: KnownPool): Promise<Outcome<object>> {
  if (selected?.pool.pool === pool.pool) return { ok: true };
  const opened = await (await actions()).openPoolLedger(identity, pool.pool, pool.relay);
  if (!opened.ok) return opened;
  await selected?.node.close();
  const readOnly = !writerRole.writes;
  const node = await startNode(identity, opened, pool, readOnly);
  const known = { ...pool, private: opened.privacy !== undefined };
  if (known.private !== pool.private) remember(known);
  selected = { pool: known, opened, node, identity, readOnly };
  localStorage.setItem(SELECTED_KEY, pool.pool);
  const loaded = opened.privacy ? await import("./pools/private-pool.ts") : undefined;
  const sealed = loaded && { facts: loaded.privacyFacts, keep: (p: PrivateLedger) => loaded.keepKeys(identity, p) };
  watch(opened, (await import("../core/ledger/summary.ts")).summarise, sealed);
  return { ok: true };
}

export const poolsState = {
  get pools(): readonly KnownPool[] {
    return pools;
  },
  get relay(): string {
    return relay;
  },
  get selected(): KnownPool | undefined {
    return selected?.pool;
  },
  get summary(): LedgerSummary | undefined {
    return summary;
  },
  /** The chosen pool's key epochs, when it is private. */
  get privacy(): PrivacyFacts | undefined {
    return privacy;
  },
  get recent(): readonly EntryRow[] {
    return recent;
  },
  get sync(): SyncStatus {
    return sync;
  },
  /** Changes to the chosen pool's ledger that no peer or relay has acknowledged yet. */
  get onlyHere(): number {
    return onlyHere;
  },
  setRelay(url: string): void {
    relay = url.trim();
    localStorage.setItem(RELAY_KEY, relay);
  },
  /** The chosen pool's node (jobs, contribution), once one is chosen. */
  get node(): EdgeNode | undefined {
    return selected?.node;
  },
  /** Opens the pool and runs this device's node for it; the contribution follows that node's scheduler. */
  select(identity: Identity, pool: KnownPool): Promise<Outcome<object>> {
    return inTurn(() => selectNow(identity, pool));
  },
  /**
   * Takes this identity's writer role if no other tab holds it (else this tab only shows), then
   * reopens the pool chosen on the last visit, so contribution and queued jobs carry on after a reload.
   */
  async reopen(identity: Identity): Promise<void> {
    await mayWrite(identity);
    const last = pools.find((p) => p.pool === localStorage.getItem(SELECTED_KEY));
    if (last) await this.select(identity, last);
  },
  /** Creates a pool: private unless `plain` (a pool whose ledger relays may read, e.g. to be audited publicly). */
  create(identity: Identity, name: string, replication: number, plain: boolean): Promise<Outcome<object>> {
    return asWriter(identity, async () => {
      const created = await (await actions()).createNewPool(identity, name, replication, relay || undefined, plain);
      if (!created.ok) return created;
      const known = { pool: created.pool, name, relay: relay || undefined, private: !plain };
      remember(known);
      return this.select(identity, known);
    });
  },
  invite(identity: Identity, request: Omit<InviteRequest, "relay">): Promise<Outcome<{ link: string; joinBefore: number }>> {
    return asWriter(identity, async () => {
      if (!selected) return { ok: false, message: "choose a pool first" };
      return (await actions()).inviteToPool(identity, selected.opened, { ...request, relay: selected.pool.relay });
    });
  },
  /** Reads a link and what joining with it means, for the confirmation. */
  async readInvite(identity: Identity, link: string): Promise<Outcome<{ invite: InviteLink; preview: InvitePreview }>> {
    const loaded = await actions();
    const read = loaded.readInvite(link);
    if (!read.ok) return read;
    const previewed = await loaded.previewInvite(identity, read.invite);
    return previewed.ok ? { ok: true, invite: read.invite, preview: previewed.preview } : previewed;
  },
  /**
   * Revokes a member (by DID) or an invite link in the chosen pool. The ledger refuses it unless this
   * identity issued the delegation or one it rests on (the pool's creator can revoke anything).
   */
  revoke(identity: Identity, target: string): Promise<Outcome<{ honoured: Readonly<Record<string, number>>; rotation?: RotationNote | undefined }>> {
    return asWriter(identity, async () => {
      if (!selected) return { ok: false, message: "choose a pool first" };
      return (await actions()).revokeInPool(identity, selected.opened, target.trim());
    });
  },
  /** Starts a new key epoch of the chosen private pool; the ledger refuses it unless this identity is an admin. */
  rotate(identity: Identity): Promise<Outcome<{ epoch: number; withoutKex: readonly string[] }>> {
    return asWriter(identity, async () => {
      const sealed = selected?.opened.privacy;
      if (!sealed) return { ok: false, message: "choose a private pool first" };
      return (await import("./pools/private-pool.ts")).rotatePrivate(identity, sealed);
    });
  },
  /** Turns direct connections between the pool's members off (relay only) or on; the ledger refuses it unless this identity is an admin. */
  setRelayOnly(identity: Identity, relayOnly: boolean): Promise<Outcome<object>> {
    return asWriter(identity, async () => {
      if (!selected) return { ok: false, message: "choose a pool first" };
      return (await actions()).setRelayOnlyInPool(identity, selected.opened.ledger, relayOnly);
    });
  },
  /** Turns anonymous jobs in the chosen open pool on (with the most one may offer) or off; the ledger refuses it unless this identity is an admin. */
  setAnonymous(identity: Identity, anonymous: { enabled: boolean; maxReward: number }): Promise<Outcome<{ warning: string | undefined }>> {
    return asWriter(identity, async () => {
      if (!selected) return { ok: false, message: "choose a pool first" };
      return (await actions()).setAnonymousInPool(identity, selected.opened.ledger, anonymous);
    });
  },
  /** The pool's validated name and the link's standing (revoked, used up, joins left), once its ledger arrives. */
  async checkInvite(identity: Identity, invite: InviteLink): Promise<Outcome<{ ledger: InviteInLedger }>> {
    return (await actions()).inviteInLedger(identity, invite, LEDGER_WAIT_MS);
  },
  /** An open pool's page: what it is and how it admits strangers. */
  async readOpen(identity: Identity, pool: string, relay: string | undefined): Promise<Outcome<{ preview: OpenPoolPreview }>> {
    return (await actions()).readOpenPool(identity, pool, relay);
  },
  /** Joins an open pool as a stranger (paying with a stamp or a token), then opens it here. */
  joinOpen(identity: Identity, pool: string, relay: string | undefined, onProgress: (tried: number, expected: number) => void, signal: AbortSignal): Promise<Outcome<{ since: number }>> {
    return asWriter(identity, async () => {
      const joined = await (await actions()).joinOpenPoolAsStranger(identity, pool, relay, onProgress, signal);
      if (!joined.ok) return joined;
      const known = { pool: pool as PoolId, name: joined.ledger.state.pool?.settings.name ?? pool, relay };
      remember(known);
      await this.select(identity, known);
      return { ok: true, since: joined.since };
    });
  },
  join(identity: Identity, invite: InviteLink): Promise<Outcome<{ abilities: readonly string[] }>> {
    return asWriter(identity, async () => {
      const joined = await (await actions()).joinPool(identity, invite);
      if (!joined.ok) return joined;
      const known = { pool: invite.pool, name: joined.ledger.state.pool?.settings.name ?? invite.pool, relay: invite.relay, private: joined.privacy !== undefined };
      remember(known);
      await this.select(identity, known);
      return { ok: true, abilities: joined.abilities };
    });
  },
};
