/**
 * A pool's ledger as the pool commands see it: this node's identity from --home, an automerge-repo
 * with file storage under DIR/automerge (where `edgepool ledger show` reads it), the pool's latest
 * epoch, the UCAN authoriser, and optionally a relay to sync through.
 * Syncing waits until the relay holds the same document heads as this node (an acknowledgement,
 * not a guess), or until --timeout.
 */
import { nodeUcanAuthoriser } from "../core/ledger/ucan-authoriser-node.ts";
import { Repo, type StorageId } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { parsePoolId, type PoolId } from "../core/capability/pool.ts";
import { ClosingStorage, shutdownRepo } from "../core/ledger/closing-storage.ts";
import { automergeDir } from "../core/ledger/home-node.ts";
import type { Identity } from "../core/identity/keystore.ts";
import type { StoredIdentity } from "../core/identity/keystore-file-node.ts";
import type { PrivateLedger } from "../core/privacy/private-ledger.ts";
import { isPrivate, openPrivateLedger, sealedSynced, type PrivateStart } from "./private-session.ts";
import { latestEpoch, openEpoch, startNextEpoch } from "../core/ledger/epochs.ts";
import type { Ledger } from "../core/ledger/ledger.ts";
import type { EntryId, SignedEntry } from "../core/ledger/types.ts";
import { verifyNode } from "../core/crypto/ed25519-node.ts";
import { ownDelegation } from "../core/ledger/own-delegation.ts";
import { appendOwn as appendOwnEntry } from "../core/ledger/membership.ts";
import { nodeSocketFactory } from "../core/net/relay-socket-node.ts";
import { createTransports } from "../core/net/transports.ts";
import { relayStorageId } from "../core/net/relay-storage-id.ts";
import { SharePolicy } from "../core/net/share-policy.ts";
import { storageIdPerScope } from "../core/net/storage-id-scope.ts";
import { storageNamespace } from "../core/net/storage-namespace.ts";
import { stringOption, type CliIo, type Options, type ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { homeOption, resolveHome, HOME_USAGE } from "./home.ts";
import { keystoreError, keystoreFor } from "./identity-home.ts";
import { claimWriterRole } from "./writer-role.ts";

export const poolOptions: Options = { ...homeOption, relay: { type: "string" }, "allow-insecure-relay": { type: "boolean" }, timeout: { type: "string" } };

export const POOL_USAGE = [
  HOME_USAGE,
  "  --relay URL    sync the pool through this relay (wss://host/, or ws:// on this machine), e.g. the one",
  "                 `edgepool serve` or `edgepool relay` runs; several relays: URL,URL",
  "  --allow-insecure-relay  allow plain ws:// to another machine (traffic is readable on the way)",
  "  --timeout S    how long to wait for the relay, in seconds (default 10)",
];

export interface PoolSession {
  readonly ledger: Ledger;
  readonly identity: Identity;
  readonly pool: PoolId;
  /** The networked repo (in a private pool it holds only sealed documents; the ledger's own is local). */
  readonly repo: Repo;
  /** Set when the pool is private on this node. */
  readonly privacy: PrivateLedger | undefined;
  /** Waits until the relay (if any) holds everything this node has; false on timeout. */
  sync(): Promise<boolean>;
  close(): Promise<void>;
}

export async function loadStoredIdentity(args: ParsedArgs, io: CliIo): Promise<StoredIdentity> {
  const keystore = keystoreFor(args, io);
  const result = await keystore.create();
  if (!result.ok) throw keystoreError(result);
  if (result.created) io.err(`Created a new identity ${result.stored.identity.did} in ${keystore.path}; back it up with \`edgepool id export\`.`);
  return result.stored;
}

export const loadIdentity = async (args: ParsedArgs, io: CliIo): Promise<Identity> => (await loadStoredIdentity(args, io)).identity;

function timeoutMs(args: ParsedArgs): number {
  const text = stringOption(args, "timeout") ?? "10";
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError(`--timeout must be a number of seconds, got ${JSON.stringify(text)}`, ExitCode.usage);
  return seconds * 1000;
}

export interface OpenPoolOptions {
  /** Relays to sync through (default: --relay). */
  readonly relay?: string | undefined;
  /** A new pool: nothing to fetch before opening. */
  readonly fresh?: boolean;
  /** How a private pool starts on this node (absent: private when this node holds its keys). */
  readonly private?: PrivateStart;
  /**
   * Keeps the repo's documents, sync states and storage id under this prefix of the home's store
   * (net/storage-namespace.ts): an anonymous job's, so that nothing this node's member sessions
   * hold, such as an entry not yet synced, leaves through the job's connection.
   */
  readonly namespace?: readonly string[];
  /**
   * The command signs no entry as this node's identity (it shows, or it signs as another key), so
   * it does not take the writer role (writer-role.ts) and runs beside `edgepool work`.
   */
  readonly readOnly?: boolean;
}

/**
 * Opens the pool's ledger; with a relay, first waits until it has synced (unless `fresh`). A
 * writing command holds this identity's writer role from before the ledger opens until its
 * session has closed (its last entry saved).
 */
export async function openPool(args: ParsedArgs, io: CliIo, pool: PoolId, options: OpenPoolOptions = {}): Promise<PoolSession> {
  const stored = await loadStoredIdentity(args, io);
  const role = options.readOnly ? undefined : await claimWriterRole(resolveHome(args, io), pool, io);
  try {
    const session = await openLedger(args, io, pool, stored, options);
    return role ? { ...session, close: () => session.close().finally(() => role.release()) } : session;
  } catch (error) {
    await role?.release();
    throw error;
  }
}

async function openLedger(args: ParsedArgs, io: CliIo, pool: PoolId, stored: StoredIdentity, options: OpenPoolOptions): Promise<PoolSession> {
  const { relay = stringOption(args, "relay"), fresh = false } = options;
  const wait = timeoutMs(args);
  const files = new NodeFSStorageAdapter(automergeDir(resolveHome(args, io)));
  const storage = new ClosingStorage(options.namespace ? storageNamespace(files, options.namespace) : files);
  const transports = createTransports({ relays: relay ? relay.split(",") : [], allowInsecure: args.values["allow-insecure-relay"] === true }, nodeSocketFactory);
  if (!transports.ok) throw new CliError(`--relay: ${transports.message}`, ExitCode.usage);
  const share = new SharePolicy();
  share.watchRelays(transports.adapters);
  // Its own storage id per pool, so a relay serving several of this node's pools cannot link them by it.
  const repo = new Repo({ storage: storageIdPerScope(storage, pool), network: transports.adapters, shareConfig: share.config });
  const relayStorage = relay ? await relayStorageId(repo, wait) : undefined;
  if (relay && !relayStorage) io.err(`Could not reach the relay ${relay} within ${wait / 1000} s; working offline.`);
  const ledgerOptions = { authoriser: nodeUcanAuthoriser(), now: Date.now, verify: verifyNode };
  let privacy: PrivateLedger | undefined;
  let ledger: Ledger;
  try {
    if (await isPrivate(storage, pool, options.private)) {
      privacy = await openPrivateLedger({ repo, storage, pool, stored, ledger: ledgerOptions, start: options.private, share });
      ledger = privacy.ledger;
    } else {
      const opened = await openEpoch({ repo, pool, storage, ...ledgerOptions, epoch: await latestEpoch(storage, pool) });
      if (!opened.ok) throw new CliError(`${opened.reason}: ${opened.message}`);
      ledger = opened.ledger;
    }
  } catch (error) {
    await shutdownRepo(repo, storage);
    throw error;
  }
  const session: PoolSession = {
    ledger,
    identity: stored.identity,
    pool,
    repo,
    privacy,
    sync() {
      if (!relayStorage) return privacy ? privacy.flush().then(() => relay === undefined) : Promise.resolve(relay === undefined);
      return privacy ? sealedSynced(privacy, relayStorage, wait) : synced(ledger, relayStorage, wait);
    },
    async close() {
      // The node's own store trails the appends: once the storage closes, a late write is dropped.
      try {
        if (privacy) {
          await privacy.flush();
          await privacy.close();
        } else {
          await ledger.settled();
          ledger.close();
        }
        await ledger.persisted();
      } finally {
        await shutdownRepo(repo, storage);
      }
    },
  };
  if (relayStorage && !fresh && !(await session.sync())) io.err(`The relay did not finish syncing within ${wait / 1000} s; showing what arrived.`);
  if (!privacy) await followEpoch(session, io);
  return session;
}

/**
 * A command's session moves to the epoch the pool started while this node was away (ledger/README.md
 * 9), as a running node would: what the command writes then goes to the document others read.
 */
async function followEpoch(session: PoolSession, io: CliIo): Promise<void> {
  const checkpoint = session.ledger.state.checkpoint;
  if (!checkpoint || (checkpoint.epoch ?? 0) <= session.ledger.epoch) return;
  const started = await startNextEpoch(session.ledger, checkpoint.id as EntryId);
  if (!started.ok) io.err(`The pool started epoch ${checkpoint.epoch}; this node stays in epoch ${session.ledger.epoch}: ${started.reason}: ${started.message}`);
  else await session.sync();
}

const sameHeads = (a: readonly string[] | undefined, b: readonly string[]): boolean => a !== undefined && a.length === b.length && a.every((h) => b.includes(h));

async function synced(ledger: Ledger, relay: StorageId, wait: number): Promise<boolean> {
  const deadline = Date.now() + wait;
  while (Date.now() < deadline) {
    await ledger.settled();
    if (sameHeads(ledger.handle.getSyncInfo(relay)?.lastHeads, ledger.handle.heads())) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** The pool's genesis as this node sees it, or a CLI error saying how to get it. */
export function requirePool(session: PoolSession): NonNullable<Ledger["state"]["pool"]> {
  const pool = session.ledger.state.pool;
  if (!pool) throw new CliError(`this node has no ledger for pool ${session.pool} yet: pass --relay URL to sync it from a relay, or use the --home where the pool was created`);
  return pool;
}

/** This node's own delegation in the pool: none for the root, else the proof of its accepted join. */
export function ownProof(session: PoolSession): string | undefined {
  const me = session.identity.did;
  requirePool(session);
  const own = ownDelegation(session.ledger, me);
  if (!own.ok) throw new CliError(`you (${me}) are not a member of pool ${session.pool}: join it with an invite link (edgepool join <link>)`, ExitCode.noPermission);
  return own.proof;
}

/** Appends this node's own entry; a refusal (stateless or by the fold) becomes a CLI error with its reason. */
export async function appendOwn(session: PoolSession, signed: SignedEntry, exit: ExitCode = ExitCode.noPermission): Promise<void> {
  const appended = await appendOwnEntry(session.ledger, signed);
  if (!appended.ok) throw new CliError(`${appended.reason}: ${appended.message}`, exit);
}

/** The --pool option, checked (every pool command's). */
export function poolArgument(args: ParsedArgs, usage: string) {
  const raw = stringOption(args, "pool");
  if (raw === undefined) throw new CliError(`--pool is required\n${usage}`, ExitCode.usage);
  const parsed = parsePoolId(raw);
  if (!parsed.ok) throw new CliError(parsed.message, ExitCode.usage);
  return parsed.pool;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `90s`, `30m`, `12h`, `7d`, `2w` -> seconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!match) throw new CliError(`${flag} must be a duration like 90s, 30m, 12h, 7d or 2w, got ${JSON.stringify(text)}`, ExitCode.usage);
  return Number(match[1]) * UNITS[match[2]!]!;
}
