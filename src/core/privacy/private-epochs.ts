/**
 * Ledger epochs in a private pool (ledger/README.md 9, docs/privacy.md "Compaction"). A plain
 * pool's next epoch document is built by every node from the checkpoint; a private pool's shared
 * documents are per key epoch and only key holders can find them, so compaction rotates the key:
 * the root writes a checkpoint naming the next ledger epoch and a `key.rotate` in one envelope,
 * and puts the **sealed start** (that checkpoint and the state snapshot it commits to, sealed
 * under the new key) into the new key epoch's document. That document begins the ledger epoch: a
 * cold start walks back from the newest key it holds only as far as the latest trusted start, and
 * older key epochs' documents stay for `verifyPrivatePool`. The relay sees a rotation and one more
 * padded envelope: no checkpoint, no DID, time 0.
 */
import { checkpointBody, CHECKPOINT_SETTLE_MS } from "../ledger/checkpoint-writer.ts";
import type { EpochFollower } from "../ledger/epoch-follower.ts";
import { sortTimeOf } from "../ledger/kinds.ts";
import { checkHistory, epochSnapshot, latestEpoch, trustedStart, type EpochStarts, type StartCandidate, type VerifyOptions, type VerifyReport } from "../ledger/epochs.ts";
import { EntryStore } from "../ledger/store.ts";
import { reject, type EntryId, type Result } from "../ledger/types.ts";
import { contextOf, type ValidationContext } from "../ledger/validate.ts";
import { bytesToHex, fromUtf8, sha256 } from "../crypto/index.ts";
import { inOwnTurn } from "../ledger/own-turn.ts";
import { MAX_START_SNAPSHOT } from "./envelope.ts";
import { Keyring } from "./keyring.ts";
import type { PrivacyNative } from "./native.ts";
import type { PrivateLedger } from "./private-ledger.ts";
import { rotateKeyInTurn, type Writer } from "./rotation.ts";
import { findSealedDocument } from "./sealed-document.ts";
import { openAll, walkBack, type OpenedEnvelopes } from "./sealed-starts.ts";

export interface CompactRequest extends Writer {
  readonly node: PrivateLedger;
  /** The writer's clock (ms): the checkpoint covers up to `time - settleMs`. */
  readonly time: number;
  readonly settleMs?: number;
}

export interface Compaction {
  readonly checkpoint: EntryId;
  readonly through: number;
  readonly count: number;
  /** The ledger epoch started, and the key epoch whose document begins it. */
  readonly epoch: number;
  readonly keyEpoch: number;
}

/**
 * Starts the next ledger epoch of a private pool. Only the root: a cold start trusts root-signed
 * starts (`trustPoolRoot`), as in a plain pool. The node moves at once; every other member moves
 * when the checkpoint and the new key reach it, and writes what it holds after the checkpoint
 * into the new key epoch's documents.
 */
export function compactPrivatePool(request: CompactRequest): Promise<Result<Compaction>> {
  return inOwnTurn(request.node.ledger, request.author.did, () => compactInTurn(request));
}

async function compactInTurn({ node, author, proof, time, settleMs = CHECKPOINT_SETTLE_MS }: CompactRequest): Promise<Result<Compaction>> {
  const { ledger } = node;
  if (ledger.state.pool?.root !== author.did) return reject("not-authorised", "only the pool's root compacts: a starting node trusts only a root-signed sealed start");
  const epoch = (ledger.state.checkpoint?.epoch ?? 0) + 1;
  // The root's own entries must sort at or before `through`: a node starting from the checkpoint
  // counts the checkpoint's sequence number as used (fold.ts, the base's author record), so an
  // entry of the root written in the settling time with a lower one would be refused there alone.
  const own = Math.max(-Infinity, ...ledger.entries().filter((s) => s.entry.author === author.did).map((s) => sortTimeOf(s.entry)));
  const drafted = checkpointBody(ledger, time, Math.max(0, Math.min(settleMs, time - own)), epoch);
  if (!drafted.ok) return reject(drafted.reason === "no-pool" ? "unknown-reference" : "conflict", drafted.message);
  const checkpoint = await ledger.writerFor(author).write("checkpoint", drafted.body, time, proof ? [proof] : []);
  // The checkpoint travels with the rotation (rotateKey seals the entries it is given beside it).
  const rotated = await rotateKeyInTurn({ node, author, proof, time, revocations: [checkpoint] });
  if (!rotated.ok) return rotated;
  const refused = ledger.view().invalid.find((i) => i.key === checkpoint.id);
  if (refused) return reject(refused.reason, `the checkpoint was refused: ${refused.message}`);
  const snapshot = epochSnapshot(ledger, drafted.through);
  if (bytesToHex(sha256(snapshot)) !== bytesToHex(drafted.body.state)) return reject("checkpoint-mismatch", "this node's snapshot differs from the checkpoint it just wrote");
  if (snapshot.length > MAX_START_SNAPSHOT) return reject("too-large", `the state snapshot is ${snapshot.length} bytes; a sealed start carries at most ${MAX_START_SNAPSHOT}`);
  await node.sealStart(rotated.key, checkpoint, rotated.entry, snapshot);
  await node.settled();
  return { ok: true, checkpoint: checkpoint.id, through: drafted.through, count: drafted.body.count, epoch, keyEpoch: rotated.epoch };
}

/**
 * Where a private pool's node stands in its ledger epochs, as a plain pool's follower reports it
 * (createNode's `epochs`): the PrivateLedger moves by itself once its fold accepts a checkpoint
 * naming the next epoch and it holds that epoch's sealed start; until then the epoch is pending.
 */
export function privateEpochStatus(node: PrivateLedger): EpochFollower {
  return {
    status() {
      const { ledgerEpoch, moveRefusal } = node.view();
      const started = node.ledger.state.checkpoint?.epoch ?? 0;
      return { epoch: ledgerEpoch, pending: started > ledgerEpoch ? started : undefined, lastRefusal: moveRefusal };
    },
    close() {},
  };
}

/**
 * `ledger verify` for a private pool: re-validates from genesis every entry sealed in the
 * documents of every key epoch this node can reach (walking back from its newest key) and in its
 * own stores, and checks every checkpoint and every sealed start against that fold.
 */
export async function verifyPrivatePool(options: VerifyOptions & { readonly native?: PrivacyNative }): Promise<VerifyReport> {
  const { repo, storage, pool } = options;
  const keyring = new Keyring(storage, pool);
  await keyring.load();
  for (const bytes of await new EntryStore(storage, pool, "tokens").load()) options.authoriser.tokens?.add(fromUtf8(bytes));
  const raw: unknown[] = [];
  const candidates: StartCandidate[] = [];
  const opened: OpenedEnvelopes = new Map();
  await walkBack(keyring, (key) => findSealedDocument(repo, key), async (_key, handle) => {
    candidates.push(...(await openAll(pool, keyring, handle, opened, options.native)));
    return "on";
  });
  for (const { opened: result } of opened.values()) {
    if (!result.ok) continue;
    raw.push(...result.entries);
    for (const token of result.tokens) options.authoriser.tokens?.add(token);
  }
  const marked = await latestEpoch(storage, pool);
  for (let epoch = 0; epoch <= marked; epoch++) raw.push(...(await new EntryStore(storage, pool, epoch).load()));
  const starts = await startsByEpoch(candidates, contextOf(options));
  const epochs = Math.max(marked, ...starts.map((s) => s.epoch));
  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (!starts.some((s) => s.epoch === epoch)) starts.push({ epoch, start: reject("unknown-reference", `no sealed start of ledger epoch ${epoch} in the documents this node can open`) });
  }
  const report = await checkHistory({ epochs, raw, starts }, options);
  const unopened = [...opened.values()].filter((o) => !o.opened.ok).length;
  return { ...report, refused: report.refused + unopened };
}

/** Each sealed start, checked alone (trust plays no part: the full fold proves or refutes it), under the epoch its checkpoint names. */
async function startsByEpoch(candidates: readonly StartCandidate[], context: ValidationContext): Promise<EpochStarts> {
  const starts: EpochStarts = [];
  for (const candidate of candidates) {
    const start = await trustedStart([candidate], context, () => true);
    starts.push({ epoch: start.ok ? Number(start.checkpoint.entry.body.epoch ?? 0) : 0, start });
  }
  return starts;
}
