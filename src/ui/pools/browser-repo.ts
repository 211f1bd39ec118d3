/**
 * The app's automerge-repos: one shared by the plain pools, and one per private pool, each with
 * IndexedDB storage and a relay adapter per relay its pools use. automerge-repo presents one
 * storage id to every peer of a repo (and one peer id per repo), so a relay serving several of
 * this browser's pools through one repo could link them; a private pool's repo gets a storage id of
 * its own (net/storage-id-scope.ts) and its own connections, as the CLI's do. All repos share one
 * IndexedDB database: documents are found by id whichever repo stored them. An anonymous job's
 * repo is the exception: it keeps its documents under a prefix of its own (net/storage-namespace.ts),
 * so nothing the member repos hold leaves through its connection. Loaded only when a
 * pool screen needs it, so Automerge (and its ~3.6 MB wasm, fetched by URL rather than inlined,
 * TOOLCHAIN.md) stays off the first route.
 */
import wasmUrl from "@automerge/automerge/automerge.wasm?url";
import { initializeWasm, Repo, type StorageAdapterInterface, type StorageId } from "@automerge/automerge-repo/slim";
import type { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb";
import type { PoolId } from "../../core/capability/pool.ts";
import { browserSocketFactory } from "../../core/net/relay-socket-browser.ts";
import { relayStorageId } from "../../core/net/relay-storage-id.ts";
import { SharePolicy } from "../../core/net/share-policy.ts";
import { storageIdPerScope } from "../../core/net/storage-id-scope.ts";
import { storageNamespace } from "../../core/net/storage-namespace.ts";
import { anonymousRepoPrefix } from "../../core/jobs/anonymous-keys.ts";
import { ClosingStorage, shutdownRepo } from "../../core/ledger/closing-storage.ts";
import { createTransports, type Transports } from "../../core/net/transports.ts";
import { appStorage } from "../app-storage.ts";

export interface BrowserRepo {
  readonly repo: Repo;
  /** The database itself (keyrings, stored keys); the repo sees it through its storage id scope. */
  readonly storage: IndexedDBStorageAdapter;
  /** What the repo stores through: the database, a scope of it, or an anonymous job's namespace. */
  readonly repoStorage: ClosingStorage;
  /** Announces private pools' documents to relays only (net/share-policy.ts). */
  readonly share: SharePolicy;
  /** Connects to `url` too (once); refuses an address that is not a relay URL. */
  addRelay(url: string): { ok: true } | { ok: false; message: string };
  relays(): ReturnType<Transports["status"]>;
  /** The storage id of a connected relay (it acknowledges heads), waiting up to `waitMs`. */
  relayStorageId(waitMs: number): Promise<StorageId | undefined>;
}

const opened = new Map<string, Promise<BrowserRepo>>();
const SHARED = "";

/** The plain pools' shared repo, or with `privatePool` that pool's own repo. */
export function browserRepo(privatePool?: PoolId): Promise<BrowserRepo> {
  return once(privatePool ?? SHARED, (storage) => (privatePool ? storageIdPerScope(storage, `pool-${privatePool}`) : storage));
}

/**
 * The repo of one anonymous job (`key` names it: its ephemeral DID): its own documents, storage
 * id, peer id and relay connections, so a relay cannot tie the job to this browser's member
 * traffic by any of them (only by network address and timing: docs/open-pools.md).
 */
export function anonymousRepo(key: string): Promise<BrowserRepo> {
  return once(anonymousScope(key), (storage) => storageNamespace(storage, anonymousRepoPrefix(key)));
}

/** Shuts an anonymous job's repo down (if open) and deletes its documents. */
export async function removeAnonymousRepo(key: string): Promise<void> {
  const opening = opened.get(anonymousScope(key));
  opened.delete(anonymousScope(key));
  if (opening) {
    const { repo, repoStorage } = await opening;
    await shutdownRepo(repo, repoStorage);
  }
  await appStorage().removeRange(anonymousRepoPrefix(key));
}

const anonymousScope = (key: string): string => `anonymous ${key}`;

function once(scope: string, storageOf: (database: IndexedDBStorageAdapter) => StorageAdapterInterface): Promise<BrowserRepo> {
  let repo = opened.get(scope);
  if (!repo) {
    repo = open(storageOf);
    opened.set(scope, repo);
  }
  return repo;
}

async function open(storageOf: (database: IndexedDBStorageAdapter) => StorageAdapterInterface): Promise<BrowserRepo> {
  await initializeWasm(wasmUrl);
  const storage = appStorage();
  const share = new SharePolicy();
  const repoStorage = new ClosingStorage(storageOf(storage));
  const repo = new Repo({ storage: repoStorage, network: [], shareConfig: share.config });
  const transports: Transports[] = [];
  const urls = new Set<string>();
  return {
    repo,
    storage,
    repoStorage,
    share,
    addRelay(url) {
      if (urls.has(url)) return { ok: true };
      const created = createTransports({ relays: [url] }, browserSocketFactory);
      if (!created.ok) return { ok: false, message: created.message };
      urls.add(url);
      transports.push(created);
      share.watchRelays(created.adapters);
      for (const adapter of created.adapters) repo.networkSubsystem.addNetworkAdapter(adapter);
      return { ok: true };
    },
    relays: () => transports.flatMap((t) => t.status()),
    relayStorageId: (waitMs) => relayStorageId(repo, waitMs),
  };
}
