import { describe, expect, it } from "vitest";
import { bob, carol, dave, mallory } from "../../../fixtures/identities.ts";
import { hex, jobPool, LEASE_MS, RIGHT, SETTINGS, T0 } from "./job-fixture.ts";

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
});
