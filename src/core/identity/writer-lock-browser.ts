/**
 * The writer role in the browser (writer-role.ts): every tab of the app runs a node of the same
 * identity over the same IndexedDB, so one tab at a time holds a Web Lock named for the DID and
 * writes; the others only show the pool and wait in the lock's queue, so when the writer's tab
 * closes the next one takes over by itself. A reader may ask to write here instead: it says so on
 * a BroadcastChannel, the writer stops writing (its `letGo`), then releases, and the lock passes
 * to the asking tab (the other readers step out of the queue until it has). The writer's last word
 * is a mark of what it wrote (its last sequence number): the new writer catches up to it before it
 * writes, or it would sign a number the old one had used.
 */
import type { Did } from "./did-key.ts";

export type TabWriterState =
  | { readonly status: "claiming" }
  /** This tab writes. */
  | { readonly status: "writer" }
  /** Another tab writes; this one shows the pool and waits for the role. */
  | { readonly status: "reader" }
  /** This tab is letting go for another one (finishing its task, closing its node). */
  | { readonly status: "handing-over" }
  /** No Web Locks here: writing from this tab is not safe, so it only shows. */
  | { readonly status: "unavailable"; readonly message: string }
  | { readonly status: "closed" };

/** What tabs say to each other, checked on arrival (anything else on the channel is ignored). */
type WriterMessage =
  | { readonly type: "let-go"; readonly to: string }
  /** Sent by the writer that let go for `to`, just before it releases: `mark` is what `letGo` returned. */
  | { readonly type: "released"; readonly to: string; readonly mark: unknown }
  | { readonly type: "taken"; readonly by: string };

function decode(data: unknown): WriterMessage | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const { type, to, by, mark } = data as Record<string, unknown>;
  if ((type === "let-go" || type === "released") && typeof to === "string") return type === "let-go" ? { type, to } : { type, to, mark };
  if (type === "taken" && typeof by === "string") return { type, by };
  return undefined;
}

/** How long a tab that asked for the role waits for the old writer's mark once the lock is here (the old tab may have closed instead). */
const MARK_WAIT_MS = 2_000;
/** A reader that stepped out of the queue for an asking tab goes back in after this long at the latest. */
const REQUEUE_MS = 10_000;
/** How long a starting tab waits for a lock that is taken before it shows itself as a reader. */
const START_GRACE_MS = 1_500;

export interface TabWriterOptions {
  readonly did: Did;
  /** The app's storage (its IndexedDB database): tabs that share it share the role. */
  readonly namespace: string;
  /** Stops this tab's writing before the role goes to another tab (e.g. closes its node between tasks); returns a mark of what it wrote. */
  readonly letGo: () => Promise<unknown>;
  /** Waits until this tab has seen everything up to the old writer's mark (undefined when it sent none). */
  readonly catchUp: (mark: unknown) => Promise<void>;
  readonly locks?: LockManager | undefined;
  readonly channel?: BroadcastChannel;
  /** This tab's name on the channel (default: random). */
  readonly tab?: string;
}

export const writerLockName = (namespace: string, did: Did): string => `${namespace}/writer/${did}`;

export class TabWriterRole {
  private current: TabWriterState = { status: "claiming" };
  private readonly listeners = new Set<(state: TabWriterState) => void>();
  private readonly name: string;
  private readonly tab: string;
  private readonly channel: BroadcastChannel;
  /** Resolving it releases the held lock. */
  private release: (() => void) | undefined;
  /** Aborting it takes this tab out of the lock's queue. */
  private waiting: AbortController | undefined;
  /** Set while this tab asked for the role: resolves with the old writer's mark. */
  private mark: { promise: Promise<unknown>; resolve: (mark: unknown) => void } | undefined;

  constructor(private readonly options: TabWriterOptions) {
    this.name = writerLockName(options.namespace, options.did);
    this.tab = options.tab ?? crypto.randomUUID();
    this.channel = options.channel ?? new BroadcastChannel(this.name);
    this.channel.onmessage = (event: MessageEvent) => {
      const message = decode(event.data);
      if (message) void this.heard(message);
    };
  }

  get state(): TabWriterState {
    return this.current;
  }

  /** Calls `listener` with every new state; returns the unsubscribe. */
  on(listener: (state: TabWriterState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes the role if no tab holds it, else waits for it as a reader. */
  async start(): Promise<void> {
    const locks = this.options.locks;
    if (!locks) return this.set({ status: "unavailable", message: "this browser has no Web Locks, so this tab cannot tell whether another one writes" });
    if (await this.request(locks, { ifAvailable: true })) return;
    // A reloaded page's predecessor can hold the lock a moment longer: wait in line a little before
    // calling this tab a reader, so a reload does not flash "running in another tab".
    const granted = this.queue(locks, false);
    const soon = await Promise.race([granted, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), START_GRACE_MS))]);
    if (!soon && this.current.status === "claiming") this.set({ status: "reader" });
  }

  /** Asks the writing tab to let go; this tab takes the role when it has. */
  takeOver(): void {
    if (this.current.status !== "reader") return;
    let resolve: (mark: unknown) => void = () => undefined;
    this.mark = { promise: new Promise((done) => (resolve = done)), resolve };
    this.channel.postMessage({ type: "let-go", to: this.tab } satisfies WriterMessage);
  }

  /** Stops writing and waiting; the caller has closed its node first. */
  close(): void {
    this.waiting?.abort();
    this.release?.();
    this.release = undefined;
    this.channel.close();
    this.set({ status: "closed" });
  }

  /** Resolves true once the lock is held here, false when `ifAvailable` found it taken (or the wait was aborted). */
  private request(locks: LockManager, options: LockOptions): Promise<boolean> {
    return new Promise((resolve) => {
      locks
        .request(this.name, options, async (lock) => {
          if (!lock || this.current.status === "closed") return resolve(false);
          const held = new Promise<void>((released) => (this.release = released));
          await this.options.catchUp(await this.lastMark());
          resolve(true);
          this.set({ status: "writer" });
          this.channel.postMessage({ type: "taken", by: this.tab } satisfies WriterMessage);
          return held;
        })
        .catch(() => resolve(false));
    });
  }

  private async lastMark(): Promise<unknown> {
    const asked = this.mark;
    if (!asked) return undefined;
    // The mark may come after the lock (two channels): `heard` resolves it meanwhile.
    const mark = await Promise.race([asked.promise, new Promise((resolve) => setTimeout(() => resolve(undefined), MARK_WAIT_MS))]);
    this.mark = undefined;
    return mark;
  }

  /** Waits in the lock's queue; resolves true once this tab writes. */
  private queue(locks: LockManager, reader = true): Promise<boolean> {
    if (this.current.status === "closed") return Promise.resolve(false);
    if (reader) this.set({ status: "reader" });
    const waiting = new AbortController();
    this.waiting = waiting;
    return this.request(locks, { signal: waiting.signal });
  }

  private async heard(message: WriterMessage): Promise<void> {
    const locks = this.options.locks!;
    if (message.type === "let-go" && message.to !== this.tab) {
      if (this.current.status === "writer") {
        this.set({ status: "handing-over" });
        // A tab that could not stop writing keeps the role: two writers are what this prevents.
        const stopped = await this.options.letGo().then((mark) => ({ mark }), () => undefined);
        if (!stopped) return this.set({ status: "writer" });
        this.channel.postMessage({ type: "released", to: message.to, mark: stopped.mark } satisfies WriterMessage);
        this.release?.();
        this.release = undefined;
        void this.queue(locks);
      } else if (this.current.status === "reader") {
        // Out of the queue, so the asking tab is next; back in once it holds the role (or, should it
        // never say so, a while later).
        this.waiting?.abort();
        setTimeout(() => this.requeue(locks), REQUEUE_MS);
      }
    }
    if (message.type === "released" && message.to === this.tab) this.mark?.resolve(message.mark);
    if (message.type === "taken" && message.by !== this.tab) this.requeue(locks);
  }

  private requeue(locks: LockManager): void {
    if (this.current.status === "reader" && this.waiting?.signal.aborted) void this.queue(locks);
  }

  private set(state: TabWriterState): void {
    this.current = state;
    for (const listener of this.listeners) listener(state);
  }
}
