import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { bytesToHex, sha256, utf8 } from "../../../../src/core/crypto/index.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { foldEntries } from "../../../../src/core/ledger/fold.ts";
import { claimDelayMs, escalation, strikes } from "../../../../src/core/ledger/replication.ts";
import { spotChosen } from "../../../../src/core/ledger/trust.ts";
import { encodeState } from "../../../../src/core/ledger/state.ts";
import type { EntryId } from "../../../../src/core/ledger/types.ts";
import { balanceAt, jobStatusAt } from "../../../../src/core/ledger/verdict.ts";
import { bob, carol, dave, mallory } from "../../../fixtures/identities.ts";
import { extraWorkers, hex, jobPool, LEASE_MS, RIGHT, T0, WRONG } from "./job-fixture.ts";

const authoriser = new UcanAuthoriser();

const id = (n: number) => `bafyrei${bytesToHex(sha256(utf8(String(n)))).slice(0, 52).replace(/[0189]/g, "a")}` as EntryId;

describe("replication rules", () => {
  it("a liar's disagreement costs reputation, earns nothing and delays its next claims by a tenth of a lease", async () => {
    const pool = await jobPool();
    const job = await pool.submit({}, T0 + 10_000);
    await pool.work(carol, job, 0, RIGHT, T0 + 11_000);
    await pool.work(dave, job, 1, RIGHT, T0 + 11_000);
    await pool.work(mallory, job, 2, WRONG, T0 + 11_000);
    for (const [i, who] of [carol, dave, mallory].entries()) await pool.reveal(who, job, who === mallory ? WRONG : RIGHT, T0 + 20_000 + i);
    const next = await pool.submit({}, T0 + 30_000);
    const early = await pool.claim(mallory, next, 0, T0 + 30_000 + LEASE_MS / 10 - 1);
    const onTime = await pool.claim(mallory, next, 1, T0 + 30_000 + LEASE_MS / 10);
    const { state, rejected } = pool.fold();
    expect(state.jobs[job]!.verdict!.workers).toEqual([carol.did, dave.did].sort());
    expect(state.reputation[mallory.did]).toMatchObject({ milli: 0, disagreed: 1 });
    expect(state.accounts[mallory.did]).toBeUndefined();
    expect(balanceAt(state.accounts[carol.did]!, T0).vesting).toBe(15);
    expect(rejected.get(early.id)?.message).toMatch(/claim priority/);
    expect(rejected.has(onTime.id)).toBe(false);
  });

  it("adds two replicas each time every reveal is in without a strict majority, then fails and refunds the submitter", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ replicas: 3, reward: 30 }, T0 + 10_000);
    const workers = [carol, dave, mallory, bob, ...extraWorkers];
    const output = (i: number) => sha256(utf8(`output ${i}`));
    const round = async (from: number, to: number, time: number) => {
      for (let i = from; i < to; i++) await pool.work(workers[i]!, job, i, output(i), time);
      for (let i = from; i < to; i++) await pool.reveal(workers[i]!, job, output(i), time + 5_000 + i);
    };
    await round(0, 3, T0 + 11_000);
    expect(pool.fold().state.jobs[job]).toMatchObject({ status: "open", replicas: 5, escalations: 1 });
    expect(jobStatusAt(pool.fold().state.jobs[job]!, T0 + 20_000)).toBe("running");
    await round(3, 5, T0 + 30_000);
    expect(pool.fold().state.jobs[job]).toMatchObject({ status: "open", replicas: 7, escalations: 2 });
    await round(5, 7, T0 + 50_000);
    const { state } = pool.fold();
    expect(state.jobs[job]).toMatchObject({ status: "failed", failure: "no-majority", claims: {} });
    expect(jobStatusAt(state.jobs[job]!, T0 + 60_000)).toBe("failed");
    // The reward comes back; the 10% verification tax stays in the fund.
    expect(state.accounts[bob.did]!.spent).toBe(3);
    expect(state.fund).toBe(3);
    expect(Object.values(state.reputation).every((r) => r.disagreed === 0 && r.agreed === 0)).toBe(true);
    const late = await pool.claim(carol, job, 0, T0 + 70_000);
    expect(pool.fold().rejected.get(late.id)?.message).toMatch(/failed \(no-majority\)/);
  });

  it("escalation stops at the last round or at fifteen replicas", () => {
    expect(escalation({ replicas: 3, escalations: undefined })).toEqual({ kind: "escalated", replicas: 5 });
    expect(escalation({ replicas: 7, escalations: 2 })).toEqual({ kind: "failed" });
    expect(escalation({ replicas: 15, escalations: 0 })).toEqual({ kind: "failed" });
  });

  it("opens a hidden second replica when the first checkpoint after the commit draws the job; the lone reveal waits for it", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ replicas: 1, reward: 10, spot: 1000 }, T0 + 10_000);
    await pool.claim(carol, job, 0, T0 + 11_000);
    await pool.commit(carol, job, 0, RIGHT, T0 + 12_000);
    const tooSoon = await pool.reveal(carol, job, RIGHT, T0 + 13_000);
    let folded = pool.fold();
    expect(folded.state.jobs[job]).toMatchObject({ replicas: 1, seedAfter: T0 + 12_000, status: "open" });
    expect(folded.rejected.get(tooSoon.id)?.message).toMatch(/waits for the first checkpoint/);
    await pool.checkpoint(T0 + 13_500, T0 + 13_600);
    folded = pool.fold();
    expect(folded.state.jobs[job]).toMatchObject({ replicas: 2, spotChecked: true, seeded: true, status: "open" });
    await pool.work(dave, job, 1, RIGHT, T0 + 14_000);
    await pool.reveal(carol, job, RIGHT, T0 + 16_000);
    await pool.reveal(dave, job, RIGHT, T0 + 16_001);
    folded = pool.fold();
    expect(folded.state.jobs[job]!.verdict!.workers).toEqual([carol.did, dave.did].sort());
  });

  it("draws spot checks at about the configured rate and never for permille 0", () => {
    const job = id(1);
    const chosen = Array.from({ length: 2000 }, (_, i) => spotChosen(job, id(i + 2), 100)).filter(Boolean).length;
    expect(chosen).toBeGreaterThan(140);
    expect(chosen).toBeLessThan(260);
    expect(Array.from({ length: 200 }, (_, i) => spotChosen(job, id(i), 0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 200 }, (_, i) => spotChosen(job, id(i), 1000)).every(Boolean)).toBe(true);
  });

  it("claim delay: zero in good standing, a tenth of a lease per net strike, at most one lease", () => {
    const rep = (agreed: number, disagreed: number) => ({ milli: 0, epoch: 0, agreed, disagreed });
    expect(claimDelayMs(undefined, 300_000)).toBe(0);
    expect(claimDelayMs(rep(5, 1), 300_000)).toBe(30_000);
    expect(claimDelayMs(rep(40, 3), 300_000)).toBe(30_000);
    expect(strikes(rep(0, 50))).toBe(10);
    expect(claimDelayMs(rep(0, 50), 300_000)).toBe(300_000);
  });

  it("gives byte-identical state for any order of a story with spot checks, escalation and claim delays", async () => {
    const pool = await jobPool();
    const spotJob = await pool.submit({ replicas: 1, reward: 20, spot: 1000 }, T0 + 10_000);
    await pool.work(carol, spotJob, 0, RIGHT, T0 + 11_000);
    await pool.checkpoint(T0 + 12_100, T0 + 12_200);
    await pool.work(mallory, spotJob, 1, WRONG, T0 + 12_500);
    await pool.reveal(carol, spotJob, RIGHT, T0 + 14_000);
    await pool.reveal(mallory, spotJob, WRONG, T0 + 14_000);
    await pool.work(dave, spotJob, 2, RIGHT, T0 + 15_000);
    await pool.reveal(dave, spotJob, RIGHT, T0 + 17_000);
    await pool.work(bob, spotJob, 3, RIGHT, T0 + 15_000);
    await pool.reveal(bob, spotJob, RIGHT, T0 + 17_500);
    const later = await pool.submit({}, T0 + 20_000);
    await pool.claim(mallory, later, 0, T0 + 20_001);
    const expected = pool.fold();
    expect(expected.state.jobs[spotJob]!.verdict!.workers).toEqual([bob.did, carol.did, dave.did].sort());
    expect(expected.state.reputation[mallory.did]!.disagreed).toBe(1);
    const bytes = hex(encodeState(expected.state));
    fc.assert(
      fc.property(fc.shuffledSubarray([...pool.entries], { minLength: pool.entries.length }), (order) => {
        expect(hex(encodeState(foldEntries(order, authoriser).state))).toBe(bytes);
      }),
      { numRuns: 100 },
    );
  });
});
