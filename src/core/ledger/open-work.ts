/**
 * Per jobs map, the jobs where each worker has written a claim or a commit: what `releaseOpenWork`
 * (./standing.ts) visits when a worker is suspended or leaves. Visiting every job of the state
 * there made a 10,000-member simulation with liars spend 45% of its time in that scan (profile,
 * session 7), and the scan grows with the pool's whole history. The index may name jobs where the
 * worker no longer holds anything (the visit checks each job, so a superset is safe); a job leaves
 * it once visited. Not part of the state: a cloned or decoded state (a new jobs map) builds it again
 * with one scan.
 */
import type { Did } from "../identity/did-key.ts";
import type { LedgerState } from "./state.ts";
import type { EntryId } from "./types.ts";

const byJobs = new WeakMap<LedgerState["jobs"], Map<Did, Set<EntryId>>>();

function add(index: Map<Did, Set<EntryId>>, did: Did, jobId: EntryId): void {
  let jobs = index.get(did);
  if (!jobs) index.set(did, (jobs = new Set()));
  jobs.add(jobId);
}

/**
 * Records that `did` claimed `jobId` (called after the fold stored the claim). A commit needs the
 * author's live claim on the job, so claims are all the index needs to be told of.
 */
export function noteWork(state: LedgerState, did: Did, jobId: EntryId): void {
  const index = byJobs.get(state.jobs);
  // No index yet: the scan that builds it will find this claim or commit in the job itself.
  if (index) add(index, did, jobId);
}

/** The jobs `did` may hold a claim or an unrevealed commit on; the caller may delete what it visited. */
export function jobsWorkedBy(state: LedgerState, did: Did): Set<EntryId> {
  let index = byJobs.get(state.jobs);
  if (!index) {
    index = new Map();
    for (const id in state.jobs) {
      const job = state.jobs[id]!;
      const jobId = id as EntryId;
      for (const replica in job.claims) add(index, job.claims[replica]!.worker, jobId);
      for (const worker in job.commits) add(index, worker as Did, jobId);
    }
    byJobs.set(state.jobs, index);
  }
  let jobs = index.get(did);
  if (!jobs) index.set(did, (jobs = new Set()));
  return jobs;
}
