/**
 * Writes to a node's own store that trail the appends, as automerge-repo's own saves trail a
 * change (it saves a document at most every 100 ms). What is accepted while a write runs or
 * waits goes into the next chunk, all together: one chunk per append made single appends pay a
 * deflate, a hash and a file each, and left hundreds of chunks for the next load to merge.
 * `flushed()` writes at once. Tokens are written before the entries that name them.
 */
import type { EntryStore } from "./store.ts";

type Item = { readonly bytes: Uint8Array };

export class TrailingSaves {
  private entries: Item[] = [];
  private tokens: Item[] = [];
  private running: Promise<void> | undefined;
  /** The latest write that failed since `flushed()` last reported one. */
  private failure: unknown;
  /** Ends the current wait early (set while one runs). */
  private hurry: (() => void) | undefined;
  private flushing = 0;

  /** `delayMs`: how long accepted items wait for company before they are written. */
  constructor(
    private readonly store: EntryStore,
    private readonly tokenStore: EntryStore,
    private readonly delayMs = 0,
  ) {}

  add(entries: readonly Item[], tokens: readonly Item[]): void {
    if (entries.length === 0 && tokens.length === 0) return;
    this.entries.push(...entries);
    this.tokens.push(...tokens);
    // drain() awaits before it can finish, so `running` is set before drain() clears it.
    this.running ??= this.drain();
  }

  /** Writes everything added so far now; rejects with a write's failure (once). */
  async flushed(): Promise<void> {
    this.flushing++;
    try {
      this.hurry?.();
      while (this.running) await this.running;
    } finally {
      this.flushing--;
    }
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) throw failure;
  }

  private async drain(): Promise<void> {
    while (this.entries.length > 0 || this.tokens.length > 0) {
      await this.wait();
      const [entries, tokens] = [this.entries, this.tokens];
      this.entries = [];
      this.tokens = [];
      try {
        await this.tokenStore.save(tokens);
        await this.store.save(entries);
      } catch (error) {
        // Later writes still run: one failed chunk must not stop the node keeping the rest.
        this.failure = error;
      }
    }
    this.running = undefined;
  }

  private wait(): Promise<void> {
    if (this.delayMs === 0 || this.flushing > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.hurry = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.delayMs);
      this.hurry = done;
    });
  }
}
