/**
 * Which epochs of a pool this node holds, as one tiny file per epoch in the node's own storage.
 * A storage adapter can only tell whether a document exists by loading it (`loadRange` reads every
 * chunk), so probing the documents made each start read all of history from disk: the whole
 * epoch-0 document to see whether the pool is here, then every later epoch's to find the latest
 * (15 MB at 100,000 entries of history). A mark is read with one `load` of a fixed key.
 * Stores written before marks existed are probed the old way for epoch 0, once: the mark is then written.
 */
import type { StorageAdapterInterface } from "@automerge/automerge-repo";
import { ledgerDocumentId } from "./document.ts";
import type { PoolId } from "./types.ts";

const NAMESPACE = "edgepool-epochs";
const MARK = new Uint8Array([1]);

const markKey = (pool: PoolId, epoch: number): string[] => [NAMESPACE, pool, String(epoch)];

/** Records that this node holds the pool's epoch (its document is open, or was written here). */
export async function markEpoch(storage: StorageAdapterInterface, pool: PoolId, epoch: number): Promise<void> {
  if ((await storage.load(markKey(pool, epoch))) === undefined) await storage.save(markKey(pool, epoch), MARK);
}

/**
 * Whether this node holds the pool's epoch: its mark, or (a store from before marks) epoch 0's
 * document. Marks came before nodes could move to later epochs, and a later epoch's document in
 * storage proves nothing: its id follows from the pool id, so any peer can push one here; only
 * this node's own mark, written once it trusted that epoch's start, counts.
 */
export async function holdsEpoch(storage: StorageAdapterInterface, pool: PoolId, epoch: number): Promise<boolean> {
  if ((await storage.load(markKey(pool, epoch))) !== undefined) return true;
  if (epoch > 0 || !(await storesEpochDocument(storage, pool, 0))) return false;
  await markEpoch(storage, pool, 0);
  return true;
}

/** Whether storage holds the epoch's document (read by loading it; whoever wrote it). */
export async function storesEpochDocument(storage: StorageAdapterInterface, pool: PoolId, epoch: number): Promise<boolean> {
  return (await storage.loadRange([ledgerDocumentId(pool, epoch)])).length > 0;
}
