/**
 * The checkpoint rule. A checkpoint sorts at its `through` time, after every entry of that time,
 * so when the fold reaches it the state is exactly the fold of the entries it covers; the rule
 * then checks the three commitments and refuses a checkpoint that does not match.
 */
import { bytesToHex } from "../../crypto/index.ts";
import { MAX_INT, type BodySchema } from "../schema.ts";
import type { Did } from "../../identity/did-key.ts";
import { minorStrike } from "../standing.ts";
import { forgottenJobs } from "../forgetting.ts";
import { seedWaiters } from "../seed-waiters.ts";
import { cloneState, dictionary, type JobState, type LedgerState } from "../state.ts";
import { spotChosen } from "../trust.ts";
import type { Entry, EntryId, Rejection, SignedEntry } from "../types.ts";
import { frontierDifference, type Frontier } from "../finality.ts";
import { rejection } from "./rejection.ts";

export const checkpointSchema: BodySchema = {
  /** Covers every valid entry whose time is at most this. */
  through: { type: "int", min: 0, max: MAX_INT },
  /** How many valid entries the ledger holds up to `through` (earlier checkpoints included). */
  count: { type: "int", min: 0, max: MAX_INT },
  /** Chained Merkle root over the covered ids (../merkle.ts). */
  root: { type: "bytes", min: 32, max: 32 },
  /** sha2-256 of the canonical state after folding the covered entries. */
  state: { type: "bytes", min: 32, max: 32 },
  /**
   * Finality (ledger/README.md 8.6): for each author of an entry folded since the previous
   * checkpoint, the highest sequence number covered. An entry that sorts in this checkpoint's
   * window with a higher number (or by an author not listed) was not seen by its writer.
   */
  frontier: { type: "seq-map", max: 256 },
  /**
   * Set when this checkpoint starts the next epoch document (ledger/README.md 9): the pool's
   * current epoch + 1. The signed checkpoint is the pointer every node follows to the new document.
   */
  epoch: { type: "int", min: 1, max: 1_000_000, optional: true },
};

export const checkCheckpoint = (entry: Entry): string | undefined =>
  (entry.body.through as number) < entry.time ? undefined : "body.through must be before the checkpoint's own time";

export interface CheckpointContext {
  /** The chained root over the ids folded since the previous checkpoint. */
  coveredRoot(): string;
  /** Each author's highest sequence number among the entries taken up since the previous checkpoint. */
  coveredFrontier(): Frontier;
  /** The state commitment: `stateHash` (sha2-256 of the canonical encoding) except in the simulator's cost model. */
  hashState(state: LedgerState): string;
}

/**
 * The state a checkpoint at `through` commits to: the fold with the jobs that can no longer change
 * forgotten (done or past their deadline, and past the vesting period after it). So the state,
 * and a new epoch's snapshot, stays the size of the recent past, not of history. A later entry
 * about a forgotten job is refused (unknown-reference). A worker that committed to a forgotten job
 * and never revealed gets its minor strike here (ledger/README.md 8.7). `state` itself when
 * nothing is forgotten (nothing changes), else a copy: refusing a checkpoint changes nothing.
 */
export function checkpointedState(state: LedgerState, through: number): LedgerState {
  const forgotten = forgottenJobs(state, through, (state.pool?.settings.vestingSeconds ?? 0) * 1000);
  if (forgotten.length === 0) return state;
  const silent = forgotten.flatMap((id) => Object.keys(state.jobs[id]!.commits).filter((w) => state.jobs[id]!.reveals[w] === undefined).map((w) => [id, w] as const));
  const committed = silent.length > 0 ? cloneState(state) : { ...state, jobs: Object.assign(dictionary<JobState>(), state.jobs) };
  for (const [id, worker] of silent) minorStrike(committed, worker as Did, "unrevealed", state.jobs[id]!.deadline, id);
  for (const id of forgotten) delete committed.jobs[id];
  return committed;
}

export function applyCheckpoint(state: LedgerState, { id, entry }: SignedEntry, context: CheckpointContext): Rejection | undefined {
  const body = entry.body as { through: number; count: number; root: Uint8Array; state: Uint8Array; frontier: Frontier; epoch?: number };
  if (state.checkpoint && body.through <= state.checkpoint.through) return rejection("conflict", `a checkpoint through ${state.checkpoint.through} already exists; a new one must cover more`);
  const epoch = state.checkpoint?.epoch ?? 0;
  if (body.epoch !== undefined && body.epoch !== epoch + 1) return rejection("conflict", `the checkpoint starts epoch ${body.epoch}; the pool is in epoch ${epoch}, so only ${epoch + 1} can start`);
  if (body.count !== state.count) return rejection("checkpoint-mismatch", `the checkpoint counts ${body.count} entries; this node folded ${state.count}`);
  const frontier = frontierDifference(body.frontier, context.coveredFrontier());
  if (frontier) return rejection("checkpoint-mismatch", `the checkpoint's frontier differs from the covered entries': ${frontier}`);
  const root = context.coveredRoot();
  if (bytesToHex(body.root) !== root) return rejection("checkpoint-mismatch", "the checkpoint's Merkle root differs from the covered entries'");
  const committed = checkpointedState(state, body.through);
  const hash = context.hashState(committed);
  if (bytesToHex(body.state) !== hash) return rejection("checkpoint-mismatch", "the checkpoint's state hash differs from this node's fold");
  if (committed !== state) Object.assign(state, committed);
  const inEpoch = body.epoch ?? epoch;
  state.checkpoint = { id, through: body.through, count: body.count, root, state: hash, ...(inEpoch > 0 ? { epoch: inEpoch } : {}) };
  drawSpotChecks(state, id, body.through);
  return undefined;
}

/**
 * The hidden spot checks of single runs committed at or before `through`, drawn from this
 * checkpoint's id (randomness that did not exist when the worker committed). A chosen job gets a
 * second replica; either way its reveal may now count.
 */
function drawSpotChecks(state: LedgerState, checkpoint: EntryId, through: number): void {
  const waiting = seedWaiters(state);
  for (const jobId of waiting) {
    const job = state.jobs[jobId];
    if (job?.seedAfter === undefined || job.status !== "open") {
      waiting.delete(jobId);
      continue;
    }
    if (job.seedAfter > through) continue;
    waiting.delete(jobId);
    delete job.seedAfter;
    job.seeded = true;
    if (!spotChosen(jobId, checkpoint, job.spot ?? 0)) continue;
    job.replicas = 2;
    delete job.opened;
    job.spotChecked = true;
    // An adaptive single run's spot replica goes to a trusted worker first (one lease).
    if (job.single !== undefined) job.spotSince = through;
  }
}
