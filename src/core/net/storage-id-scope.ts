/**
 * automerge-repo keeps one storage id per storage adapter and presents it to every peer, so a
 * relay that serves several of a device's pools could link them by it. Wrapping the adapter given
 * to a pool's repo keeps that id per pool (under its own key); every other item is shared as is.
 */
import type { StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo";

const STORAGE_ID_KEY = "storage-adapter-id";

export function storageIdPerScope(inner: StorageAdapterInterface, scope: string): StorageAdapterInterface {
  if (!/^[0-9a-z-]{1,64}$/.test(scope)) throw new TypeError(`a storage id scope is 1-64 characters of a-z, 0-9 and -, got ${JSON.stringify(scope)}`);
  const map = (key: StorageKey): StorageKey => (key.length === 1 && key[0] === STORAGE_ID_KEY ? [`${STORAGE_ID_KEY}-${scope}`] : key);
  return {
    load: (key) => inner.load(map(key)),
    save: (key, data) => inner.save(map(key), data),
    remove: (key) => inner.remove(map(key)),
    loadRange: (prefix) => inner.loadRange(prefix),
    removeRange: (prefix) => inner.removeRange(prefix),
  };
}
