/**
 * A private pool's ledger on one node (docs/privacy.md). The unchanged `Ledger` runs on a local
 * Automerge repo that has no network at all; this class is the only bridge between it and the
 * shared documents: it opens envelopes from the epoch documents and hands their entries to the
 * ledger exactly as a peer's would arrive (the validator decides, as for a plain pool), and it
 * seals what the ledger accepted and no envelope holds yet: batches of up to 16 entries, flushed
 * when full or after one second. Like the plain ledger, it keeps every envelope it opened and puts
 * back any that a peer deleted or altered.
 *
 * Ledger epochs (checkpoint epochs, ledger/README.md 9) ride on key epochs: a compaction rotates
 * the key, and the new key's document carries the sealed start (private-epochs.ts). Once this
 * node's fold accepts the checkpoint and it holds that start, it moves its ledger (the same move
 * as a plain pool's, on the local repo) and reseals what sorts after the checkpoint into the new
 * key epoch's documents, which are all a later cold start reads.
 */
import { Repo, type DocHandle, type DocumentId } from "@automerge/automerge-repo";
import { shutdownRepo } from "../ledger/closing-storage.ts";
import { entryIdOf } from "../ledger/codec.ts";
import { bucketOf, putEntries, startEpochDocument } from "../ledger/document.ts";
import { openEpoch, startNextEpoch } from "../ledger/epochs.ts";
import { tokenCid, type TokenCid } from "../ledger/tokens.ts";
import { Ledger, type LedgerOptions } from "../ledger/ledger.ts";
import type { EntryId, Kind, SignedEntry } from "../ledger/types.ts";
import type { Author } from "../ledger/writer.ts";
import { envelopeHash, openEnvelope, sealEnvelope, type EnvelopeFailure, type OpenedEnvelope } from "./envelope.ts";
import { openPrevious, type EpochKey, type KeyId } from "./epoch-key.ts";
import { Keyring } from "./keyring.ts";
import { webPrivacy, type PrivacyNative } from "./native.ts";
import { discoverKeys, type KeyHolder } from "./key-discovery.ts";
import { boundStart, latestStart, type OpenedEnvelopes, type SealedStart } from "./sealed-starts.ts";
import { holdsEnvelope, openSealedDocument, putSealed, readEnvelopes, type SealedDoc } from "./sealed-document.ts";

export const BATCH_ENTRIES = 16;
export const FLUSH_MS = 1_000;

export interface PrivateLedgerOptions extends Omit<LedgerOptions, "repo"> {
  /** The networked repo: it only ever sees sealed documents. */
  readonly repo: Repo;
  /** This node's member identity and key-agreement key (opens its lockboxes). */
  readonly me: KeyHolder;
  /** Writes complaints when a lockbox does not open (absent: a read-only node). */
  readonly author?: { readonly author: Author; readonly proof?: string };
  /** Keys to start with (the creator's first key, or one from an invite). */
  readonly keys?: readonly EpochKey[];
  /** Other identities whose lockboxes this node may open (an invite key before its join). */
  readonly also?: readonly KeyHolder[];
  readonly flushMs?: number;
  /** The networked repo's share policy: told of each epoch document before it opens, so it announces them to relays only. */
  readonly share?: { hide(document: DocumentId): void };
  /** The platform's native parts (default: the browser's WebCrypto and web streams; Node passes `nodePrivacy`). */
  readonly native?: PrivacyNative;
}

export interface PrivacyView {
  /** The latest key epoch the ledger knows of, and the one this node seals under. */
  readonly epoch: number | undefined;
  readonly sealingEpoch: number | undefined;
  /** A rotation exists whose key this node does not hold (yet, or any more). */
  readonly pendingRotation: boolean;
  /** Envelopes refused so far, by reason (each altered or foreign value counted once). */
  readonly failures: Readonly<Partial<Record<EnvelopeFailure, number>>>;
  readonly envelopes: number;
  readonly queued: number;
  /** The ledger epoch this node reads and writes, and why it has not moved to a newer one the pool started (if so). */
  readonly ledgerEpoch: number;
  readonly moveRefusal: string | undefined;
}

/** Kinds that holders of the previous epoch's key must be able to read: they announce the new key. */
const ANNOUNCEMENTS: ReadonlySet<Kind> = new Set<Kind>(["key.rotate", "key.grant"]);

export class PrivateLedger {
  readonly keyring: Keyring;
  readonly native: PrivacyNative;
  private readonly docs = new Map<string, DocHandle<SealedDoc>>();
  /** Every envelope opened, by hash: re-put when a peer deletes or alters it. */
  private readonly opened = new Map<string, { bytes: Uint8Array; keyId: string }>();
  /** Envelopes that did not open, by hash (`pending-key` ones are tried again when a key arrives). */
  private readonly failed = new Map<string, EnvelopeFailure>();
  /** Every refusal seen, by reason, each (key, value) pair counted once. */
  private readonly refusals = new Map<EnvelopeFailure, number>();
  private readonly counted = new Set<string>();
  /** Entries handed to the local ledger (or appended there by this node). */
  private readonly handed = new Set<EntryId>();
  /** The highest key epoch of an envelope holding each entry: it must reach the current ledger epoch's documents. */
  private readonly sealedAt = new Map<EntryId, number>();
  /** Sealed starts seen, by checkpoint id, with the key epoch whose document holds them. */
  private readonly starts = new Map<EntryId, { readonly keyEpoch: number; readonly snapshot: Uint8Array }>();
  private moveRefusal: string | undefined;
  /**
   * The highest key epoch of an envelope carrying each token CID. One carried only before the
   * current ledger epoch is carried again: a node starting from the epoch's start reads no earlier
   * documents, and an entry whose proof token it lacks would wait for it for ever.
   */
  private readonly carried = new Map<string, number>();
  /** The key each entry was first seen sealed under: an author who sealed under a key holds it (key-holders.ts). */
  private readonly sealedUnder = new Map<EntryId, KeyId>();
  private queue: SignedEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private work: Promise<void> = Promise.resolve();
  /** Documents opened before their `previous` secret arrived, by id, with their key: the walk back goes on from them. */
  private readonly unwalked = new Map<DocumentId, EpochKey>();
  private closed = false;
  private readonly unsubscribe: () => void;

  private constructor(
    readonly options: PrivateLedgerOptions,
    readonly ledger: Ledger,
    private readonly local: Repo,
    keyring: Keyring,
    /** The key epoch whose document starts the current ledger epoch: earlier key epochs' documents are history. */
    private base: number,
    /** Envelopes the start-up walk opened already, by hash (each is opened once). */
    private readonly preopened: OpenedEnvelopes,
  ) {
    this.keyring = keyring;
    this.native = options.native ?? webPrivacy;
    this.unsubscribe = ledger.subscribe(() => void this.serialise(() => this.afterLedgerChange()));
  }

  /**
   * Opens the node's view of the pool: from the latest sealed start among the documents of the keys
   * it holds (a cold start reads the current ledger epoch only), else from genesis.
   */
  static async open(options: PrivateLedgerOptions): Promise<PrivateLedger> {
    // No network adapter: the plaintext document never leaves this process.
    const local = new Repo({ network: [] });
    const { repo: _shared, me: _me, author: _author, keys: _keys, also: _also, flushMs: _flush, share: _share, native: _native, ...ledgerOptions } = options;
    const keyring = new Keyring(options.storage, options.pool);
    await keyring.load();
    for (const key of options.keys ?? []) await keyring.add(key);
    const found = await latestStart({ ...options, keyring });
    const ledger = found.start ? await openAt(local, ledgerOptions, found.start) : await Ledger.open({ ...ledgerOptions, repo: local });
    const node = new PrivateLedger(options, ledger, local, keyring, found.start?.keyEpoch ?? 0, found.opened);
    if (found.start) node.starts.set(found.start.checkpoint.id, found.start);
    await node.serialise(async () => {
      for (const key of node.keyring.all()) await node.attach(key);
      node.preopened.clear();
      await node.afterLedgerChange();
    });
    return node;
  }

  /** Waits until everything seen so far is opened, validated and (when due) sealed. */
  async settled(): Promise<void> {
    for (;;) {
      const work = this.work;
      await work;
      await this.ledger.settled();
      if (work === this.work) return;
    }
  }

  /** Seals everything queued now instead of waiting for a full batch or the timer. */
  flush(): Promise<void> {
    return this.serialise(() => this.sealQueued());
  }

  /** The document handles of the epochs this node holds keys for (what sync waits on). */
  documents(): DocHandle<SealedDoc>[] {
    return [...this.docs.values()];
  }

  /** The key id of the first envelope this node saw `entry` in (undefined: not sealed yet, or never seen). */
  keyIdOf(entry: EntryId): KeyId | undefined {
    return this.sealedUnder.get(entry);
  }

  document(key: EpochKey): DocHandle<SealedDoc> | undefined {
    return this.docs.get(key.keyId);
  }

  view(): PrivacyView {
    const failures: Partial<Record<EnvelopeFailure, number>> = Object.fromEntries(this.refusals);
    const privacy = this.ledger.state.privacy;
    const latest = privacy?.epochs[privacy.epoch];
    return {
      epoch: privacy?.epoch,
      sealingEpoch: this.sealingKey()?.epoch,
      pendingRotation: latest !== undefined && this.keyring.byId(latest.keyId) === undefined,
      failures,
      envelopes: this.opened.size,
      queued: this.queue.length,
      ledgerEpoch: this.ledger.epoch,
      moveRefusal: this.moveRefusal,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.unsubscribe();
    for (const handle of this.docs.values()) handle.off("change", this.onDocChange);
    await this.settled();
    this.ledger.close();
    await shutdownRepo(this.local);
  }

  /**
   * Adds a key (a rotation this node made, a lockbox it opened), opens its document, and walks
   * back through `previous` to the keys before it.
   */
  addKey(key: EpochKey): Promise<void> {
    return this.serialise(async () => {
      await this.keyring.add(key);
      await this.attach(key);
      await this.afterLedgerChange();
    });
  }

  /**
   * Appends entries and seals them at once, in one envelope under `key` (a rotation and the
   * revocation it answers travel together under the key the remaining members already hold).
   */
  sealNow(entries: readonly SignedEntry[], key: EpochKey, mailbox: ReadonlyMap<string, Uint8Array> = new Map()) {
    return this.serialise(async () => {
      // Marked first: the append's change must not queue them for a batch of their own.
      for (const e of entries) this.noteSealed(e.id, key);
      const appended = await this.ledger.append(entries);
      if (!appended.ok) {
        for (const e of entries) this.sealedAt.delete(e.id);
        return appended;
      }
      await this.sealInto(key, entries, mailbox);
      return appended;
    });
  }

  /**
   * Puts the sealed start of a ledger epoch (its checkpoint, the rotation to `key` signed right
   * after it, and the snapshot the checkpoint commits to) into `key`'s document, which then begins
   * that ledger epoch; this node moves as soon as its fold accepts the checkpoint
   * (private-epochs.ts, compactPrivatePool).
   */
  sealStart(key: EpochKey, checkpoint: SignedEntry, rotation: SignedEntry, snapshot: Uint8Array): Promise<void> {
    return this.serialise(async () => {
      const handle = this.docs.get(key.keyId);
      if (!handle) throw new TypeError(`no document is open for key epoch ${key.epoch}`);
      const { hash, bytes } = await sealEnvelope(key, [checkpoint, rotation], [], this.native, snapshot);
      this.opened.set(hash, { bytes, keyId: key.keyId });
      this.starts.set(checkpoint.id, { keyEpoch: key.epoch, snapshot });
      putSealed(handle, new Map([[hash, bytes]]));
      await this.afterLedgerChange();
    });
  }

  /** Puts a mailbox item into a key's document. */
  postMailbox(key: EpochKey, hash: string, item: Uint8Array): void {
    const handle = this.docs.get(key.keyId);
    if (!handle) throw new TypeError(`no document is open for key epoch ${key.epoch}`);
    putSealed(handle, new Map(), new Map([[hash, item]]));
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.work.then(task);
    this.work = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Opens a key's document and those before it, back to the start of the current ledger epoch. */
  private async attach(key: EpochKey): Promise<void> {
    for (let next: EpochKey | undefined = key; next && next.epoch >= this.base && !this.docs.has(next.keyId); ) {
      await this.keyring.add(next);
      this.options.share?.hide(next.documentId);
      const handle = await openSealedDocument(this.options.repo, next);
      this.docs.set(next.keyId, handle);
      handle.on("change", this.onDocChange);
      await this.scan(handle);
      const previous: EpochKey | undefined = next.epoch > 0 ? openPrevious(next, handle.doc().previous) : undefined;
      // Started from the first change before a peer's copy came: the walk goes on when `previous` arrives.
      if (next.epoch > this.base && !previous) this.unwalked.set(handle.documentId, next);
      next = previous;
    }
  }

  private readonly onDocChange = ({ handle }: { handle: DocHandle<SealedDoc> }): void => {
    if (this.closed) return;
    void this.serialise(async () => {
      const starts = this.starts.size;
      await this.scan(handle);
      await this.walkOn(handle);
      // A start whose checkpoint is folded already changes nothing in the ledger: move from here.
      if (this.starts.size > starts) await this.afterLedgerChange();
    });
  };

  /** Goes on walking back from a document that had no `previous` when it was opened, once it has. */
  private async walkOn(handle: DocHandle<SealedDoc>): Promise<void> {
    const key = this.unwalked.get(handle.documentId);
    const previous = key && openPrevious(key, handle.doc().previous);
    if (!previous) return;
    this.unwalked.delete(handle.documentId);
    await this.attach(previous);
  }

  /** Opens what is new in a document, puts back what it lost, and hands new entries to the ledger. */
  private async scan(handle: DocHandle<SealedDoc>): Promise<void> {
    const doc = handle.doc();
    const found: { bytes: Uint8Array; keyId: KeyId }[] = [];
    const tokens = new Map<TokenCid, string>();
    const present = new Set<string>();
    for (const { key, value } of readEnvelopes(doc)) {
      present.add(key);
      const known = this.opened.get(key);
      if (known && value instanceof Uint8Array && holdsEnvelope(doc, key, known.bytes)) continue;
      const opened = this.walked(key, value) ?? (await openEnvelope(this.options.pool, key, value, (id) => this.keyring.byId(id), this.native));
      if (!opened.ok) {
        this.count(key, value, opened.reason);
        if (!known) this.failed.set(key, opened.reason);
        continue;
      }
      this.failed.delete(key);
      this.opened.set(key, { bytes: value as Uint8Array, keyId: opened.keyId });
      for (const bytes of opened.entries) found.push({ bytes, keyId: opened.keyId });
      const sealer = this.keyring.byId(opened.keyId);
      for (const token of opened.tokens) {
        tokens.set(tokenCid(token), token);
        if (sealer) this.noteCarried(tokenCid(token), sealer);
      }
      const start = sealer && boundStart(opened, sealer);
      if (start) this.starts.set(entryIdOf(start.checkpoint), { keyEpoch: sealer.epoch, snapshot: opened.snapshot! });
    }
    const docKey = [...this.docs].find(([, h]) => h === handle)?.[0];
    const lost = new Map([...this.opened].filter(([hash, e]) => e.keyId === docKey && (!present.has(hash) || !holdsEnvelope(doc, hash, e.bytes))).map(([hash, e]) => [hash, e.bytes]));
    putSealed(handle, lost);
    this.handToLedger(found, tokens);
  }

  /** What the start-up walk opened under `hash`, if the document still holds the same value. */
  private walked(hash: string, value: unknown): OpenedEnvelope | undefined {
    const seen = this.preopened.get(hash);
    const same = seen && (seen.value === value || (seen.value instanceof Uint8Array && value instanceof Uint8Array && seen.value.length === value.length && seen.value.every((b, i) => b === value[i])));
    // Failures are tried again: a key the walk lacked may be held now.
    return same && seen.opened.ok ? seen.opened : undefined;
  }

  private count(key: string, value: unknown, reason: EnvelopeFailure): void {
    const id = `${key.slice(0, 64)} ${value instanceof Uint8Array ? envelopeHash(value, this.native) : typeof value}`;
    if (this.counted.has(id)) return;
    this.counted.add(id);
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
  }

  /** Writes opened entries into the local document: the ledger validates them as a peer's. */
  private handToLedger(entries: readonly { bytes: Uint8Array; keyId: KeyId }[], tokens: ReadonlyMap<TokenCid, string>): void {
    // Tokens first: an entry whose proof token is missing waits for it.
    putEntries(this.ledger.handle, [], tokens);
    const ids = entries.map(({ bytes, keyId }) => ({ id: entryIdOf(bytes), bytes, key: this.keyring.byId(keyId) }));
    const fresh = ids.filter((e) => !this.handed.has(e.id));
    for (const { id, key } of ids) if (key) this.noteSealed(id, key);
    if (fresh.length === 0) return;
    this.ledger.handle.change((doc) => {
      for (const { id, bytes } of fresh) (doc.entries[bucketOf(id)] ??= {})[id] = bytes;
    });
  }

  private async afterLedgerChange(): Promise<void> {
    if (this.closed) return;
    await this.ledger.settled();
    const added = await discoverKeys(this, this.options, this.holders());
    for (const key of added) await this.attach(key);
    if (added.length > 0) await this.retryPending();
    await this.follow();
    const queued = new Set(this.queue.map((e) => e.id));
    const fresh = this.ledger.epochEntries().filter((e) => (this.sealedAt.get(e.id) ?? -1) < this.base && !queued.has(e.id));
    if (fresh.length === 0) return;
    this.queue.push(...fresh);
    if (this.queue.length >= BATCH_ENTRIES) await this.sealQueued();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? FLUSH_MS);
  }

  /**
   * Moves to the ledger epoch the latest accepted checkpoint names, once this node holds that
   * epoch's sealed start (it arrives with the compaction's new key). A refused move (this node's
   * fold differs from the snapshot) is tried again at the next change.
   */
  private async follow(): Promise<void> {
    const checkpoint = this.ledger.state.checkpoint;
    if (!checkpoint || (checkpoint.epoch ?? 0) <= this.ledger.epoch) return;
    const start = this.starts.get(checkpoint.id as EntryId);
    if (!start) return;
    const moved = await startNextEpoch(this.ledger, checkpoint.id as EntryId);
    this.moveRefusal = moved.ok ? undefined : `${moved.reason}: ${moved.message}`;
    if (moved.ok) this.base = Math.max(this.base, start.keyEpoch);
  }

  private holders(): KeyHolder[] {
    return [this.options.me, ...(this.options.also ?? [])];
  }

  private async retryPending(): Promise<void> {
    const pending = [...this.failed].filter(([, reason]) => reason === "pending-key");
    if (pending.length === 0) return;
    for (const [hash] of pending) this.failed.delete(hash);
    for (const handle of this.docs.values()) await this.scan(handle);
  }

  /** The key this node seals new entries under: the latest epoch's winning key when held. */
  sealingKey(): EpochKey | undefined {
    const privacy = this.ledger.state.privacy;
    const winner = privacy ? this.keyring.byId(privacy.epochs[privacy.epoch]?.keyId ?? "") : undefined;
    if (winner) return winner;
    const winners = new Set(Object.values(privacy?.epochs ?? {}).map((e) => e.keyId));
    const held = this.keyring.all().filter((k) => winners.size === 0 || winners.has(k.keyId));
    return held.at(-1) ?? this.keyring.latest();
  }

  private async sealQueued(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const queued = this.queue.filter((e) => (this.sealedAt.get(e.id) ?? -1) < this.base);
    this.queue = [];
    const announcements = queued.filter((e) => ANNOUNCEMENTS.has(e.entry.kind));
    const rest = queued.filter((e) => !ANNOUNCEMENTS.has(e.entry.kind));
    for (const entry of announcements) {
      const previous = this.announcementKey(entry);
      if (previous) await this.sealInto(previous, [entry]);
      else rest.push(entry);
    }
    const key = this.sealingKey();
    if (!key) {
      this.queue = rest;
      return;
    }
    for (let i = 0; i < rest.length; i += BATCH_ENTRIES) await this.sealInto(key, rest.slice(i, i + BATCH_ENTRIES));
  }

  /**
   * A key.rotate or key.grant for epoch e travels under a key of epoch e - 1 (its readers hold that
   * one), unless that key's documents are before the current ledger epoch: then under the sealing key.
   */
  private announcementKey(entry: SignedEntry): EpochKey | undefined {
    const epoch = entry.entry.body.epoch as number;
    if (epoch - 1 < this.base) return undefined;
    const winner = this.ledger.state.privacy?.epochs[epoch - 1]?.keyId;
    return this.keyring.byId(winner ?? "") ?? this.keyring.all().filter((k) => k.epoch === epoch - 1)[0];
  }

  private async sealInto(key: EpochKey, entries: readonly SignedEntry[], mailbox: ReadonlyMap<string, Uint8Array> = new Map()): Promise<void> {
    const handle = this.docs.get(key.keyId);
    if (!handle) throw new TypeError(`no document is open for key epoch ${key.epoch}`);
    const tokens = new Map<string, string>();
    for (const { entry } of entries) {
      for (const cid of entry.proof) {
        const token = (this.carried.get(cid) ?? -1) >= this.base ? undefined : this.ledger.token(cid);
        if (token) tokens.set(cid, token);
      }
    }
    const { hash, bytes } = await sealEnvelope(key, entries, [...tokens.values()], this.native);
    for (const cid of tokens.keys()) this.noteCarried(cid, key);
    this.opened.set(hash, { bytes, keyId: key.keyId });
    for (const e of entries) this.noteSealed(e.id, key);
    putSealed(handle, new Map([[hash, bytes]]), mailbox);
  }

  private noteCarried(cid: string, key: EpochKey): void {
    this.carried.set(cid, Math.max(key.epoch, this.carried.get(cid) ?? -1));
  }

  private noteSealed(entry: EntryId, key: EpochKey): void {
    this.handed.add(entry);
    if (!this.sealedUnder.has(entry)) this.sealedUnder.set(entry, key.keyId);
    this.sealedAt.set(entry, Math.max(key.epoch, this.sealedAt.get(entry) ?? -1));
  }
}

/** The local ledger, opened from a sealed start: its document is built here, as every node builds a plain pool's. */
async function openAt(local: Repo, options: Omit<LedgerOptions, "repo">, start: SealedStart): Promise<Ledger> {
  const epoch = start.checkpoint.entry.body.epoch as number;
  await startEpochDocument(local, options.pool, epoch, start.checkpoint.bytes, start.snapshot).whenReady();
  const opened = await openEpoch({ ...options, repo: local, epoch });
  if (!opened.ok) throw new TypeError(`the sealed start of epoch ${epoch} was trusted, then refused: ${opened.message}`);
  return opened.ledger;
}
