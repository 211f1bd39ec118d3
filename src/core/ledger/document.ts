/**
 * The Automerge binding (ledger/README.md, "Transport"). One document per pool epoch holds entry
 * bytes keyed by id in 1,024 buckets (two base32 characters of the id's digest): one flat map
 * measured O(size) per insert. The buckets exist from the document's first change, which every node
 * builds byte for byte the same (fixed actor, time 0) under a document id derived from the pool and
 * epoch: two nodes that start the same pool offline share one history, and no two peers ever race
 * to create the same bucket (a concurrent creation would hide one side's entries behind a conflict).
 * The document also holds, once each, the UCAN tokens its entries name by CID (`tokens`).
 * The document is transport only: anyone can write anything into it, so nothing read here is
 * trusted before validation.
 */
import * as A from "@automerge/automerge";
import { parseAutomergeUrl, stringifyAutomergeUrl, type AutomergeUrl, type DocHandle, type DocumentId, type Repo } from "@automerge/automerge-repo";
import { sha256, utf8 } from "../crypto/index.ts";
import { tokenUnder, type TokenCid } from "./tokens.ts";
import type { EntryId, PoolId, SignedEntry } from "./types.ts";

export const LEDGER_PROTOCOL = "edgepool-ledger/1";

export interface LedgerDoc {
  protocol: string;
  entries: Record<string, Record<string, Uint8Array>>;
  /** UTF-8 bytes of UCAN tokens by CID (tokens.ts): each delegation stored once, named by entries. */
  tokens: Record<string, Uint8Array>;
  /** From epoch 1 on: the checkpoint entry this epoch starts from and the state it commits to. */
  checkpoint?: Uint8Array;
  snapshot?: Uint8Array;
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
export const BUCKETS: readonly string[] = [...BASE32].flatMap((a) => [...BASE32].map((b) => a + b));

/** Characters 8 and 9 of a base32 CIDv1 are the first bits of its sha2-256 digest. */
export const bucketOf = (id: string): string => id.slice(8, 10);

/** The document id of a pool's epoch: 16 bytes of sha2-256 over a domain tag, pool and epoch. */
export function ledgerDocumentUrl(pool: PoolId, epoch: number): AutomergeUrl {
  const digest = sha256(utf8(`edgepool/ledger-doc/v1\0${pool}\0${epoch}`));
  return stringifyAutomergeUrl({ documentId: digest.slice(0, 16) as never });
}

export const ledgerDocumentId = (pool: PoolId, epoch: number): DocumentId => parseAutomergeUrl(ledgerDocumentUrl(pool, epoch)).documentId;

// Every node must produce the same first change: fixed actor, fixed time, fixed content. It is the
// same for every pool and epoch (the document id carries those), so it is built once per process.
const GENESIS_ACTOR = "00000000000000000000000000000000";
let genesis: Uint8Array | undefined;

export function genesisDocument(): Uint8Array {
  if (!genesis) {
    const entries: Record<string, Record<string, Uint8Array>> = {};
    for (const bucket of BUCKETS) entries[bucket] = {};
    const doc = A.change(A.init<LedgerDoc>({ actor: GENESIS_ACTOR }), { time: 0 }, (d) => {
      d.protocol = LEDGER_PROTOCOL;
      d.entries = entries;
      d.tokens = {};
    });
    genesis = A.save(doc);
  }
  return genesis;
}

/** Why a ledger document could not be read: the Automerge engine failed (e.g. its wasm trapped). */
export class LedgerDocumentError extends Error {
  override readonly name = "LedgerDocumentError";
}

export type FoundDocument = { ok: true; handle: DocHandle<LedgerDoc> | undefined } | { ok: false; reason: "document-failed"; message: string };

/**
 * The epoch's document if this repo (its storage or a connected peer) has it; `handle` undefined
 * when nobody does. Any other failure (Automerge's wasm running out of memory ends in "Module
 * terminated") is reported, not taken for an absent document: starting a fresh one over it would
 * hide the history.
 */
export async function findLedgerDocument(repo: Repo, pool: PoolId, epoch: number): Promise<FoundDocument> {
  try {
    const handle = await repo.find<LedgerDoc>(ledgerDocumentUrl(pool, epoch), { allowableStates: ["ready", "unavailable"] });
    return { ok: true, handle: handle.isReady() ? handle : undefined };
  } catch (error) {
    return { ok: false, reason: "document-failed", message: `epoch ${epoch} of pool ${pool} could not be loaded: ${(error as Error).message}` };
  }
}

/**
 * Opens a pool epoch's document in `repo`: from storage or a peer when one has it, else from the
 * deterministic first change (offline, or the first node of the pool); later syncs merge cleanly.
 * Throws LedgerDocumentError when the document exists but cannot be loaded.
 */
export async function openLedgerDocument(repo: Repo, pool: PoolId, epoch: number): Promise<DocHandle<LedgerDoc>> {
  const found = await findLedgerDocument(repo, pool, epoch);
  if (!found.ok) throw new LedgerDocumentError(found.message);
  if (found.handle) return found.handle;
  const handle = repo.import<LedgerDoc>(genesisDocument(), { docId: ledgerDocumentId(pool, epoch) });
  await handle.whenReady();
  return handle;
}

// An epoch's start is one change every node builds byte for byte the same from the same checkpoint
// and snapshot (its own fixed actor, time 0, on the genesis change).
const START_ACTOR = "00000000000000000000000000000001";

/** The change that puts an epoch's start (checkpoint entry bytes and snapshot) into its document. */
export function startChange(checkpoint: Uint8Array, snapshot: Uint8Array): Uint8Array {
  const doc = A.change(A.load<LedgerDoc>(genesisDocument(), { actor: START_ACTOR }), { time: 0 }, (d) => {
    d.checkpoint = checkpoint;
    d.snapshot = snapshot;
  });
  return A.getLastLocalChange(doc)!;
}

/**
 * The document of epoch `epoch` (> 0) holding its start, built here: genesis and the start change
 * are the same bytes on every node that folded the same checkpoint, so the nodes that build it
 * hold one history and nobody asks peers for it. (Asking too early is worse than useless: a peer
 * that answered "unavailable" is never asked again on that connection, automerge-repo keeping the
 * stale sync state.) Peers learn it when this repo announces it.
 */
export function startEpochDocument(repo: Repo, pool: PoolId, epoch: number, checkpoint: Uint8Array, snapshot: Uint8Array): DocHandle<LedgerDoc> {
  const handle = repo.import<LedgerDoc>(genesisDocument(), { docId: ledgerDocumentId(pool, epoch) });
  handle.update((doc) => A.applyChanges(doc, [startChange(checkpoint, snapshot)])[0]);
  return handle;
}

/** Writes entries, and tokens they name that the document lacks, in one Automerge change (a batch is one change). */
export function putEntries(handle: DocHandle<LedgerDoc>, entries: readonly SignedEntry[], tokens: ReadonlyMap<TokenCid, string> = new Map()): void {
  if (entries.length === 0 && tokens.size === 0) return;
  handle.change((doc) => {
    for (const { id, bytes } of entries) {
      const bucket = (doc.entries[bucketOf(id)] ??= {});
      bucket[id] = bytes;
    }
    for (const [cid, token] of tokens) (doc.tokens ??= {})[cid] = utf8(token);
  });
}

/** The valid tokens of the document (all, or those under `keys`); anything else a peer wrote is skipped. */
export function readTokens(doc: LedgerDoc, keys?: Iterable<string>): Map<TokenCid, string> {
  const held = doc.tokens as unknown;
  const found = new Map<TokenCid, string>();
  if (typeof held !== "object" || held === null || held instanceof Uint8Array) return found;
  for (const key of keys ?? Object.keys(held)) {
    const token = Object.hasOwn(held, key) ? tokenUnder(key, (held as Record<string, unknown>)[key]) : undefined;
    if (token !== undefined) found.set(key as TokenCid, token);
  }
  return found;
}

/** One raw item read from the document: a key and whatever value a peer put under it. */
export interface DocItem {
  readonly key: string;
  readonly value: unknown;
}

/** The items of some buckets (all when `buckets` is undefined); tolerates any shape a peer wrote. */
export function readItems(doc: LedgerDoc, buckets?: Iterable<string>): DocItem[] {
  const entries = doc.entries as unknown;
  if (typeof entries !== "object" || entries === null) return [];
  const items: DocItem[] = [];
  for (const name of buckets ?? Object.keys(entries)) {
    const bucket = (entries as Record<string, unknown>)[name];
    if (typeof bucket !== "object" || bucket === null || bucket instanceof Uint8Array) continue;
    for (const [key, value] of Object.entries(bucket)) items.push({ key, value });
  }
  return items;
}

/** The items under some keys of some buckets (absent ones are skipped); tolerates any shape a peer wrote. */
export function readKeys(doc: LedgerDoc, keys: ReadonlyMap<string, Iterable<string>>): DocItem[] {
  const entries = doc.entries as unknown;
  if (typeof entries !== "object" || entries === null) return [];
  const items: DocItem[] = [];
  for (const [name, names] of keys) {
    const bucket = (entries as Record<string, unknown>)[name];
    if (typeof bucket !== "object" || bucket === null || bucket instanceof Uint8Array) continue;
    for (const key of names) if (Object.hasOwn(bucket, key)) items.push({ key, value: (bucket as Record<string, unknown>)[key] });
  }
  return items;
}

/** Whether the document holds exactly `bytes` under `id`. */
export function holds(doc: LedgerDoc, id: EntryId, bytes: Uint8Array): boolean {
  const value = (doc.entries as Record<string, Record<string, unknown> | undefined> | undefined)?.[bucketOf(id)]?.[id];
  if (!(value instanceof Uint8Array) || value.length !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (value[i] !== bytes[i]) return false;
  return true;
}
