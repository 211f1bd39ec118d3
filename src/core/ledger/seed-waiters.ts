/**
 * Per jobs map, the jobs whose single-run commit waits for a checkpoint's spot-check draw (a job
 * with `seedAfter`): what `drawSpotChecks` (./rules/checkpoint.ts) visits. Visiting every job of
 * the state at each checkpoint made checkpoints grow with the pool's whole retained history (a
 * million-job simulation checkpoints every simulated minute). The index may name jobs that no
 * longer wait (the draw checks each job, so a superset is safe); a job leaves it once drawn. Not
 * part of the state: a cloned or decoded state (a new jobs map) builds it again with one scan.
 */
import type { LedgerState } from "./state.ts";
import type { EntryId } from "./types.ts";

const byJobs = new WeakMap<LedgerState["jobs"], Set<EntryId>>();

/** Records that `jobId` now waits for a seed (called after the fold set its `seedAfter`). */
export function noteSeedWait(state: LedgerState, jobId: EntryId): void {
  // No index yet: the scan that builds it will find the job's `seedAfter` itself.
  byJobs.get(state.jobs)?.add(jobId);
}

/** The jobs that may wait for a seed; the caller deletes the ones it drew. */
export function seedWaiters(state: LedgerState): Set<EntryId> {
  let waiting = byJobs.get(state.jobs);
  if (!waiting) {
    waiting = new Set();
    for (const id in state.jobs) if (state.jobs[id]!.seedAfter !== undefined) waiting.add(id as EntryId);
    byJobs.set(state.jobs, waiting);
  }
  return waiting;
}
