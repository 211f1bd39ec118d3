/**
 * Which documents a node offers to which peers. automerge-repo announces every document to every
 * connected peer by default: over a mesh (BroadcastChannel, WebRTC) a removed member that is still
 * connected would be handed a private pool's new epoch document, id and all. So a private pool's
 * documents (`hide`) are announced only to relays, which store and forward ciphertext and learn the
 * ids anyway; any other peer gets one only by asking for it by id, which only holders of the epoch
 * key can compute. Everything else is announced as before. Requests are always answered.
 */
import type { DocumentId, NetworkAdapterInterface, PeerId, RepoConfig } from "@automerge/automerge-repo";

type ShareConfig = NonNullable<RepoConfig["shareConfig"]>;

export class SharePolicy {
  private readonly relays = new Set<PeerId>();
  private readonly hidden = new Set<DocumentId>();

  readonly config: ShareConfig = {
    // Without a document id automerge-repo asks about the peer as a whole (remote heads): yes.
    announce: async (peer, document) => document === undefined || !this.hidden.has(document) || this.relays.has(peer),
    access: async () => true,
  };

  /** The peers these adapters reach are relays. Call before the adapters are given to the repo. */
  watchRelays(adapters: readonly NetworkAdapterInterface[]): void {
    for (const adapter of adapters) {
      adapter.on("peer-candidate", ({ peerId }) => this.relays.add(peerId));
      adapter.on("peer-disconnected", ({ peerId }) => this.relays.delete(peerId));
    }
  }

  /** A private document: from now on announced to relays only. Call before the repo opens it. */
  hide(document: DocumentId): void {
    this.hidden.add(document);
  }
}
