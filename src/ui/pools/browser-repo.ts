/**
 * The app's one automerge-repo: IndexedDB storage and a relay adapter per relay the user's pools
 * use. Loaded only when a pool screen needs it, so Automerge (and its ~3.6 MB wasm, fetched by URL
 * rather than inlined, TOOLCHAIN.md) stays off the first route.
 */
import wasmUrl from "@automerge/automerge/automerge.wasm?url";
import { initializeWasm, Repo, type StorageId } from "@automerge/automerge-repo/slim";
import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb";
import { browserSocketFactory } from "../../core/net/relay-socket-browser.ts";
import { SharePolicy } from "../../core/net/share-policy.ts";
import { createTransports, type Transports } from "../../core/net/transports.ts";

export interface BrowserRepo {
  readonly repo: Repo;
  readonly storage: IndexedDBStorageAdapter;
  /** Announces private pools' documents to relays only (net/share-policy.ts). */
  readonly share: SharePolicy;
  /** Connects to `url` too (once); refuses an address that is not a relay URL. */
  addRelay(url: string): { ok: true } | { ok: false; message: string };
  relays(): ReturnType<Transports["status"]>;
  /** The storage id of a connected relay (it acknowledges heads), waiting up to `waitMs`. */
  relayStorageId(waitMs: number): Promise<StorageId | undefined>;
}

let opened: Promise<BrowserRepo> | undefined;

export function browserRepo(): Promise<BrowserRepo> {
  opened ??= open();
  return opened;
}

async function open(): Promise<BrowserRepo> {
  await initializeWasm(wasmUrl);
  const storage = new IndexedDBStorageAdapter("edgepool-automerge");
  const share = new SharePolicy();
  const repo = new Repo({ storage, network: [], shareConfig: share.config });
  const transports: Transports[] = [];
  const urls = new Set<string>();
  return {
    repo,
    storage,
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
    async relayStorageId(waitMs) {
      const deadline = Date.now() + waitMs;
      while (Date.now() < deadline) {
        const peer = Object.values(repo.peerMetadataByPeerId).find((m) => m?.storageId !== undefined && !m.isEphemeral);
        if (peer?.storageId) return peer.storageId;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return undefined;
    },
  };
}
