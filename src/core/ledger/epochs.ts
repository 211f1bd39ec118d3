/**
 * Epochs (ledger/README.md, "Checkpoints and epochs"): after a checkpoint, a new document starts
 * from it, holding the checkpoint entry, the state snapshot it commits to, and only the entries
 * after it. A node that trusts the checkpoint opens the latest epoch alone, so its cold start grows
 * with the entries since the checkpoint, not with history. Older epochs stay for audit: `verifyPool`
 * re-validates every epoch from genesis and proves each checkpoint.
 */
import type { Repo, StorageAdapterInterface } from "@automerge/automerge-repo";
import { poolIdMatches } from "../capability/pool.ts";
import { fromUtf8, hexToBytes, utf8 } from "../crypto/index.ts";
import type { Authoriser } from "./authoriser.ts";
import { draftCheckpoint, stateFromCheckpoint } from "./checkpoints.ts";
import { holdsEpoch, markEpoch } from "./epoch-marks.ts";
import { findLedgerDocument, LedgerDocumentError, openLedgerDocument, putEntries, readItems, readTokens, type FoundDocument } from "./document.ts";
import { foldEntries, type FoldResult } from "./fold.ts";
import { sortTimeOf } from "./kinds.ts";
import { Ledger, type LedgerOptions } from "./ledger.ts";
import { stateHash, type LedgerState } from "./state.ts";
import { EntryStore } from "./store.ts";
import { TokenBook, type TokenCid } from "./tokens.ts";
import { reject, type EntryId, type PoolId, type Result, type SignedEntry } from "./types.ts";
import { contextOf, validateEntry, validateMany, type SignatureVerifier, type ValidationContext } from "./validate.ts";

/** Whether to start from a checkpoint without re-validating the history before it. */
export type CheckpointTrust = (checkpoint: SignedEntry, state: LedgerState) => boolean;

/** The default: checkpoints signed by the pool's root, checked against the pool id itself. */
export const trustPoolRoot: CheckpointTrust = (checkpoint, state) =>
  state.pool !== undefined &&
  state.pool.root === checkpoint.entry.author &&
  poolIdMatches(checkpoint.entry.pool, state.pool.root, hexToBytes(state.pool.nonce));

/**
 * Starts epoch `ledger.epoch + 1` from an accepted checkpoint of `ledger`: one change writes the
 * checkpoint, its snapshot and every entry after it into the new document.
 */
export async function startNextEpoch(ledger: Ledger, checkpointId: EntryId): Promise<Result<{ epoch: number }>> {
  const { state } = ledger.view();
  if (state.checkpoint?.id !== checkpointId) return reject("unknown-reference", "only the latest accepted checkpoint can start an epoch");
  const entries = ledger.entries();
  const checkpoint = entries.find((s) => s.id === checkpointId)!;
  const through = state.checkpoint.through;
  // The snapshot is the fold of what the checkpoint covers: the entries it made late (finality,
  // ledger/README.md 8.6) sort before it but are not part of it.
  const late = new Set(ledger.view().invalid.filter((i) => i.reason === "before-checkpoint").map((i) => i.key));
  const draft = draftCheckpoint(entries.filter((s) => !late.has(s.id)), through, ledger.options.authoriser, ledger.options.base);
  const epoch = (ledger.options.epoch ?? 0) + 1;
  const { repo, storage, pool } = ledger.options;
  const later = entries.filter((s) => sortTimeOf(s.entry) > through);
  await writeEpoch({ repo, storage, pool, epoch, checkpoint, snapshot: draft.snapshot, later, token: (cid) => ledger.token(cid) });
  return { ok: true, epoch };
}

export interface EpochContent {
  readonly repo: Repo;
  readonly storage: StorageAdapterInterface;
  readonly pool: PoolId;
  readonly epoch: number;
  readonly checkpoint: SignedEntry;
  readonly snapshot: Uint8Array;
  /** The entries that sort after the checkpoint. */
  readonly later: readonly SignedEntry[];
  /** Resolves the tokens `later` names and does not carry attached. */
  readonly token?: (cid: string) => string | undefined;
}

/** Writes an epoch's document (checkpoint and snapshot in one change, the entries in another) and store. */
export async function writeEpoch({ repo, storage, pool, epoch, checkpoint, snapshot, later, token }: EpochContent): Promise<void> {
  const handle = await openLedgerDocument(repo, pool, epoch);
  await markEpoch(storage, pool, epoch);
  handle.change((doc) => {
    doc.checkpoint = checkpoint.bytes;
    doc.snapshot = snapshot;
  });
  // Each epoch's document holds the tokens its own entries name.
  const book = new TokenBook();
  for (const signed of later) for (const attached of signed.tokens ?? []) book.add(attached);
  const tokens = new Map<TokenCid, string>();
  for (const cid of new Set(later.flatMap((s) => s.entry.proof))) {
    const found = book.get(cid) ?? token?.(cid);
    if (found !== undefined) tokens.set(cid as TokenCid, found);
  }
  putEntries(handle, later, tokens);
  await new EntryStore(storage, pool, epoch).save(later);
  await new EntryStore(storage, pool, "tokens").save([...tokens.values()].map((t) => ({ bytes: utf8(t) })));
}

/**
 * The highest epoch this node holds (0 when none has started). Probes storage, not the network:
 * asking peers for a document nobody has leaves an unavailable handle in the repo.
 */
export async function latestEpoch(storage: StorageAdapterInterface, pool: PoolId): Promise<number> {
  let epoch = 0;
  while (await holdsEpoch(storage, pool, epoch + 1)) epoch++;
  return epoch;
}

export type OpenOptions = Omit<LedgerOptions, "base" | "epoch"> & { readonly epoch: number; readonly trust?: CheckpointTrust };

/** Opens an epoch: from genesis for epoch 0, else from its checkpoint once the checkpoint is trusted. */
export async function openEpoch(options: OpenOptions): Promise<Result<{ ledger: Ledger }>> {
  if (options.epoch === 0) return { ok: true, ledger: await Ledger.open(options) };
  const start = await epochStart(options.repo, options.pool, options.epoch, contextOf(options));
  if (!start.ok) return start;
  if (!(options.trust ?? trustPoolRoot)(start.checkpoint, start.state)) {
    return reject("not-authorised", `epoch ${options.epoch} starts from a checkpoint by ${start.checkpoint.entry.author}, whom this node does not trust`);
  }
  return { ok: true, ledger: await Ledger.open({ ...options, base: start.state }) };
}

type EpochStart = Result<{ checkpoint: SignedEntry; snapshot: Uint8Array; state: LedgerState }>;

/** The handle of a document that exists or is absent; an engine failure is thrown, never taken for absence. */
function present(found: FoundDocument): FoundDocument & { ok: true } {
  if (!found.ok) throw new LedgerDocumentError(found.message);
  return found;
}

async function epochStart(repo: Repo, pool: PoolId, epoch: number, context: ValidationContext): Promise<EpochStart> {
  const doc = present(await findLedgerDocument(repo, pool, epoch)).handle?.doc();
  if (!(doc?.checkpoint instanceof Uint8Array) || !(doc.snapshot instanceof Uint8Array)) {
    return reject("unknown-reference", `epoch ${epoch} of pool ${pool} has no checkpoint and snapshot yet`);
  }
  const checkpoint = await validateEntry(doc.checkpoint, context);
  if (!checkpoint.ok) return checkpoint;
  const started = stateFromCheckpoint(checkpoint.signed, doc.snapshot);
  if (!started.ok) return started;
  return { ok: true, checkpoint: checkpoint.signed, snapshot: doc.snapshot, state: started.state };
}

export interface VerifyOptions {
  readonly repo: Repo;
  readonly storage: StorageAdapterInterface;
  readonly pool: PoolId;
  readonly authoriser: Authoriser;
  readonly now: () => number;
  readonly skewMs?: number;
  readonly verify?: SignatureVerifier;
}

export interface VerifyReport {
  readonly epochs: number;
  readonly fold: FoldResult;
  /** Entries that failed stateless validation (their reasons are listed by `ledger show`). */
  readonly refused: number;
  /** Every way the ledger contradicts itself; empty when consistent. */
  readonly problems: readonly string[];
}

/** Re-validates every epoch from genesis: every checkpoint must match the fold it claims. */
export async function verifyPool(options: VerifyOptions): Promise<VerifyReport> {
  const context = contextOf(options);
  const epochs = await latestEpoch(options.storage, options.pool);
  for (const bytes of await new EntryStore(options.storage, options.pool, "tokens").load()) options.authoriser.tokens?.add(fromUtf8(bytes));
  const raw: unknown[] = [];
  const starts: Array<{ epoch: number; start: EpochStart }> = [];
  for (let epoch = 0; epoch <= epochs; epoch++) {
    const { handle } = present(await findLedgerDocument(options.repo, options.pool, epoch));
    if (handle) raw.push(...readItems(handle.doc()).map((item) => item.value));
    for (const [cid, token] of handle ? readTokens(handle.doc()) : []) options.authoriser.tokens?.put(cid, token);
    raw.push(...(await new EntryStore(options.storage, options.pool, epoch).load()));
    if (epoch > 0) starts.push({ epoch, start: await epochStart(options.repo, options.pool, epoch, context) });
  }
  const results = await validateMany(raw, context);
  const valid = results.flatMap((r) => (r.ok ? [r.signed] : []));
  const fold = foldEntries(valid, options.authoriser);
  const problems: string[] = [];
  for (const [id, r] of fold.rejected) if (r.reason === "checkpoint-mismatch") problems.push(`checkpoint ${id}: ${r.message}`);
  for (const { epoch, start } of starts) {
    if (!start.ok) problems.push(`epoch ${epoch}: ${start.message}`);
    else if (fold.rejected.has(start.checkpoint.id)) problems.push(`epoch ${epoch} starts from checkpoint ${start.checkpoint.id}, which the full fold refuses`);
    else if (stateHash(foldEntries(valid.filter((s) => sortTimeOf(s.entry) <= (start.checkpoint.entry.body.through as number)), options.authoriser).state) !== stateHash(start.state)) {
      problems.push(`epoch ${epoch}'s snapshot differs from the full fold up to its checkpoint`);
    }
  }
  return { epochs, fold, refused: results.filter((r) => !r.ok).length, problems };
}
