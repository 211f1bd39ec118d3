/**
 * Epochs (ledger/README.md, "Checkpoints and epochs"): after a checkpoint, a new document starts
 * from it, holding the checkpoint entry, the state snapshot it commits to, and only the entries
 * after it. A node that trusts the checkpoint opens the latest epoch alone, so its cold start grows
 * with the entries since the checkpoint, not with history. Older epochs stay for audit: `verifyPool`
 * re-validates every epoch from genesis and proves each checkpoint.
 */
import type { Repo, StorageAdapterInterface } from "@automerge/automerge-repo";
import { poolIdMatches } from "../capability/pool.ts";
import * as A from "@automerge/automerge";
import { bytesToHex, fromUtf8, hexToBytes, sha256, utf8 } from "../crypto/index.ts";
import type { Authoriser } from "./authoriser.ts";
import { draftCheckpoint, stateFromCheckpoint } from "./checkpoints.ts";
import { holdsEpoch, markEpoch } from "./epoch-marks.ts";
import { findLedgerDocument, LedgerDocumentError, putEntries, startEpochDocument, readItems, readTokens, type FoundDocument, type LedgerDoc } from "./document.ts";
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
 * The snapshot a new epoch starts from: the fold of what the checkpoint covers. The entries it
 * made late (finality, ledger/README.md 8.6) sort before it but are not part of it.
 */
export function epochSnapshot(ledger: Ledger, through: number): Uint8Array {
  const late = new Set(ledger.view().invalid.filter((i) => i.reason === "before-checkpoint").map((i) => i.key));
  return draftCheckpoint(ledger.entries().filter((s) => !late.has(s.id)), through, ledger.options.authoriser, ledger.options.base).snapshot;
}

/**
 * Moves `ledger` to the epoch its latest accepted checkpoint starts (the checkpoint's `epoch`,
 * ledger/README.md 9): builds that epoch's document from the checkpoint and the snapshot this
 * node's own fold gives (document.ts, startEpochDocument), then writes every entry after the
 * checkpoint into it (Ledger.moveTo).
 */
export async function startNextEpoch(ledger: Ledger, checkpointId: EntryId): Promise<Result<{ epoch: number }>> {
  const { state } = ledger.view();
  if (state.checkpoint?.id !== checkpointId) return reject("unknown-reference", "only the latest accepted checkpoint can start an epoch");
  const epoch = state.checkpoint.epoch ?? 0;
  if (epoch <= ledger.epoch) return reject("conflict", `checkpoint ${checkpointId} starts no epoch after ${ledger.epoch} (its body names ${epoch || "none"})`);
  const checkpoint = ledger.entry(checkpointId)!;
  const { through } = state.checkpoint;
  const snapshot = epochSnapshot(ledger, through);
  if (bytesToHex(sha256(snapshot)) !== state.checkpoint.state) return reject("checkpoint-mismatch", `this node's snapshot through ${through} differs from the one checkpoint ${checkpointId} commits to`);
  const handle = startEpochDocument(ledger.options.repo, ledger.options.pool, epoch, checkpoint.bytes, snapshot);
  await handle.whenReady();
  await ledger.moveTo(epoch, handle, through);
  return { ok: true, epoch };
}

/**
 * The snapshot an epoch document holds for `checkpoint`, if it holds that start. Anyone can write
 * into the document, and Automerge keeps concurrent values of a field as conflicts of which it
 * shows one: every value is looked at, so a forged start written beside the real one hides nothing.
 * The snapshot is the value whose hash the checkpoint commits to.
 */
export function startIn(doc: LedgerDoc, checkpoint: SignedEntry): Uint8Array | undefined {
  if (!starts(doc).some((bytes) => sameBytes(bytes, checkpoint.bytes))) return undefined;
  const committed = bytesToHex(checkpoint.entry.body.state as Uint8Array);
  return values(doc, "snapshot").find((bytes) => bytesToHex(sha256(bytes)) === committed);
}

/** Every checkpoint value written into an epoch document (usually one). */
const starts = (doc: LedgerDoc): Uint8Array[] => values(doc, "checkpoint");

/** Automerge reports conflicts only where there are several values; otherwise the field holds the one. */
function values(doc: LedgerDoc, field: "checkpoint" | "snapshot"): Uint8Array[] {
  const conflicts = A.getConflicts(doc, field);
  return (conflicts ? Object.values(conflicts) : [doc[field]]).filter((v): v is Uint8Array => v instanceof Uint8Array);
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

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
  const handle = startEpochDocument(repo, pool, epoch, checkpoint.bytes, snapshot);
  await handle.whenReady();
  await markEpoch(storage, pool, epoch);
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
  const start = await epochStart(options.repo, options.pool, options.epoch, contextOf(options), options.trust);
  if (!start.ok) return start;
  return { ok: true, ledger: await Ledger.open({ ...options, base: start.state }) };
}

export type EpochStart = Result<{ checkpoint: SignedEntry; snapshot: Uint8Array; state: LedgerState }>;

/** The handle of a document that exists or is absent; an engine failure is thrown, never taken for absence. */
function present(found: FoundDocument): FoundDocument & { ok: true } {
  if (!found.ok) throw new LedgerDocumentError(found.message);
  return found;
}

async function epochStart(repo: Repo, pool: PoolId, epoch: number, context: ValidationContext, trust: CheckpointTrust = trustPoolRoot): Promise<EpochStart> {
  const doc = present(await findLedgerDocument(repo, pool, epoch)).handle?.doc();
  const found = doc ? starts(doc) : [];
  if (found.length === 0) return reject("unknown-reference", `epoch ${epoch} of pool ${pool} has no checkpoint and snapshot yet`);
  return trustedStart(
    found.map((checkpoint) => ({ checkpoint, snapshots: values(doc!, "snapshot") })),
    context,
    trust,
  );
}

/** A checkpoint's bytes as a document holds them, with the snapshots written beside it. */
export interface StartCandidate {
  readonly checkpoint: Uint8Array;
  readonly snapshots: readonly Uint8Array[];
}

/**
 * The first candidate whose checkpoint validates, has a snapshot hashing to the state it commits
 * to, and is trusted; else the first refusal. A private pool's sealed starts (privacy/private-epochs.ts)
 * are checked the same way.
 */
export async function trustedStart(candidates: readonly StartCandidate[], context: ValidationContext, trust: CheckpointTrust = trustPoolRoot): Promise<EpochStart> {
  const refusals: EpochStart[] = [];
  for (const candidate of candidates) {
    const checkpoint = await validateEntry(candidate.checkpoint, context);
    if (!checkpoint.ok) {
      refusals.push(checkpoint);
      continue;
    }
    const { id, entry } = checkpoint.signed;
    const committed = entry.body.state instanceof Uint8Array ? bytesToHex(entry.body.state) : undefined;
    const snapshot = candidate.snapshots.find((bytes) => bytesToHex(sha256(bytes)) === committed);
    const started = snapshot ? stateFromCheckpoint(checkpoint.signed, snapshot) : reject("checkpoint-mismatch", `epoch ${String(entry.body.epoch ?? 0)} holds no snapshot matching checkpoint ${id}`);
    if (!started.ok) refusals.push(started);
    else if (!trust(checkpoint.signed, started.state)) refusals.push(reject("not-authorised", `epoch ${String(entry.body.epoch ?? 0)} starts from a checkpoint by ${entry.author}, whom this node does not trust`));
    else return { ok: true, checkpoint: checkpoint.signed, snapshot: snapshot!, state: started.state };
  }
  return refusals[0] ?? reject("unknown-reference", "no checkpoint and snapshot to start from");
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
  const starts: EpochStarts = [];
  for (let epoch = 0; epoch <= epochs; epoch++) {
    const { handle } = present(await findLedgerDocument(options.repo, options.pool, epoch));
    if (handle) raw.push(...readItems(handle.doc()).map((item) => item.value));
    for (const [cid, token] of handle ? readTokens(handle.doc()) : []) options.authoriser.tokens?.put(cid, token);
    raw.push(...(await new EntryStore(options.storage, options.pool, epoch).load()));
    // Trust plays no part here: the full fold below proves or refutes every start.
    if (epoch > 0) starts.push({ epoch, start: await epochStart(options.repo, options.pool, epoch, context, () => true) });
  }
  return checkHistory({ epochs, raw, starts }, options);
}

/** Each later epoch's start as found (a refusal when it has none that checks out). */
export type EpochStarts = Array<{ readonly epoch: number; readonly start: EpochStart }>;

/**
 * Folds every entry of every epoch from genesis and checks each checkpoint and each epoch's start
 * against that fold. `raw` is unvalidated (document values, stored chunks); the tokens the entries
 * name are in the authoriser's book already.
 */
export async function checkHistory(history: { readonly epochs: number; readonly raw: readonly unknown[]; readonly starts: EpochStarts }, options: Omit<VerifyOptions, "repo" | "storage">): Promise<VerifyReport> {
  const results = await validateMany(history.raw, contextOf(options));
  const valid = results.flatMap((r) => (r.ok ? [r.signed] : []));
  const fold = foldEntries(valid, options.authoriser);
  const problems: string[] = [];
  for (const [id, r] of fold.rejected) if (r.reason === "checkpoint-mismatch") problems.push(`checkpoint ${id}: ${r.message}`);
  for (const { epoch, start } of history.starts) {
    if (!start.ok) problems.push(`epoch ${epoch}: ${start.message}`);
    else if (start.checkpoint.entry.body.epoch !== epoch) problems.push(`epoch ${epoch} starts from checkpoint ${start.checkpoint.id}, which does not name it`);
    else if (fold.rejected.has(start.checkpoint.id)) problems.push(`epoch ${epoch} starts from checkpoint ${start.checkpoint.id}, which the full fold refuses`);
    else if (stateHash(foldEntries(valid.filter((s) => sortTimeOf(s.entry) <= (start.checkpoint.entry.body.through as number)), options.authoriser).state) !== stateHash(start.state)) {
      problems.push(`epoch ${epoch}'s snapshot differs from the full fold up to its checkpoint`);
    }
  }
  return { epochs: history.epochs, fold, refused: results.filter((r) => !r.ok).length, problems };
}
