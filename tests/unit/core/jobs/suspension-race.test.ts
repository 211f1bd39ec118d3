/**
 * The liar test's stall, replayed deterministically (docs/NOTES.md, session 6): the liar's second
 * wrong output suspends it, which voids its commit on another job after an honest worker saw it and
 * revealed. A third worker's claim on the freed replica was refused where it was written (the liar
 * still held it there) and taken by the fold once the verdict arrived: it ran out unworked. Nobody
 * was left to take the replica (the others committed, the liar is suspended, the lapsed worker was
 * left out for good), and the committed worker waited for a commit that could never come.
 */
import { describe, expect, it } from "vitest";
import { planClaim, revealOpen } from "../../../../src/core/jobs/replicas.ts";
import { Competitors } from "../../../../src/core/jobs/rendezvous.ts";
import { foldEntries } from "../../../../src/core/ledger/fold.ts";
import type { EntryId, SignedEntry } from "../../../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { bob, carol, dave, mallory } from "../../../fixtures/identities.ts";
import { hex, jobPool, LEASE_MS, RIGHT, T0, WRONG, type JobPool } from "../ledger/job-fixture.ts";

const STAGGER = LEASE_MS / 4;
const workers = [bob, carol, dave, mallory];
const competitors = new Competitors(workers.map((w) => w.did));

/** A job where mallory lies against carol and dave, worked at `at`. */
async function lie(pool: JobPool, submitted: number, at: number): Promise<EntryId> {
  const job = await pool.submit({}, submitted);
  for (const [i, who] of [carol, dave, mallory].entries()) await pool.work(who, job, i, who === mallory ? WRONG : RIGHT, at);
  return job;
}

/** The lie's reveals; dave's, the second right one, settles it at `time` and strikes mallory. */
async function reveal(pool: JobPool, job: EntryId, time: number): Promise<SignedEntry> {
  await pool.reveal(mallory, job, WRONG, time - 2);
  await pool.reveal(carol, job, RIGHT, time - 1);
  return pool.reveal(dave, job, RIGHT, time);
}

describe("a liar suspended while its commit holds a replica", () => {
  it("the lapsed worker is offered the replica again and the committed worker reveals: the job settles, the honest workers paid in full", async () => {
    const pool = await jobPool();
    await reveal(pool, await lie(pool, T0 + 1_000, T0 + 1_100), T0 + 5_000);
    // One disagreement delays mallory's claims by a tenth of a lease (30 s) after each submission.
    const second = await lie(pool, T0 + 6_000, T0 + 40_000);
    const job: EntryId = await pool.submit({}, T0 + 10_000);
    for (const [i, who] of [mallory, dave, bob].entries()) await pool.work(who, job, i, who === mallory ? WRONG : RIGHT, T0 + 50_000);
    // bob saw three commits and revealed.
    await pool.reveal(bob, job, RIGHT, T0 + 53_000);
    // The liar's second wrong output: a severe strike (two minor ones within 7 epochs) suspends it.
    const verdict = await reveal(pool, second, T0 + 54_000);
    // carol claims replica 0 before that verdict reaches her: refused in her view, the fold's in the end.
    const claim = await pool.claim(carol, job, 0, T0 + 55_000);
    const seenByCarol = foldEntries(pool.entries.filter((e) => e !== verdict), new UcanAuthoriser());
    expect(seenByCarol.rejected.get(claim.id)).toMatchObject({ reason: "conflict", message: "replica 0 already has a result" });

    let { state, rejected } = pool.fold();
    expect(rejected.has(claim.id)).toBe(false);
    expect(state.standing[mallory.did]!.suspended?.reason).toBe("repeated");
    const stuck = state.jobs[job]!;
    expect(stuck).toMatchObject({ status: "open", opened: true, exposed: true, claims: { 0: { worker: carol.did } } });
    expect(Object.keys(stuck.commits).sort()).toEqual([bob.did, dave.did].sort());
    // Her lease runs out unworked. The others committed and mallory is suspended: carol, last of
    // all, is the one worker left to take the replica (it used to be nobody).
    const lapsed = T0 + 55_000 + LEASE_MS + 1;
    for (const who of [bob, dave, mallory]) expect(planClaim(state, job, who.did, lapsed, STAGGER, competitors)).toBeUndefined();
    expect(planClaim(state, job, carol.did, lapsed, STAGGER, competitors)?.replica).toBe(0);
    // dave need not wait for that replica: the job is exposed, so its commit would earn nothing,
    // and his reveal with bob's settles it.
    expect(revealOpen(stuck, T0 + 56_000, LEASE_MS)).toBe(true);
    await pool.reveal(dave, job, RIGHT, T0 + 56_000);
    ({ state, rejected } = pool.fold());
    expect(state.jobs[job]!.verdict).toMatchObject({ output: hex(RIGHT), workers: [bob.did, dave.did].sort() });
    for (const who of [bob, dave]) expect(state.accounts[who.did]!.grants.filter((g) => g.job === job).map((g) => g.amount)).toEqual([15]);
  });
});
