/**
 * A relay has storage, so it presents a storage id and acknowledges the heads it stored: a node
 * (the CLI's, the app's) reads that id to know when the relay holds what it wrote.
 */
import type { Repo, StorageId } from "@automerge/automerge-repo";

/** The storage id of a connected relay, waiting up to `waitMs` for one to connect; undefined if none did. */
export async function relayStorageId(repo: Repo, waitMs: number): Promise<StorageId | undefined> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const peer = Object.values(repo.peerMetadataByPeerId).find((m) => m?.storageId !== undefined && !m.isEphemeral);
    if (peer?.storageId) return peer.storageId;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}
