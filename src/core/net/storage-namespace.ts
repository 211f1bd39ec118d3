/**
 * A storage adapter that keeps everything under its own key prefix in a shared store: its own
 * documents, sync states and storage id. A repo over it shares nothing with the store's other
 * repos, so it never offers a relay a change it did not make or fetch itself. The app's anonymous
 * submissions use one per job (ledger/README.md 6.3, "What can still link"): a change the browser's
 * member identity wrote and has not synced yet must not leave through the anonymous connection.
 */
import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo";

export function storageNamespace(inner: StorageAdapterInterface, prefix: readonly string[]): StorageAdapterInterface {
  if (prefix.length === 0 || prefix.some((part) => part.length === 0)) throw new TypeError("a storage namespace is one or more non-empty key parts");
  const outer = (key: StorageKey): StorageKey => [...prefix, ...key];
  const inside = ({ key, data }: Chunk): Chunk => ({ key: key.slice(prefix.length), data });
  return {
    load: (key) => inner.load(outer(key)),
    save: (key, data) => inner.save(outer(key), data),
    remove: (key) => inner.remove(outer(key)),
    loadRange: async (keyPrefix) => (await inner.loadRange(outer(keyPrefix))).map(inside),
    removeRange: (keyPrefix) => inner.removeRange(outer(keyPrefix)),
  };
}
