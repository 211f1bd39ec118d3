/**
 * Writing and trusting checkpoints (ledger/README.md, "Checkpoints"). A checkpoint's body commits
 * to the fold of every valid entry up to `through`; a node that trusts one starts from the state
 * snapshot it commits to and folds only what comes after.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { bytesToHex, hexToBytes } from "../crypto/index.ts";
import type { Authoriser } from "./authoriser.ts";
import type { Frontier } from "./finality.ts";
import { Folder, recordFolded } from "./fold.ts";
import { sortTimeOf } from "./kinds.ts";
import { applyCheckpoint, checkpointedState } from "./rules/checkpoint.ts";
import { cloneState, encodeState, stateHash, type LedgerState } from "./state.ts";
import { reject, type Result, type SignedEntry } from "./types.ts";

export interface CheckpointDraft {
  readonly body: { through: number; count: number; root: Uint8Array; state: Uint8Array; frontier: Frontier; epoch?: number };
  /** The canonical state the body commits to: what a new epoch document carries as its snapshot. */
  readonly snapshot: Uint8Array;
}

/**
 * Computes a checkpoint body over the valid entries (of `entries`) that sort before a checkpoint
 * at `through`: every entry of time <= `through` except checkpoints at `through` itself.
 */
export function draftCheckpoint(entries: Iterable<SignedEntry>, through: number, authoriser: Authoriser, base?: LedgerState): CheckpointDraft {
  const folder = new Folder(authoriser, base);
  folder.add([...entries].filter((s) => sortTimeOf(s.entry) < through || (sortTimeOf(s.entry) === through && s.entry.kind !== "checkpoint")));
  folder.expireBefore(through);
  const { count, root, frontier, state: folded } = folder.commitment();
  const state = checkpointedState(folded, through);
  const snapshot = encodeState(state);
  return { body: { through, count, root: hexToBytes(root), state: hexToBytes(stateHash(state)), frontier }, snapshot };
}

/**
 * The state a node starts from when it trusts `checkpoint`: the snapshot, checked against the
 * checkpoint's state hash and count, with the checkpoint itself folded in. Trust (whose checkpoints
 * to accept) is the caller's decision; this only checks that the snapshot is the one committed to.
 */
export function stateFromCheckpoint(checkpoint: SignedEntry, snapshot: Uint8Array): Result<{ state: LedgerState }> {
  if (checkpoint.entry.kind !== "checkpoint") return reject("bad-body", "not a checkpoint entry");
  const body = checkpoint.entry.body as CheckpointDraft["body"];
  let state: LedgerState;
  try {
    state = cloneState(dagCbor.decode(snapshot) as LedgerState);
  } catch {
    return reject("malformed", "the checkpoint snapshot is not DAG-CBOR");
  }
  if (typeof state !== "object" || state === null || Array.isArray(state)) return reject("malformed", "the checkpoint snapshot is not a state map");
  const refused = applyCheckpoint(state, checkpoint, { coveredRoot: () => bytesToHex(body.root), coveredFrontier: () => body.frontier, hashState: stateHash });
  if (refused) return reject(refused.reason, refused.message.replace("this node's fold", "the snapshot"));
  recordFolded(state, checkpoint);
  return { ok: true, state };
}
