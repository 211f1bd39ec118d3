/**
 * A pool's live ledger on one node: reads every entry that appears in the shared document,
 * validates it, folds the valid ones, keeps what it validated in its own store, and puts back any
 * entry a peer deleted or altered (ledger/README.md, "Transport").
 */
import type { DocHandle, DocHandleChangePayload, Repo, StorageAdapterInterface } from "@automerge/automerge-repo";
import type { Did } from "../identity/did-key.ts";
import type { Authoriser } from "./authoriser.ts";
import { BUCKETS, bucketOf, holds, openLedgerDocument, putEntries, readItems, readKeys, readTokens, type DocItem, type LedgerDoc } from "./document.ts";
import { markEpoch } from "./epoch-marks.ts";
import { Folder, type Equivocation } from "./fold.ts";
import { sortTimeOf } from "./kinds.ts";
import type { LedgerState } from "./state.ts";
import { EntryStore } from "./store.ts";
import { TokenBook, type TokenCid } from "./tokens.ts";
import { TrailingSaves } from "./trailing-saves.ts";
import type { EntryId, Kind, PoolId, Rejection, SignedEntry } from "./types.ts";
import { fromUtf8, utf8 } from "../crypto/index.ts";
import { contextOf, validateMany, validateOutgoing, type SignatureVerifier, type ValidationContext } from "./validate.ts";
import { EntryWriter, type Author } from "./writer.ts";

export interface LedgerOptions {
  readonly repo: Repo;
  readonly pool: PoolId;
  /** The node's own storage for validated entries (the repo's storage adapter is fine). */
  readonly storage: StorageAdapterInterface;
  readonly authoriser: Authoriser;
  /** Injected clock, ms since the Unix epoch. */
  readonly now: () => number;
  readonly skewMs?: number;
  readonly verify?: SignatureVerifier;
  readonly epoch?: number;
  /** A trusted checkpoint's state (see checkpoints.ts): fold only what comes after it. */
  readonly base?: LedgerState;
}

/** An entry this node refuses, and why. `key` is the document key it was found under. */
export interface InvalidEntry extends Rejection {
  readonly key: string;
}

export interface LedgerView {
  readonly state: LedgerState;
  readonly invalid: readonly InvalidEntry[];
  readonly evidence: readonly Equivocation[];
  /** Entries held and checked again later: a time too far ahead of this node's clock, or a proof token not here yet. */
  readonly deferred: number;
  readonly skipped: number;
}

export type AppendResult = { ok: true; ids: EntryId[] } | ({ ok: false; id: EntryId } & Rejection);

/** How long accepted entries wait to be written to the own store together: automerge-repo's own save interval. */
const OWN_STORE_DELAY_MS = 100;

export class Ledger {
  private readonly known = new Map<EntryId, SignedEntry>();
  private readonly byBucket = new Map<string, SignedEntry[]>();
  private readonly lastSeq = new Map<string, number>();
  private readonly refused = new Map<string, Rejection>();
  /** The value refused under each key: a peer (or relay) may later put the honest bytes back under it. */
  private readonly refusedValue = new Map<string, unknown>();
  private readonly deferred = new Map<string, DocItem>();
  /** Where proofs named by CID resolve (the authoriser's book, so validation sees what this ledger reads). */
  private readonly tokens: TokenBook;
  /** The tokens accepted entries name: kept in the node's own store and put back when the document loses one. */
  private readonly published = new Set<TokenCid>();
  private readonly tokenStore: EntryStore;
  private publishing = false;
  private readonly folder: Folder;
  private readonly context: ValidationContext;
  private readonly listeners = new Set<() => void>();
  private queue: Promise<void> = Promise.resolve();
  private saves: TrailingSaves;
  /** The epoch document this node writes to, and where that epoch starts (ledger/README.md 9). */
  private current: EpochDocument;
  /** Earlier epochs' documents this ledger still reads: what a node that had not moved yet writes there is carried over. */
  private readonly previous = new Set<DocHandle<LedgerDoc>>();

  private constructor(
    readonly options: LedgerOptions,
    handle: DocHandle<LedgerDoc>,
    store: EntryStore,
  ) {
    this.folder = new Folder(options.authoriser, options.base);
    this.context = contextOf(options);
    this.tokens = options.authoriser.tokens ?? new TokenBook();
    this.tokenStore = new EntryStore(options.storage, options.pool, "tokens");
    this.saves = new TrailingSaves(store, this.tokenStore, OWN_STORE_DELAY_MS);
    this.current = { epoch: options.epoch ?? 0, handle, through: options.base?.checkpoint?.through };
  }

  /** The current epoch's document (it changes when the ledger moves to the next epoch). */
  get handle(): DocHandle<LedgerDoc> {
    return this.current.handle;
  }

  /** The epoch this node writes to: the one it opened, or the latest it moved to. */
  get epoch(): number {
    return this.current.epoch;
  }

  /** Entries of the current epoch: those that sort after the checkpoint it started from (all in epoch 0). */
  epochEntries(): SignedEntry[] {
    const { through } = this.current;
    return through === undefined ? this.entries() : this.entries().filter((s) => sortTimeOf(s.entry) > through);
  }

  /** Opens (or starts) the pool's document, validates the node's store and the document, and watches it. */
  static async open(options: LedgerOptions): Promise<Ledger> {
    const epoch = options.epoch ?? 0;
    const handle = await openLedgerDocument(options.repo, options.pool, epoch);
    await markEpoch(options.storage, options.pool, epoch);
    const store = new EntryStore(options.storage, options.pool, epoch);
    const ledger = new Ledger(options, handle, store);
    // Listening first: a change that arrives while the node loads is processed after the load.
    handle.on("change", ledger.onChange);
    await ledger.serialise(async () => {
      await ledger.loadTokens();
      const stored = await store.load();
      await ledger.ingest(stored.map((bytes) => ({ key: "", value: bytes })), { save: false });
      await ledger.reconcileTokens(undefined);
      await ledger.reconcile(BUCKETS);
    });
    return ledger;
  }

  close(): void {
    this.handle.off("change", this.onChange);
    for (const handle of this.previous) handle.off("change", this.onChange);
    this.previous.clear();
    this.listeners.clear();
  }

  /**
   * Moves to epoch `epoch`, whose document `handle` already holds its start (the checkpoint at
   * `through` and its snapshot): every entry this node holds that sorts after `through` is
   * written into it and into that epoch's own store, new writes go there, and the old document
   * is still read: what a node that had not moved yet writes there is validated and carried over.
   */
  moveTo(epoch: number, handle: DocHandle<LedgerDoc>, through: number): Promise<void> {
    return this.serialise(async () => {
      if (epoch <= this.current.epoch) return;
      await this.saves.flushed();
      const store = new EntryStore(this.options.storage, this.options.pool, epoch);
      const later = this.entries().filter((s) => sortTimeOf(s.entry) > through);
      await store.save(later);
      await markEpoch(this.options.storage, this.options.pool, epoch);
      // The old document stays watched (onChange carries what arrives there).
      this.previous.add(this.handle);
      this.current = { epoch, handle, through };
      this.saves = new TrailingSaves(store, this.tokenStore, OWN_STORE_DELAY_MS);
      handle.on("change", this.onChange);
      await this.reconcile(BUCKETS);
      this.notify();
    });
  }

  view(): LedgerView {
    const { state, rejected, evidence, skipped } = this.folder.result();
    const invalid: InvalidEntry[] = [...this.refused].map(([key, r]) => ({ key, ...r }));
    for (const [id, r] of rejected) invalid.push({ key: id, reason: r.reason, message: r.message });
    invalid.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { state, invalid, evidence, deferred: this.deferred.size, skipped };
  }

  get state(): LedgerState {
    return this.folder.result().state;
  }

  /** Every stateless-valid entry this node holds (the folded ones and the refused-by-rule ones, e.g. evidence). */
  entries(): SignedEntry[] {
    return [...this.known.values()];
  }

  /** A UCAN token this node holds, by CID (an entry's `proof[0]` names its author's delegation). */
  token(cid: string): string | undefined {
    return this.tokens.get(cid);
  }

  /** One stateless-valid entry this node holds, by id (a job's input is read from its job.submit). */
  entry(id: EntryId): SignedEntry | undefined {
    return this.known.get(id);
  }

  /** Calls `listener` after the ledger's view changed; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits until every change seen so far is processed. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** Waits until every entry accepted so far is in the node's own store (rejects if a write failed). */
  async persisted(): Promise<void> {
    await this.queue;
    await this.saves.flushed();
  }

  /**
   * Appends entries (typically this node's own): each is validated exactly like a peer's, then
   * folded and written to the document in one change; the write to the node's own store is queued
   * (`persisted()` waits for it). Refuses the whole batch on the first stateless failure;
   * fold-level refusals show in `view().invalid`, like anyone's.
   */
  append(entries: readonly SignedEntry[]): Promise<AppendResult> {
    return this.serialise(async () => {
      for (const signed of entries) for (const token of signed.tokens ?? []) this.tokens.add(token);
      const results = await validateOutgoing(entries, this.context);
      for (const [i, result] of results.entries()) {
        if (!result.ok) return { ok: false, id: entries[i]!.id, reason: result.reason, message: result.message };
      }
      await this.accept(entries);
      this.publish(entries, this.tokensLacking(this.handle.doc(), entries));
      this.notify();
      return { ok: true, ids: entries.map((e) => e.id) };
    });
  }

  /** A writer for `author` that continues after the highest sequence number this node has seen from it. */
  writerFor(author: Author): EntryWriter {
    const seq = Math.max(this.state.authors[author.did]?.seq ?? 0, this.lastSeq.get(author.did) ?? 0);
    return new EntryWriter(author, this.options.pool, seq);
  }

  /** Signs and appends one entry as `author`, carrying `proof` (its delegation; none for the root). */
  async write(author: Author, kind: Kind, body: Record<string, unknown>, proof: readonly string[] = []): Promise<AppendResult> {
    const signed = await this.writerFor(author).write(kind, body, this.options.now(), proof);
    return this.append([signed]);
  }

  /** Checks held future-time entries against the clock again. */
  recheck(): Promise<void> {
    return this.serialise(async () => {
      const held = [...this.deferred.values()];
      this.deferred.clear();
      await this.ingest(held, { save: true });
      this.notify();
    });
  }

  /**
   * Writes entries and tokens this node holds into the document. The change event fires during
   * the write (automerge-repo emits it synchronously); it carries only what this node just wrote,
   * so reading those keys back is skipped (it cost a tenth of a batched append).
   */
  private publish(entries: readonly SignedEntry[], tokens?: ReadonlyMap<TokenCid, string>): void {
    this.publishing = true;
    try {
      putEntries(this.handle, entries, tokens);
    } finally {
      this.publishing = false;
    }
  }

  /**
   * A change to the current document, or to an earlier epoch's (which handle is current is decided
   * when the task runs: a change that arrived just before a move belongs to the old document).
   */
  private readonly onChange = ({ handle, patches }: DocHandleChangePayload<LedgerDoc>): void => {
    if (this.publishing && handle === this.handle) return;
    const { buckets, keys, tokens } = touched(patches);
    if (buckets.size === 0 && keys.size === 0 && tokens.size === 0) return;
    void this.serialise(async () => {
      if (handle !== this.handle) await this.carry(handle.doc(), buckets, keys, tokens);
      else {
        if (tokens.size > 0) await this.reconcileTokens(tokens.has("") ? undefined : tokens);
        if (buckets.size > 0) await this.reconcile(buckets);
        if (keys.size > 0) await this.reconcileKeys(keys);
      }
      this.notify();
    });
  };

  /**
   * What a node that had not moved yet wrote into an earlier epoch's document: validated like any
   * entry, and those that belong to the current epoch (sorting after its start) are carried into
   * the current document. Tokens travel with the entries that name them.
   */
  private async carry(doc: LedgerDoc, buckets: ReadonlySet<string>, keys: ReadonlyMap<string, ReadonlySet<string>>, tokens: ReadonlySet<string>): Promise<void> {
    await this.learnTokens(readTokens(doc, tokens.has("") ? undefined : tokens));
    const items = [...readItems(doc, buckets), ...readKeys(doc, keys)];
    await this.ingest(items, { save: true });
    const through = this.current.through ?? -Infinity;
    const current = this.handle.doc();
    const carried = items.flatMap((item) => {
      const signed = this.known.get(item.key as EntryId);
      return signed && sortTimeOf(signed.entry) > through && !holds(current, signed.id, signed.bytes) ? [signed] : [];
    });
    this.publish(carried, this.tokensLacking(current, carried));
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Validates what is new in some buckets and puts back what this node knows but the document lost. */
  private async reconcile(buckets: Iterable<string>): Promise<void> {
    const doc = this.handle.doc();
    const names = new Set(buckets);
    await this.ingest(readItems(doc, names), { save: true });
    const missing = [...names].flatMap((b) => this.byBucket.get(b) ?? []).filter((s) => !holds(doc, s.id, s.bytes));
    this.publish(missing, this.tokensLacking(doc, missing));
  }

  /**
   * Learns the valid tokens under some keys of the document's `tokens` (all when undefined), checks
   * held entries again if one arrived, and puts back tokens this node published that a peer removed.
   */
  private async reconcileTokens(keys: ReadonlySet<string> | undefined): Promise<void> {
    const doc = this.handle.doc();
    const found = readTokens(doc, keys);
    const lost = new Map<TokenCid, string>();
    for (const cid of keys ?? this.published) {
      if (this.published.has(cid as TokenCid) && !found.has(cid as TokenCid)) lost.set(cid as TokenCid, this.tokens.get(cid)!);
    }
    this.publish([], lost);
    await this.learnTokens(found);
  }

  /** Takes up tokens read from a document, and checks held entries again if one is new. */
  private async learnTokens(found: ReadonlyMap<TokenCid, string>): Promise<void> {
    let arrived = false;
    for (const [cid, token] of found) {
      if (!this.tokens.has(cid)) arrived = true;
      this.tokens.put(cid, token);
    }
    if (arrived && this.deferred.size > 0) {
      const held = [...this.deferred.values()];
      this.deferred.clear();
      await this.ingest(held, { save: true });
    }
  }

  /** The tokens `entries` name that this node holds and the document lacks. */
  private tokensLacking(doc: LedgerDoc, entries: readonly SignedEntry[]): Map<TokenCid, string> {
    const named = new Set(entries.flatMap((s) => s.entry.proof));
    const present = readTokens(doc, named);
    const lacking = new Map<TokenCid, string>();
    for (const cid of named) {
      const token = this.tokens.get(cid);
      if (token !== undefined && !present.has(cid as TokenCid)) lacking.set(cid as TokenCid, token);
    }
    return lacking;
  }

  /** The tokens in the node's own store: before any stored entry is validated. */
  private async loadTokens(): Promise<void> {
    for (const bytes of await this.tokenStore.load()) this.published.add(this.tokens.add(fromUtf8(bytes)));
  }

  /** Like `reconcile`, for single keys of some buckets. */
  private async reconcileKeys(keys: ReadonlyMap<string, ReadonlySet<string>>): Promise<void> {
    const doc = this.handle.doc();
    await this.ingest(readKeys(doc, keys), { save: true });
    const missing: SignedEntry[] = [];
    for (const ids of keys.values()) {
      for (const id of ids) {
        const signed = this.known.get(id as EntryId);
        if (signed && !holds(doc, signed.id, signed.bytes)) missing.push(signed);
      }
    }
    this.publish(missing);
  }

  /**
   * Validates raw items and accepts the new valid ones. An item's key is the document key it was
   * found under (it must equal the entry's id), or "" for the node's own store.
   */
  private async ingest(items: readonly DocItem[], { save }: { save: boolean }): Promise<void> {
    const fresh = items.filter((item) => !this.known.has(item.key as EntryId) && !this.refusedAlready(item) && !this.deferred.has(item.key));
    const results = await validateMany(fresh.map((item) => item.value), this.context);
    const accepted: SignedEntry[] = [];
    for (const [i, result] of results.entries()) {
      const item = fresh[i]!;
      const label = item.key || `store#${this.refused.size + this.deferred.size}`;
      if (result.ok && item.key !== "" && item.key !== result.signed.id) {
        this.refuse(item, { reason: "bad-id", message: `stored under ${item.key.slice(0, 64)} but its bytes hash to ${result.signed.id}` });
      } else if (result.ok) {
        accepted.push(result.signed);
        // The honest bytes replaced what was refused under this key (a tampering peer, repaired).
        this.refused.delete(item.key);
        this.refusedValue.delete(item.key);
      } else if (result.reason === "future-time" || result.reason === "missing-proof") this.deferred.set(label, item);
      else this.refuse({ key: label, value: item.value }, { reason: result.reason, message: result.message });
    }
    await this.accept(accepted, save);
  }

  private refuse(item: DocItem, rejection: Rejection): void {
    this.refused.set(item.key, rejection);
    this.refusedValue.set(item.key, item.value);
  }

  /** Whether exactly this value was refused under this key before (another value is checked afresh). */
  private refusedAlready(item: DocItem): boolean {
    if (!this.refused.has(item.key)) return false;
    const before = this.refusedValue.get(item.key);
    const now = item.value;
    if (!(before instanceof Uint8Array) || !(now instanceof Uint8Array)) return before === now;
    return before.length === now.length && before.every((b, i) => b === now[i]);
  }

  private async accept(entries: readonly SignedEntry[], saveEntries = true): Promise<void> {
    const fresh = [...new Map(entries.filter((e) => !this.known.has(e.id)).map((e) => [e.id, e])).values()];
    if (fresh.length === 0) return;
    for (const signed of fresh) {
      this.known.set(signed.id, signed);
      const bucket = bucketOf(signed.id);
      if (!this.byBucket.has(bucket)) this.byBucket.set(bucket, []);
      this.byBucket.get(bucket)!.push(signed);
      this.lastSeq.set(signed.entry.author, Math.max(signed.entry.seq, this.lastSeq.get(signed.entry.author) ?? 0));
    }
    const named: { bytes: Uint8Array }[] = [];
    for (const signed of fresh) {
      for (const cid of signed.entry.proof) {
        const token = this.tokens.get(cid);
        if (token === undefined || this.published.has(cid as TokenCid)) continue;
        this.published.add(cid as TokenCid);
        named.push({ bytes: utf8(token) });
      }
    }
    this.saves.add(saveEntries ? fresh : [], named);
    this.folder.add(fresh);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

interface EpochDocument {
  readonly epoch: number;
  readonly handle: DocHandle<LedgerDoc>;
  /** The `through` of the checkpoint the epoch started from (undefined: epoch 0, from genesis). */
  readonly through: number | undefined;
}

/**
 * The buckets, single keys and tokens a change touched. Only those are read again: rescanning
 * whole buckets made every batch cost as much as the entries already held (a 1,000-entry batch
 * touches nearly every bucket).
 */
function touched(patches: DocHandleChangePayload<LedgerDoc>["patches"]): { buckets: Set<string>; keys: Map<string, Set<string>>; tokens: Set<string> } {
  const buckets = new Set<string>();
  const keys = new Map<string, Set<string>>();
  const tokens = new Set<string>();
  for (const { path } of patches) {
    if (path[0] === "tokens") tokens.add(path.length < 2 ? "" : String(path[1]));
    if (path[0] !== "entries") continue;
    if (path.length < 2) for (const b of BUCKETS) buckets.add(b);
    else if (path.length < 3) buckets.add(String(path[1]));
    else {
      const bucket = String(path[1]);
      if (!keys.has(bucket)) keys.set(bucket, new Set());
      keys.get(bucket)!.add(String(path[2]));
    }
  }
  for (const b of buckets) keys.delete(b);
  return { buckets, keys, tokens };
}

/** The DIDs that signed an equivocating pair (a UI shows them; issue 11 penalises them). */
export const equivocators = (view: LedgerView): Did[] => [...new Set(view.evidence.map((e) => e.author))].sort();
