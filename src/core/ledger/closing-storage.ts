/**
 * A storage adapter that can be closed. `Repo.shutdown()` writes every document whole but leaves
 * automerge-repo's throttled saves (a document's, and each peer's sync state, 100 ms apart)
 * pending: they fire after it, against files that a test or an uninstall is removing, and fail
 * as unhandled rejections. `close()` waits for the writes in flight and drops every later one:
 * shutdown already saved each document, and a sync state only shortens the next sync.
 */
import type { Chunk, Repo, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo";

export class ClosingStorage implements StorageAdapterInterface {
  #closed = false;
  readonly #writing = new Set<Promise<void>>();

  constructor(private readonly inner: StorageAdapterInterface) {}

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.inner.load(key);
  }

  loadRange(prefix: StorageKey): Promise<Chunk[]> {
    return this.inner.loadRange(prefix);
  }

  save(key: StorageKey, data: Uint8Array): Promise<void> {
    return this.#write(() => this.inner.save(key, data));
  }

  remove(key: StorageKey): Promise<void> {
    return this.#write(() => this.inner.remove(key));
  }

  removeRange(prefix: StorageKey): Promise<void> {
    return this.#write(() => this.inner.removeRange(prefix));
  }

  /** Waits for the writes in flight; writes asked for after this are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#writing]);
  }

  #write(run: () => Promise<void>): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const writing = run();
    this.#writing.add(writing);
    const done = () => void this.#writing.delete(writing);
    writing.then(done, done);
    return writing;
  }
}

/**
 * Writes every document `repo` holds to its storage. `Repo.flush()` (and so `Repo.shutdown()`)
 * throws "DocHandle is not ready" for a handle still requesting or unavailable, as when a peer
 * asked for a document nobody had: such a handle holds nothing to save, so it is left out.
 */
export async function flushReady(repo: Repo): Promise<void> {
  const ready = Object.values(repo.handles).filter((handle) => handle.isReady());
  await repo.flush(ready.map((handle) => handle.documentId));
}

/** Shuts `repo` down, then its storage (if given): once this resolves, nothing of the repo writes again. */
export async function shutdownRepo(repo: Repo, storage?: ClosingStorage): Promise<void> {
  for (const adapter of repo.networkSubsystem.adapters) adapter.disconnect();
  await flushReady(repo);
  await storage?.close();
}
