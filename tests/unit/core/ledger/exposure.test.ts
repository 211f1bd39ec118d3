import { describe, expect, it } from "vitest";
import { claimHash } from "../../../../src/core/ledger/trust.ts";
import type { EntryId } from "../../../../src/core/ledger/types.ts";
import { bob, carol, dave, mallory, type TestIdentity } from "../../../fixtures/identities.ts";
import { extraWorkers, hex, jobPool, LEASE_MS, RIGHT, SETTINGS, T0, type JobPool } from "./job-fixture.ts";

const [worker1] = extraWorkers as [TestIdentity];

/**
 * carol and mallory race for replica 0 (equal weights: the lower claim hash wins the contest): the
 * loser claims first, the winner 2 s later, within the contest window. The loser, not having seen
 * the winner's claim, commits 1 s after that.
 */
async function contestRace(pool: JobPool, job: EntryId, at: number): Promise<{ holder: TestIdentity; winner: TestIdentity }> {
  const [winner, holder] = [carol, mallory].sort((a, b) => (claimHash(job, 0, a.did) < claimHash(job, 0, b.did) ? -1 : 1)) as [TestIdentity, TestIdentity];
  await pool.claim(holder, job, 0, at);
  await pool.claim(winner, job, 0, at + 2_000);
  await pool.commit(holder, job, 0, RIGHT, at + 3_000);
  return { holder, winner };
}

/** A contest race on replica 0 while dave and worker1 commit the other two; dave, who saw three commits, reveals. */
async function revealAfterContest(pool: JobPool): Promise<{ job: EntryId; holder: TestIdentity; winner: TestIdentity }> {
  const job = await pool.submit({ reward: 30 }, T0 + 10_000);
  const contest = await contestRace(pool, job, T0 + 11_000);
  await pool.work(dave, job, 1, RIGHT, T0 + 11_000);
  await pool.work(worker1, job, 2, RIGHT, T0 + 11_000);
  await pool.reveal(dave, job, RIGHT, T0 + 15_000);
  return { job, ...contest };
}

describe("exposure: a revealed output cannot be copied for profit", () => {
  it("an early reveal is refused yet exposes the job: its author and every later committer count for the verdict and earn nothing", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ reward: 30 }, T0 + 10_000);
    await pool.work(carol, job, 0, RIGHT, T0 + 11_000);
    await pool.work(dave, job, 1, RIGHT, T0 + 11_000);
    // carol reveals before replica 2 is committed: refused, but her output is now in the document.
    const early = await pool.reveal(carol, job, RIGHT, T0 + 13_000);
    let { state, rejected } = pool.fold();
    expect(rejected.get(early.id)).toMatchObject({ reason: "conflict", message: expect.stringMatching(/reveals open once all replicas committed/) });
    expect(state.jobs[job]).toMatchObject({ exposed: true, commits: { [carol.did]: { replica: 0, unpaid: true }, [dave.did]: { replica: 1 } } });
    expect(state.jobs[job]!.commits[dave.did]!.unpaid).toBeUndefined();
    // mallory takes replica 2 and commits carol's output without running the task.
    await pool.work(mallory, job, 2, RIGHT, T0 + 14_000);
    await pool.reveal(dave, job, RIGHT, T0 + 16_000);
    for (const who of [carol, mallory]) await pool.reveal(who, job, RIGHT, T0 + 16_001);
    ({ state, rejected } = pool.fold());
    expect([...rejected.keys()]).toEqual([early.id]);
    expect(state.jobs[job]!.commits[mallory.did]!.unpaid).toBe(true);
    // The verdict settles at the second matching reveal (dave's and one of the others'); the third is late.
    expect(state.jobs[job]!.verdict).toMatchObject({ output: hex(RIGHT), workers: expect.arrayContaining([dave.did]) });
    // Only dave, who committed before anything was shown, earns: his share, reputation and C.
    const vestsAt = T0 + 16_001 + SETTINGS.vestingSeconds * 1000;
    expect(state.accounts[dave.did]!.grants).toEqual([{ job, amount: 15, vestsAt }]);
    expect(state.reputation[dave.did]).toMatchObject({ milli: 1000, agreed: 1 });
    expect(state.standing[dave.did]!.streak).toBe(1);
    for (const who of [carol, mallory]) {
      expect(state.accounts[who.did]?.grants ?? []).toEqual([]);
      expect(state.reputation[who.did]?.agreed ?? 0).toBe(0);
      expect(state.standing[who.did]?.streak ?? 0).toBe(0);
    }
    // The unpaid share goes back to bob: 30 + tax 3 - 15.
    expect(state.accounts[bob.did]!.spent).toBe(18);
  });

  it("an accepted reveal near the deadline exposes too: a commit after it counts and earns nothing", async () => {
    const pool = await jobPool();
    const deadline = T0 + 10_000 + 3_600_000;
    const job = await pool.submit({ reward: 30, deadline }, T0 + 10_000);
    await pool.work(carol, job, 0, RIGHT, T0 + 11_000);
    const opensAt = deadline - LEASE_MS;
    await pool.reveal(carol, job, RIGHT, opensAt);
    await pool.work(dave, job, 1, RIGHT, opensAt + 1_000);
    await pool.reveal(dave, job, RIGHT, opensAt + 3_000);
    const { state, rejected } = pool.fold();
    expect([...rejected]).toEqual([]);
    expect(state.jobs[job]).toMatchObject({ status: "done", verdict: { workers: [carol.did, dave.did].sort() } });
    expect(state.jobs[job]!.commits[carol.did]!.unpaid).toBeUndefined();
    expect(state.accounts[carol.did]!.grants.map((g) => g.amount)).toEqual([15]);
    expect(state.accounts[dave.did]?.grants ?? []).toEqual([]);
    expect(state.accounts[bob.did]!.spent).toBe(33 - 15);
  });

  it("honest sync race, a contest: a displaced holder's refused commit proves its output, so a reveal counting it is accepted and the holder's later commit of the same result earns", async () => {
    const pool = await jobPool();
    // dave saw three commits (the winner's claim had not reached him) and reveals.
    const { job, holder, winner } = await revealAfterContest(pool);
    let { state, rejected } = pool.fold();
    expect(rejected.size).toBe(1);
    expect(state.jobs[job]).toMatchObject({ opened: true, exposed: true, displaced: { [holder.did]: { replica: 0, commitment: expect.any(String) } } });
    expect(state.jobs[job]!.reveals[dave.did]).toBe(hex(RIGHT));
    // The winner lets its lease run out; the holder takes the replica again and commits the same result.
    await pool.work(holder, job, 0, RIGHT, T0 + 13_000 + LEASE_MS + 1_000);
    await pool.reveal(worker1, job, RIGHT, T0 + 15_000 + LEASE_MS);
    await pool.reveal(holder, job, RIGHT, T0 + 16_000 + LEASE_MS);
    ({ state, rejected } = pool.fold());
    expect(rejected.size).toBe(1);
    expect(state.jobs[job]!.verdict?.workers).toEqual([dave.did, worker1.did].sort());
    for (const who of [dave, worker1]) expect(state.accounts[who.did]!.grants.map((g) => g.amount)).toEqual([15]);
    // The holder's reveal came after the verdict (the reward was split): its proven commit earns the
    // reputation and C of an agreeing late reveal.
    expect(state.jobs[job]!.commits[holder.did]!.unpaid).toBeUndefined();
    expect(state.reputation[holder.did]).toMatchObject({ agreed: 1 });
    expect(state.accounts[winner.did]?.grants ?? []).toEqual([]);
  });

  it("a contest race where the winner commits after the reveal: the winner counts and earns nothing (its result may be a copy); the honest revealers earn", async () => {
    const pool = await jobPool();
    const { job, holder, winner } = await revealAfterContest(pool);
    await pool.commit(winner, job, 0, RIGHT, T0 + 16_000);
    await pool.reveal(worker1, job, RIGHT, T0 + 17_000);
    const { state } = pool.fold();
    expect(state.jobs[job]!.commits[winner.did]).toMatchObject({ unpaid: true });
    expect(state.jobs[job]!.verdict?.workers).toEqual([dave.did, worker1.did].sort());
    expect(state.accounts[dave.did]!.grants.map((g) => g.amount)).toEqual([15]);
    expect(state.accounts[holder.did]?.grants ?? []).toEqual([]);
  });

  it("a commit refused as a copy proves nothing: one written after the exposure, or by a worker no contest displaced", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ reward: 30 }, T0 + 10_000);
    await pool.work(dave, job, 1, RIGHT, T0 + 11_000);
    await pool.work(worker1, job, 2, RIGHT, T0 + 11_000);
    // carol never held replica 0: her commit without a lease is refused and opens nothing.
    await pool.commit(carol, job, 0, RIGHT, T0 + 12_500);
    const early = await pool.reveal(dave, job, RIGHT, T0 + 13_000);
    const { holder } = await contestRace(pool, job, T0 + 14_000);
    const { state, rejected } = pool.fold();
    expect(rejected.get(early.id)?.message).toMatch(/reveals open once all replicas committed/);
    expect(state.jobs[job]!.opened).toBeUndefined();
    // The holder displaced after the exposure: its refused commit is not taken as proof.
    expect(state.jobs[job]!.displaced?.[holder.did]?.commitment).toBeUndefined();
  });

  it("honest sync race, a voided commit: reveals opened once every replica committed stay open when one worker leaves; the two agreeing workers settle it and earn", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ reward: 30 }, T0 + 10_000);
    for (const [r, who] of [carol, dave, mallory].entries()) await pool.work(who, job, r, RIGHT, T0 + 11_000);
    // mallory leaves: her commit is voided. carol and dave, who saw three commits, reveal.
    await pool.write(mallory, "member.leave", {}, T0 + 13_000);
    await pool.reveal(carol, job, RIGHT, T0 + 14_000);
    await pool.reveal(dave, job, RIGHT, T0 + 14_001);
    const { state, rejected } = pool.fold();
    expect(rejected.size).toBe(0);
    expect(state.jobs[job]).toMatchObject({ status: "done", verdict: { workers: [carol.did, dave.did].sort() } });
    for (const who of [carol, dave]) expect(state.accounts[who.did]!.grants.map((g) => g.amount)).toEqual([15]);
    expect(state.accounts[bob.did]!.spent).toBe(33);
  });

  it("honest sync race, a commit voided before the last one: it still counts towards opening, so a worker that saw three commits and revealed is not refused", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ reward: 30 }, T0 + 10_000);
    for (const [r, who] of [mallory, dave].entries()) await pool.work(who, job, r, RIGHT, T0 + 11_000);
    // mallory leaves before carol commits; carol, who has not seen the leave yet, sees three commits and reveals.
    await pool.write(mallory, "member.leave", {}, T0 + 12_500);
    await pool.work(carol, job, 2, RIGHT, T0 + 12_000);
    await pool.reveal(carol, job, RIGHT, T0 + 14_000);
    let { state, rejected } = pool.fold();
    expect(rejected.size).toBe(0);
    expect(state.jobs[job]).toMatchObject({ opened: true, exposed: true, displaced: { [mallory.did]: { replica: 0, commitment: expect.any(String) } } });
    expect(state.jobs[job]!.commits[carol.did]!.unpaid).toBeUndefined();
    await pool.reveal(dave, job, RIGHT, T0 + 15_000);
    ({ state, rejected } = pool.fold());
    expect(state.jobs[job]).toMatchObject({ status: "done", verdict: { workers: [carol.did, dave.did].sort() } });
    for (const who of [carol, dave]) expect(state.accounts[who.did]!.grants.map((g) => g.amount)).toEqual([15]);
  });

  it("honest sync race, a holder released before it commits: its refused commit within the lease still counts towards opening, like a displaced holder's", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ reward: 30 }, T0 + 10_000);
    for (const [r, who] of [carol, dave].entries()) await pool.work(who, job, r, RIGHT, T0 + 11_000);
    await pool.claim(mallory, job, 2, T0 + 11_000);
    // mallory leaves (as a suspension would release her) and then commits: refused, her lease is gone.
    await pool.write(mallory, "member.leave", {}, T0 + 12_000);
    const refused = await pool.commit(mallory, job, 2, RIGHT, T0 + 12_500);
    // carol and dave saw three commits and reveal.
    await pool.reveal(carol, job, RIGHT, T0 + 14_000);
    await pool.reveal(dave, job, RIGHT, T0 + 14_001);
    const { state, rejected } = pool.fold();
    expect([...rejected.keys()]).toEqual([refused.id]);
    expect(state.jobs[job]).toMatchObject({ status: "done", opened: true, displaced: { [mallory.did]: { replica: 2, commitment: expect.any(String) } } });
    for (const who of [carol, dave]) expect(state.accounts[who.did]!.grants.map((g) => g.amount)).toEqual([15]);
  });
});
