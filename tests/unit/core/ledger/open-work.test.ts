import { describe, expect, it } from "vitest";
import type { Did } from "../../../../src/core/identity/did-key.ts";
import { noteWork } from "../../../../src/core/ledger/open-work.ts";
import { releaseOpenWork } from "../../../../src/core/ledger/standing.ts";
import { cloneState, dictionary, emptyState, type JobState, type LedgerState } from "../../../../src/core/ledger/state.ts";
import type { EntryId } from "../../../../src/core/ledger/types.ts";
import { alice, carol, dave } from "../../../fixtures/identities.ts";

const LEASE_END = 1_000;

/** An open job of three replicas where `worker` holds a live claim on replica 0 (written as the fold writes it). */
function claimedJob(state: LedgerState, id: string, worker: Did): EntryId {
  const jobId = id as EntryId;
  const claims = dictionary<JobState["claims"][string]>();
  claims[0] = { worker, until: LEASE_END, since: 0 };
  state.jobs[jobId] = { submitter: alice.did, task: "t", replicas: 3, reward: 10, deadline: 10_000, submitted: 0, status: "open", claims, commits: dictionary(), reveals: dictionary() } as JobState;
  noteWork(state, worker, jobId);
  return jobId;
}

describe("releaseOpenWork (the per-worker index of jobs it visits)", () => {
  it("releases claims written before the index existed and after it was built", () => {
    const state = emptyState();
    const first = claimedJob(state, "job-1", carol.did);
    releaseOpenWork(state, carol.did, 10);
    expect(state.jobs[first]!.claims[0]).toBeUndefined();
    expect(state.jobs[first]!.displaced?.[carol.did]).toEqual({ replica: 0, until: LEASE_END });
    // The index now exists: a later claim must be noted in it, and a second suspension finds it.
    const second = claimedJob(state, "job-2", carol.did);
    releaseOpenWork(state, carol.did, 20);
    expect(state.jobs[second]!.claims[0]).toBeUndefined();
  });

  it("leaves other workers' claims alone", () => {
    const state = emptyState();
    const carols = claimedJob(state, "job-1", carol.did);
    const daves = claimedJob(state, "job-2", dave.did);
    releaseOpenWork(state, carol.did, 10);
    expect(state.jobs[carols]!.claims[0]).toBeUndefined();
    expect(state.jobs[daves]!.claims[0]!.worker).toBe(dave.did);
  });

  it("acts on a copy of the state as on the original (a new jobs map builds its own index)", () => {
    const state = emptyState();
    releaseOpenWork(state, carol.did, 1);
    const job = claimedJob(state, "job-1", carol.did);
    const copy = cloneState(state);
    releaseOpenWork(copy, carol.did, 10);
    expect(copy.jobs[job]!.claims[0]).toBeUndefined();
    expect(state.jobs[job]!.claims[0]!.worker).toBe(carol.did);
    releaseOpenWork(state, carol.did, 10);
    expect(state.jobs[job]!.claims[0]).toBeUndefined();
  });
});
