import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { draftCheckpoint } from "../../../../src/core/ledger/checkpoints.ts";
import { foldEntries } from "../../../../src/core/ledger/fold.ts";
import { DEFAULT_PARAMS } from "../../../../src/core/ledger/params.ts";
import { quotaOf } from "../../../../src/core/ledger/standing.ts";
import { summarise } from "../../../../src/core/ledger/summary.ts";
import { encodeState } from "../../../../src/core/ledger/state.ts";
import { claimHash, spotChosen } from "../../../../src/core/ledger/trust.ts";
import type { EntryId, SignedEntry } from "../../../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { EntryWriter } from "../../../../src/core/ledger/writer.ts";
import { decayReputation, EPOCH_MS } from "../../../../src/core/ledger/verdict.ts";
import { alice, bob, carol, dave, mallory, type TestIdentity } from "../../../fixtures/identities.ts";
import { auditor, extraWorkers, hex, jobPool, LEASE_MS, RIGHT, SETTINGS, T0, WRONG, type JobPool } from "./job-fixture.ts";

const authoriser = new UcanAuthoriser();
const [worker1] = extraWorkers as [TestIdentity];

/** Ten replicated jobs that carol, dave and mallory all get right: each reaches C = 10 (trusted). */
async function trustedPool(options: { auditor?: boolean } = {}): Promise<JobPool> {
  const pool = await jobPool(SETTINGS, options);
  for (let i = 0; i < 10; i++) {
    const t = T0 + 100_000 + i * 10_000;
    const job = await pool.submit({}, t);
    for (const [r, who] of [carol, dave, mallory].entries()) await pool.work(who, job, r, RIGHT, t + 1_000);
    for (const who of [carol, dave, mallory]) await pool.reveal(who, job, RIGHT, t + 5_000);
  }
  return pool;
}

/** Adaptive jobs until one goes to `who` alone (the draw is a hash of job and claim; C = 10 gives 90%). */
async function aloneJob(pool: JobPool, who: TestIdentity, time: number): Promise<EntryId> {
  for (let i = 0; i < 8; i++) {
    const job = await pool.submit({ adaptive: 1 }, time + i * 10);
    await pool.claim(who, job, 0, time + i * 10 + 1);
    if (pool.fold().state.jobs[job]!.single === who.did) return job;
  }
  throw new Error("no single run drawn in 8 jobs");
}

/** Candidate root checkpoints covering `through`, by write time; the draw each gives `job`. */
async function checkpointCandidates(pool: JobPool, job: EntryId, through: number, time: number, count = 24): Promise<Array<{ entry: SignedEntry; chosen: boolean }>> {
  const body = draftCheckpoint(pool.entries, through, authoriser).body;
  const permille = pool.fold().state.jobs[job]!.spot!;
  const candidates = [];
  for (let i = 0; i < count; i++) {
    const entry = await pool.writers.get(alice.did)!.write("checkpoint", body, time + i);
    candidates.push({ entry, chosen: spotChosen(job, entry.id, permille) });
  }
  return candidates;
}

/** Publishes the first candidate checkpoint whose draw for `job` is `chosen` (the test needs a given branch). */
async function checkpointDrawing(pool: JobPool, job: EntryId, chosen: boolean, through: number, time: number): Promise<void> {
  const found = (await checkpointCandidates(pool, job, through, time)).find((c) => c.chosen === chosen);
  if (!found) throw new Error(`no checkpoint drew ${chosen} in 24 tries`);
  pool.entries.push(found.entry);
}

describe("incentives: reputation", () => {
  it("decays lazily by floor(R * 97^d / 100^d): hand-computed for d = 1, 7, 365", () => {
    expect(decayReputation(1_000_000, 1)).toBe(970_000);
    expect(decayReputation(1_000_000, 7)).toBe(807_982); // 0.97^7 = 0.8079828...
    expect(decayReputation(1_000_000, 365)).toBe(14); // 0.97^365 = 1.486e-5
    expect(decayReputation(12_345, 1)).toBe(11_974); // 11974.65
  });

  it("applies decay in the fold before each gain: 1000, seven epochs later 807 + 1000", async () => {
    const pool = await jobPool();
    for (const t of [T0 + 10_000, T0 + 7 * EPOCH_MS + 10_000]) {
      const job = await pool.submit({}, t);
      for (const [r, who] of [carol, dave, mallory].entries()) await pool.work(who, job, r, RIGHT, t + 1_000);
      for (const who of [carol, dave, mallory]) await pool.reveal(who, job, RIGHT, t + 5_000);
    }
    expect(pool.fold().state.reputation[carol.did]).toMatchObject({ milli: 1_807, agreed: 2 });
    expect(pool.fold().state.standing[carol.did]!.streak).toBe(2);
  });
});

describe("incentives: penalties the fold derives", () => {
  it("a lease that ran out without a commit lowers the quota only: no strike, no reputation change", async () => {
    const pool = await jobPool();
    const job = await pool.submit({}, T0 + 10_000);
    await pool.claim(mallory, job, 0, T0 + 11_000);
    const retake = await pool.claim(carol, job, 0, T0 + 11_000 + LEASE_MS + 1);
    const { state, rejected } = pool.fold();
    expect(rejected.has(retake.id)).toBe(false);
    expect(state.standing[mallory.did]).toMatchObject({ strikes: [], expired: 1, streak: 0 });
    expect(state.reputation[mallory.did]).toBeUndefined();
    expect(quotaOf(state, state.standing[mallory.did]!, T0 + 11_000 + LEASE_MS + 1)).toBe(7);
  });

  it("a commit never revealed is a minor strike, given when a checkpoint forgets the job", async () => {
    const pool = await jobPool();
    const job = await pool.submit({}, T0 + 10_000);
    for (const [r, who] of [carol, dave, mallory].entries()) await pool.work(who, job, r, RIGHT, T0 + 11_000);
    for (const who of [carol, dave]) await pool.reveal(who, job, RIGHT, T0 + 15_000);
    const deadline = T0 + 10_000 + 3_600_000;
    expect(pool.fold().state.standing[mallory.did]!.strikes).toEqual([]);
    const late = deadline + SETTINGS.vestingSeconds * 1000 + 1;
    await pool.checkpoint(late, late + 1);
    const { state, rejected } = pool.fold();
    expect([...rejected]).toEqual([]);
    expect(state.jobs[job]).toBeUndefined();
    expect(state.standing[mallory.did]!.strikes).toEqual([{ time: deadline, reason: "unrevealed", severe: false, job }]);
    expect(state.standing[carol.did]!.strikes).toEqual([]);
  });

  it("a checkpoint forgets a job whose deadline is earlier than any an earlier checkpoint saw", async () => {
    const pool = await jobPool();
    const long = await pool.submit({ deadline: T0 + 10_000 + 7_200_000 }, T0 + 10_000);
    // This checkpoint finds nothing to forget and remembers the earliest deadline, the long job's.
    await pool.checkpoint(T0 + 20_000, T0 + 20_001);
    const short = await pool.submit({ deadline: T0 + 30_000 + 60_000 }, T0 + 30_000);
    const late = T0 + 30_000 + 60_000 + SETTINGS.vestingSeconds * 1000 + 1;
    await pool.checkpoint(late, late + 1);
    const { state, rejected } = pool.fold();
    expect([...rejected]).toEqual([]);
    expect(state.jobs[short]).toBeUndefined();
    expect(state.jobs[long]).toMatchObject({ status: "failed" });
  });

  it("two colluders against one honest worker on k = 3: the audit overturns, both are severe, the honest one gets the bounty", async () => {
    const pool = await jobPool(SETTINGS, { auditor: true });
    const job = await pool.submit({ reward: 30 }, T0 + 10_000);
    await pool.work(carol, job, 0, RIGHT, T0 + 11_000);
    await pool.work(mallory, job, 1, WRONG, T0 + 11_000);
    await pool.work(worker1, job, 2, WRONG, T0 + 11_000);
    // The colluders reveal first and settle the job; carol's later reveal contests it.
    await pool.reveal(mallory, job, WRONG, T0 + 14_000);
    await pool.reveal(worker1, job, WRONG, T0 + 14_001);
    await pool.reveal(carol, job, RIGHT, T0 + 15_000);
    let state = pool.fold().state;
    expect(state.jobs[job]).toMatchObject({ status: "done", audit: { status: "pending" }, verdict: { output: hex(WRONG) } });
    expect(state.standing[carol.did]!.strikes).toEqual([]);
    await pool.write(auditor, "audit.result", { job, output: RIGHT }, T0 + 20_000);
    state = pool.fold().state;
    expect(state.jobs[job]!.verdict).toMatchObject({ output: hex(RIGHT), workers: [carol.did] });
    for (const who of [mallory, worker1]) {
      expect(state.standing[who.did]).toMatchObject({ suspended: { time: T0 + 20_000, reason: "colluded" }, streak: 0 });
      expect(state.reputation[who.did]!.milli).toBe(0);
      expect(state.accounts[who.did]!.grants).toEqual([]);
    }
    // carol: her share (30) and a bounty of one reward (30), from the fund; the auditor: one share (30 / 3).
    expect(state.accounts[carol.did]!.grants).toEqual([{ job, amount: 60, vestsAt: T0 + 20_000 + SETTINGS.vestingSeconds * 1000 }]);
    expect(state.accounts[auditor.did]!.grants[0]!.amount).toBe(10);
    // fund: tax 3 + forfeited 2 x 15 - 60 - 10.
    expect(state.fund).toBe(3 + 30 - 60 - 10);
    const suspended = await pool.claim(mallory, await pool.submit({}, T0 + 30_000), 0, T0 + 30_001);
    expect(pool.fold().rejected.get(suspended.id)?.message).toMatch(/suspended \(colluded\)/);
    // What `ledger show` and the app display: tier, C, stake and strikes with their reason, the fund.
    const summary = summarise({ state: pool.fold().state, invalid: [], evidence: [], deferred: 0, skipped: 0 }, T0 + 40_000);
    expect(summary.workers.find((w) => w.did === mallory.did)).toMatchObject({ tier: "suspended", streak: 0, strikes: [{ reason: "colluded", severe: true, job }] });
    expect(summary.workers.find((w) => w.did === carol.did)).toMatchObject({ tier: "building", streak: 1, strikes: [] });
    expect(summary.fund).toBe(3 + 30 - 60 - 10 + 3);
  });

  it("self-tuning tightens the next epoch after a contested epoch: q_min doubles, trust rises, k = 5", async () => {
    const pool = await jobPool(SETTINGS, { auditor: true });
    const job = await pool.submit({}, T0 + 10_000);
    for (const [r, who] of [carol, dave, mallory].entries()) await pool.work(who, job, r, who === mallory ? WRONG : RIGHT, T0 + 11_000);
    for (const who of [carol, dave, mallory]) await pool.reveal(who, job, who === mallory ? WRONG : RIGHT, T0 + 15_000);
    await pool.write(auditor, "audit.result", { job, output: RIGHT }, T0 + 20_000);
    expect(pool.fold().state.params).toMatchObject({ qMinPermille: 50, trust: 10, majority: 3, tally: { strikes: 1, checks: 1, contested: 1, replicated: 1 } });
    const next = await pool.submit({ adaptive: 1 }, T0 + EPOCH_MS + 1);
    const { state } = pool.fold();
    expect(state.params).toMatchObject({ qMinPermille: 100, trust: 20, majority: 5, tally: { strikes: 0, checks: 0, contested: 0, replicated: 0 } });
    expect(state.jobs[next]!.replicas).toBe(5);
  });

  it("equivocation is a severe strike: two entries with one sequence suspend the author and forfeit its credits, in any order", async () => {
    const pool = await jobPool();
    const job = await pool.submit({}, T0 + 10_000);
    for (const [r, who] of [carol, dave, mallory].entries()) await pool.work(who, job, r, RIGHT, T0 + 11_000);
    for (const [i, who] of [mallory, carol, dave].entries()) await pool.reveal(who, job, RIGHT, T0 + 15_000 + i);
    expect(pool.fold().state.accounts[mallory.did]!.grants).toHaveLength(1);
    const next = await pool.submit({}, T0 + 20_000);
    const claim = await pool.claim(mallory, next, 0, T0 + 21_000);
    const own = pool.writers.get(mallory.did)!;
    const fork = await new EntryWriter(mallory, own.pool, claim.entry.seq - 1, own.proof).write("job.claim", { job: next, replica: 1 }, T0 + 22_000);
    const later = await pool.claim(mallory, await pool.submit({}, T0 + 30_000), 0, T0 + 30_001);
    const { state, rejected, evidence } = foldEntries([...pool.entries, fork], authoriser);
    expect(evidence).toEqual([{ author: mallory.did, seq: claim.entry.seq, ids: [claim.id, fork.id].sort() }]);
    expect(state.standing[mallory.did]).toMatchObject({ suspended: { time: T0 + 22_000, reason: "equivocation" }, streak: 0, strikes: [{ time: T0 + 22_000, reason: "equivocation", severe: true }] });
    expect(state.reputation[mallory.did]!.milli).toBe(0);
    expect(state.accounts[mallory.did]!.grants).toEqual([]);
    expect(state.fund).toBe(3 + 3 + 3 + 15); // three taxes and mallory's forfeited share (half the reward: the verdict settled at two reveals)
    expect(rejected.get(later.id)?.message).toMatch(/suspended \(equivocation\)/);
    const encoded = encodeState(state);
    fc.assert(
      fc.property(fc.shuffledSubarray([...pool.entries, fork], { minLength: pool.entries.length + 1 }), (shuffled) => {
        expect(encodeState(foldEntries([...shuffled, fork, claim], authoriser).state)).toEqual(encoded);
      }),
      { numRuns: 15 },
    );
  });

  it("a worker suspended with a commit it never revealed releases it: the replica is free again and the job settles before its deadline", async () => {
    const pool = await jobPool();
    const open = await pool.submit({}, T0 + 10_000);
    await pool.work(carol, open, 0, RIGHT, T0 + 11_000);
    await pool.work(mallory, open, 1, RIGHT, T0 + 11_000);
    await pool.claim(mallory, await pool.submit({}, T0 + 10_500), 0, T0 + 12_000);
    // Two lone wrong outputs within 7 epochs: minor, then severe (repeated).
    // (After the first, mallory's claims wait 30 s after a job's submission: claim priority.)
    for (let i = 0; i < 2; i++) {
      const t = T0 + 20_000 + i * 60_000;
      const job = await pool.submit({}, t);
      await pool.work(carol, job, 0, RIGHT, t + 1_000);
      await pool.work(dave, job, 1, RIGHT, t + 1_000);
      await pool.work(mallory, job, 2, WRONG, t + 31_000);
      for (const who of [carol, dave, mallory]) await pool.reveal(who, job, who === mallory ? WRONG : RIGHT, t + 35_000);
    }
    let state = pool.fold().state;
    expect(state.standing[mallory.did]!.suspended).toMatchObject({ reason: "repeated" });
    expect(Object.keys(state.jobs[open]!.commits)).toEqual([carol.did]);
    expect(state.standing[mallory.did]!.leases).toEqual({});
    expect(Object.values(state.jobs).flatMap((job) => Object.values(job.claims)).filter((c) => c.worker === mallory.did)).toEqual([]);
    // Replica 1 goes to dave, long before mallory's lease or the deadline would have freed it.
    await pool.work(dave, open, 1, RIGHT, T0 + 120_000);
    await pool.work(worker1, open, 2, RIGHT, T0 + 120_000);
    const late = await pool.reveal(mallory, open, RIGHT, T0 + 122_000);
    for (const who of [carol, dave]) await pool.reveal(who, open, RIGHT, T0 + 122_000);
    const folded = pool.fold();
    state = folded.state;
    expect(state.jobs[open]).toMatchObject({ status: "done", verdict: { workers: [carol.did, dave.did].sort() } });
    expect(folded.rejected.get(late.id)?.message).toMatch(/committed no result/);
  });

  it("leaving forfeits unvested credits to the fund and stops the member's claims; any member may leave", async () => {
    const pool = await jobPool(SETTINGS, { auditor: true });
    const auditorLeaves = await pool.write(auditor, "member.leave", {}, T0 + 9_000);
    const job = await pool.submit({}, T0 + 10_000);
    for (const [r, who] of [carol, dave, mallory].entries()) await pool.work(who, job, r, RIGHT, T0 + 11_000);
    for (const [i, who] of [carol, dave, mallory].entries()) await pool.reveal(who, job, RIGHT, T0 + 15_000 + i);
    await pool.write(carol, "member.leave", {}, T0 + 20_000);
    const after = await pool.claim(carol, await pool.submit({}, T0 + 30_000), 0, T0 + 30_001);
    const { state, rejected } = pool.fold();
    expect(state.accounts[carol.did]!.grants).toEqual([]);
    expect(state.fund).toBe(3 + 3 + 15); // two taxes and carol's share
    expect(state.standing[carol.did]!.suspended).toEqual({ time: T0 + 20_000, reason: "left" });
    expect(rejected.get(after.id)?.message).toMatch(/suspended \(left\)/);
    expect(rejected.has(auditorLeaves.id)).toBe(false);
    expect(state.standing[auditor.did]!.suspended).toEqual({ time: T0 + 9_000, reason: "left" });
  });
});

describe("incentives: adaptive replication and hidden spot checks", () => {
  it("a worker cannot learn its spot decision before committing: the draw comes from the first checkpoint after the commit", async () => {
    const pool = await trustedPool();
    const job = await aloneJob(pool, mallory, T0 + 300_000);
    await pool.commit(mallory, job, 0, RIGHT, T0 + 301_000);
    const early = await pool.reveal(mallory, job, RIGHT, T0 + 301_200);
    const folded = pool.fold();
    expect(folded.state.jobs[job]).toMatchObject({ replicas: 1, seedAfter: T0 + 301_000, spot: 316 }); // q(10) = floor(sqrt(10^6 / 10))
    expect(folded.state.jobs[job]!.seeded).toBeUndefined();
    expect(folded.rejected.get(early.id)?.message).toMatch(/waits for the first checkpoint/);
    // The same commit is checked under one checkpoint and not under another: only the root's signed
    // checkpoint, written after the commit, settles it.
    const candidates = await checkpointCandidates(pool, job, T0 + 301_500, T0 + 301_600);
    const outcomes = new Set(candidates.map((c) => c.chosen));
    expect(outcomes).toEqual(new Set([true, false]));
    for (const { entry, chosen } of candidates.slice(0, 4)) {
      const state = foldEntries([...pool.entries, entry], authoriser).state;
      expect(state.jobs[job]).toMatchObject({ replicas: chosen ? 2 : 1, seeded: true });
    }
  });

  it("catches a liar running alone with a spot check: strike, earlier single runs revoked and re-run at k = 3, the submitter refunded", async () => {
    const pool = await trustedPool();
    const honest = await aloneJob(pool, mallory, T0 + 300_000);
    await pool.commit(mallory, honest, 0, RIGHT, T0 + 301_000);
    await checkpointDrawing(pool, honest, false, T0 + 301_500, T0 + 301_600);
    await pool.reveal(mallory, honest, RIGHT, T0 + 302_000);
    let state = pool.fold().state;
    expect(state.jobs[honest]!.verdict).toMatchObject({ workers: [mallory.did], single: true });
    expect(state.accounts[mallory.did]!.grants.find((g) => g.job === honest)).toMatchObject({ amount: 30, single: true });
    const spentBefore = state.accounts[bob.did]!.spent;
    const submitsBefore = pool.entries.filter((s) => s.entry.kind === "job.submit").length;

    const lie = await aloneJob(pool, mallory, T0 + 400_000);
    await pool.commit(mallory, lie, 0, WRONG, T0 + 401_000);
    await checkpointDrawing(pool, lie, true, T0 + 401_500, T0 + 401_600);
    await pool.work(dave, lie, 1, RIGHT, T0 + 402_000);
    await pool.reveal(mallory, lie, WRONG, T0 + 404_000);
    await pool.reveal(dave, lie, RIGHT, T0 + 404_001);
    // No auditor in this pool: one against one escalates to four replicas.
    await pool.work(carol, lie, 2, RIGHT, T0 + 405_000);
    await pool.work(worker1, lie, 3, RIGHT, T0 + 405_000);
    await pool.reveal(carol, lie, RIGHT, T0 + 408_000);
    await pool.reveal(worker1, lie, RIGHT, T0 + 408_001);
    state = pool.fold().state;
    expect(state.jobs[lie]!.verdict).toMatchObject({ output: hex(RIGHT), workers: [carol.did, dave.did, worker1.did].sort() });
    expect(state.standing[mallory.did]).toMatchObject({ streak: 0, strikes: [{ time: T0 + 408_001, reason: "wrong-output", severe: false, job: lie }] });
    expect(state.accounts[mallory.did]!.grants.some((g) => g.job === honest)).toBe(false);
    expect(state.jobs[honest]).toMatchObject({ status: "open", replicas: 3, funded: true, excluded: [mallory.did], claims: {}, commits: {} });
    expect(state.jobs[honest]!.verdict).toBeUndefined();
    // Each submission since cost 30 + 3 tax and the revoked job's reward came back; carol and
    // worker1 committed to the escalated replicas after the first reveals were public, so their two
    // shares (10 each) came back too: only dave earns a share. carol, trusted, is paid one extra
    // share by the fund for her escalated replica; worker1 (not trusted) earns nothing.
    const submits = pool.entries.filter((s) => s.entry.kind === "job.submit").length - submitsBefore;
    expect(state.accounts[bob.did]!.spent).toBe(spentBefore + submits * 33 - 30 - 20);
    expect(state.accounts[dave.did]!.grants.filter((g) => g.job === lie).map((g) => g.amount)).toEqual([10]);
    expect(state.jobs[lie]!.commits[carol.did]).toMatchObject({ unpaid: true, escalated: true });
    expect(state.accounts[carol.did]!.grants.filter((g) => g.job === lie).map((g) => g.amount)).toEqual([10]);
    expect(state.accounts[worker1.did]?.grants.filter((g) => g.job === lie) ?? []).toEqual([]);
    expect(state.reputation[carol.did]!.agreed).toBe(10);

    // The re-run at k = 3 is paid by the fund; mallory may not take the job again.
    const fundBefore = state.fund;
    const again = await pool.claim(mallory, honest, 0, T0 + 410_000);
    for (const [r, who] of [carol, dave, worker1].entries()) await pool.work(who, honest, r, RIGHT, T0 + 411_000);
    for (const [i, who] of [carol, dave, worker1].entries()) await pool.reveal(who, honest, RIGHT, T0 + 415_000 + i);
    const final = pool.fold();
    expect(final.rejected.get(again.id)?.message).toMatch(/revoked/);
    expect(final.state.jobs[honest]!.verdict!.workers).toEqual([carol.did, dave.did].sort());
    expect(final.state.fund).toBe(fundBefore - 30);

    const bytes = hex(encodeState(final.state));
    fc.assert(
      fc.property(fc.shuffledSubarray([...pool.entries, ...pool.entries.slice(0, 40)], { minLength: pool.entries.length + 40 }), (order) => {
        expect(hex(encodeState(foldEntries(order, authoriser).state))).toBe(bytes);
      }),
      { numRuns: 15 },
    );
  });

  it("a claim within the contest window displaces the holder when its H * 1000 / P is lower", async () => {
    const pool = await jobPool();
    await pool.write(alice, "stake.grant", { member: carol.did, amount: 10_000 }, T0 + 9_000);
    const job = await pool.submit({}, T0 + 10_000);
    await pool.claim(mallory, job, 0, T0 + 11_000);
    await pool.claim(carol, job, 0, T0 + 15_000);
    // carol's weight: 1000 + 1000 * min(10000 / 1000, 10) = 11000; mallory's 1000.
    const carolWins = claimHash(job, 0, carol.did) * 1000n < claimHash(job, 0, mallory.did) * 11_000n;
    const late = await pool.claim(dave, job, 0, T0 + 22_000);
    const { state, rejected } = pool.fold();
    expect(state.jobs[job]!.claims[0]!.worker).toBe(carolWins ? carol.did : mallory.did);
    expect(rejected.get(late.id)?.message).toMatch(/is leased to/);
  });
});

describe("incentives: stake and parameters", () => {
  it("stake comes from spendable credits, unbonds for the vesting period, and an admin can grant it", async () => {
    const pool = await jobPool();
    const tooMuch = await pool.write(carol, "stake.deposit", { amount: 5 }, T0 + 9_000);
    await pool.write(alice, "stake.grant", { member: carol.did, amount: 100 }, T0 + 9_500);
    await pool.write(carol, "stake.withdraw", { amount: 40 }, T0 + 10_000);
    let folded = pool.fold();
    expect(folded.rejected.get(tooMuch.id)?.message).toMatch(/exceeds the spendable balance 0/);
    expect(folded.state.standing[carol.did]).toMatchObject({ stake: 60, unbonding: [{ amount: 40, releasesAt: T0 + 10_000 + 86_400_000 }] });
    await pool.submit({}, T0 + 10_000 + 86_400_000);
    await pool.write(carol, "stake.deposit", { amount: 30 }, T0 + 10_000 + 86_400_001);
    folded = pool.fold();
    expect([...folded.rejected.keys()]).toEqual([tooMuch.id]);
    expect(folded.state.standing[carol.did]).toMatchObject({ stake: 90, unbonding: [] });
    expect(folded.state.accounts[carol.did]).toMatchObject({ vested: 40, spent: 30 });
  });

  it("pool.params apply from the next epoch once the pool has jobs, at once before its first job", async () => {
    const pool = await jobPool();
    const params = { taxPermille: 200, trust: 5, maxSingle: 10, qMinPermille: 80, majority: 5, stakeRef: 500, reputationRef: 5_000, contestMs: 5_000, quota: 4, sanctions: 1 };
    await pool.write(alice, "pool.params", { params: { ...params, taxPermille: 150 } }, T0 + 9_000);
    await pool.submit({ reward: 100 }, T0 + 9_500);
    await pool.write(alice, "pool.params", { params }, T0 + 10_000);
    await pool.submit({ reward: 100 }, T0 + 20_000);
    expect(pool.fold().state.params!.set.taxPermille).toBe(150);
    expect(pool.fold().state.fund).toBe(15 + 15);
    await pool.submit({ reward: 100 }, T0 + EPOCH_MS);
    const { state } = pool.fold();
    expect(state.params).toMatchObject({ set: params, trust: 5, majority: 5, qMinPermille: 80 });
    expect(state.fund).toBe(15 + 15 + 20);
  });

  it("sanctions 0 is plain majority voting: colluders lose reputation but are not suspended and keep their credits", async () => {
    const pool = await jobPool();
    await pool.write(alice, "pool.params", { params: { ...DEFAULT_PARAMS, sanctions: 0 } }, T0 + 9_000);
    const job = await pool.submit({ replicas: 5 }, T0 + 10_000);
    const workers = [carol, dave, worker1, mallory, extraWorkers[1]!];
    for (const [r, who] of workers.entries()) await pool.work(who, job, r, r < 3 ? RIGHT : WRONG, T0 + 11_000);
    for (const [r, who] of workers.entries()) await pool.reveal(who, job, r < 3 ? RIGHT : WRONG, T0 + 15_000 + (r < 3 ? 10 + r : r));
    const { state } = pool.fold();
    expect(state.standing[mallory.did]).toMatchObject({ strikes: [{ reason: "colluded", severe: true }], streak: 0 });
    expect(state.standing[mallory.did]!.suspended).toBeUndefined();
    expect(state.reputation[mallory.did]!.milli).toBe(0);
  });
});
