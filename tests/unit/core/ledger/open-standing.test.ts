import { describe, expect, it } from "vitest";
import { seedSigningKey } from "../../../../src/core/crypto/index.ts";
import { didFromPublicKey } from "../../../../src/core/identity/did-key.ts";
import { meritView, PROBATION_RESULTS } from "../../../../src/core/ledger/open-standing.ts";
import { DEFAULT_PARAMS, EPOCH_MS } from "../../../../src/core/ledger/params.ts";
import { summarise } from "../../../../src/core/ledger/summary.ts";
import type { LedgerView } from "../../../../src/core/ledger/ledger.ts";
import type { LedgerState } from "../../../../src/core/ledger/state.ts";
import type { EntryId } from "../../../../src/core/ledger/types.ts";
import { balanceAt } from "../../../../src/core/ledger/verdict.ts";
import { alice, carol, dave, type TestIdentity } from "../../../fixtures/identities.ts";
import { jobPool, RIGHT, SETTINGS, T0, type JobPool } from "./job-fixture.ts";

const stranger = (i: number): TestIdentity => {
  const seed = new Uint8Array(32).fill(0xb0 + i);
  const signingKey = seedSigningKey(seed);
  return { name: `stranger${i}`, did: didFromPublicKey(signingKey.publicKey), signingKey, seed };
};

/** Replicated jobs from `submitter` that `workers` (three) all get right, one every 10 s from `start`. */
async function agreeOn(pool: JobPool, submitter: TestIdentity, workers: readonly TestIdentity[], count: number, start: number): Promise<number> {
  let t = start;
  for (let i = 0; i < count; i++, t += 10_000) {
    const job = await pool.submit({}, t, submitter);
    for (const [r, who] of workers.entries()) await pool.work(who, job, r, RIGHT, t + 1_000);
    // In the order given: the first two reveals reach the verdict and are paid.
    for (const [i, who] of workers.entries()) await pool.reveal(who, job, RIGHT, t + 5_000 + i);
  }
  return t;
}

/** Whether `who` gets any of `tries` adaptive jobs alone (the draw is 1 - 1/C per claim). */
async function runsAloneOnce(pool: JobPool, who: TestIdentity, time: number, tries = 8): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    const job: EntryId = await pool.submit({ adaptive: 1 }, time + i * 10, alice);
    await pool.claim(who, job, 0, time + i * 10 + 1);
    if (pool.fold().state.jobs[job]!.single === who.did) return true;
  }
  return false;
}

const s1 = stranger(1);

const view = (state: LedgerState): LedgerView => ({ state, invalid: [], evidence: [], deferred: 0, skipped: 0 });

describe("open pools: probation", () => {
  it("a stranger in probation never gets single-run work, an invited worker with the same streak does, and probation ends at ten results", async () => {
    const pool = await jobPool(SETTINGS, { strangers: [s1] });
    // Trust after 3 results, so the streak alone would make the stranger trusted long before ten.
    await pool.write(alice, "pool.params", { params: { ...DEFAULT_PARAMS, trust: 3 } }, T0 + 50_000);
    let t = await agreeOn(pool, alice, [carol, dave, s1], 5, T0 + 100_000);
    const before = pool.fold().state;
    expect(before.standing[s1.did]!.streak).toBe(5);
    expect(summarise(view(before), t).workers.find((w) => w.did === s1.did)!.tier).toBe("probation");
    expect(await runsAloneOnce(pool, s1, t)).toBe(false);
    expect(await runsAloneOnce(pool, carol, t + 1_000)).toBe(true);

    // The next epoch: the claims above left leases to lapse, which cut this epoch's claim quota.
    t = await agreeOn(pool, alice, [carol, dave, s1], PROBATION_RESULTS - 5, t + EPOCH_MS);
    expect(pool.fold().state.reputation[s1.did]!.agreed).toBe(PROBATION_RESULTS);
    expect(await runsAloneOnce(pool, s1, t + 10_000)).toBe(true);
    expect(pool.fold().rejected.size).toBe(0);
  });
});

describe("open pools: MeritRank work edges", () => {
  it("a stranger whose every result is the late, agreeing third reveal holds the submitter's edges and the full factor when probation ends", async () => {
    const pool = await jobPool(SETTINGS, { strangers: [s1] });
    // carol and dave settle each verdict; s1 commits with them and reveals after: verified, never paid.
    const t = await agreeOn(pool, alice, [carol, dave, s1], PROBATION_RESULTS, T0 + 100_000);
    await pool.submit({}, t + EPOCH_MS, alice);
    const state = pool.fold().state;
    expect(state.reputation[s1.did]!.agreed).toBe(PROBATION_RESULTS);
    expect(state.accounts[s1.did]?.grants ?? []).toEqual([]);
    expect(state.pool!.open!.work![alice.did]![s1.did]).toBe(PROBATION_RESULTS);
    expect(state.pool!.open!.merit!.factors[s1.did]).toBe(1000);
  });
});

describe("open pools: vesting held through probation, then scaled by MeritRank standing", () => {
  it("holds a stranger's credits until probation ends, then vests them in full for honest work the admin paid", async () => {
    const pool = await jobPool({ ...SETTINGS, vestingSeconds: 60 }, { strangers: [s1] });
    // s1 and carol reveal first and are paid 15 each; dave's agreeing reveal comes after the verdict.
    let t = await agreeOn(pool, alice, [s1, carol, dave], 3, T0 + 100_000);
    // Well past vesting: the invited worker's credits vested, the stranger's are held.
    await pool.submit({}, t + 2 * EPOCH_MS, alice);
    let state = pool.fold().state;
    const now = t + 2 * EPOCH_MS;
    expect(balanceAt(state.accounts[carol.did]!, now)).toMatchObject({ spendable: 45, vesting: 0 });
    expect(summarise(view(state), now).balances.find((b) => b.did === s1.did)).toMatchObject({ spendable: 0, vesting: 45 });

    t = await agreeOn(pool, alice, [s1, carol, dave], PROBATION_RESULTS - 3, now + 10_000);
    // The next epoch's MeritRank scores the stranger; its credits vest at its factor.
    await pool.submit({}, t + 2 * EPOCH_MS, alice);
    state = pool.fold().state;
    expect(state.pool!.open!.merit!.factors[s1.did]).toBe(1000);
    expect(summarise(view(state), t + 2 * EPOCH_MS).balances.find((b) => b.did === s1.did)).toMatchObject({ spendable: PROBATION_RESULTS * 15, vesting: 0 });
    expect(summarise(view(state), t + 2 * EPOCH_MS).workers.find((w) => w.did === s1.did)).toMatchObject({ tier: "trusted", rewardFactor: 1000 });
  });

  it("a stranger whose probation ends mid-epoch keeps its credits held until the next snapshot scores it, never vesting at an older factor", async () => {
    const pool = await jobPool({ ...SETTINGS, vestingSeconds: 60 }, { strangers: [s1] });
    // The next epoch's first entry takes a snapshot while s1 has no verified result yet.
    const epoch = Math.floor(T0 / EPOCH_MS) + 1;
    await pool.submit({}, epoch * EPOCH_MS + 1_000, alice);
    expect(pool.fold().state.pool!.open!.merit).toMatchObject({ epoch, factors: {} });
    // s1 ends its probation within that epoch and its grants fall due; it submits (a settlement).
    const t = await agreeOn(pool, alice, [s1, carol, dave], PROBATION_RESULTS, epoch * EPOCH_MS + 10_000);
    await pool.submit({}, t + 120_000, s1);
    let state = pool.fold().state;
    expect(state.reputation[s1.did]!.agreed).toBe(PROBATION_RESULTS);
    expect(state.accounts[s1.did]!.vested).toBe(0);
    const earned = state.accounts[s1.did]!.grants.reduce((sum, g) => sum + g.amount, 0);
    expect(earned).toBe(PROBATION_RESULTS * 15);
    // The next snapshot scores it at the full factor, and everything it earned vests.
    await pool.submit({}, (epoch + 1) * EPOCH_MS + 1_000, s1);
    state = pool.fold().state;
    expect(state.pool!.open!.merit!.factors[s1.did]).toBe(1000);
    expect(state.accounts[s1.did]!.vested).toBe(earned);
  });

  it("a farm of identities paid only by its operator vests at a fraction of the operator's factor; the rest goes to the fund", async () => {
    const operator = stranger(2);
    const farm = [stranger(3), stranger(4), stranger(5)];
    const pool = await jobPool({ ...SETTINGS, vestingSeconds: 60 }, { strangers: [operator, ...farm] });
    // The operator earns honestly from the admin's jobs; the farm only runs the operator's jobs.
    let t = await agreeOn(pool, alice, [operator, carol, dave], PROBATION_RESULTS, T0 + 100_000);
    t = await agreeOn(pool, operator, farm, PROBATION_RESULTS, t + 10_000);
    const before = pool.fold().state;
    const held = (did: string): number[] => before.accounts[did]?.grants.map((g) => g.amount) ?? [];
    await pool.submit({}, t + 2 * EPOCH_MS, alice);
    // Each stranger submits a job: the fold settles its account (vesting is settled lazily).
    for (const [i, member] of [operator, ...farm].entries()) await pool.submit({}, t + 2 * EPOCH_MS + 1 + i, member);
    const state = pool.fold().state;
    const factors = state.pool!.open!.merit!.factors;
    expect(factors[operator.did]).toBe(1000);
    // Connectivity decay: the farm shares a tenth of what flows through its operator.
    const { scores } = meritView(state, state.pool!.open!);
    const farmStanding = farm.reduce((sum, member) => sum + (scores.get(member.did) ?? 0), 0);
    expect(farmStanding * 10).toBeLessThanOrEqual(scores.get(operator.did)!);
    let heldBack = 0;
    for (const member of [operator, ...farm]) {
      const factor = factors[member.did]!;
      if (member !== operator) expect(factor * 3).toBeLessThan(factors[operator.did]!);
      const kept = held(member.did).reduce((sum, amount) => sum + Math.floor((amount * factor) / 1000), 0);
      expect(state.accounts[member.did]?.vested ?? 0).toBe(kept);
      heldBack += held(member.did).reduce((a, b) => a + b, 0) - kept;
    }
    expect(heldBack).toBeGreaterThan(0);
    // The fund took what the factors held back, and the five new jobs' 10% tax.
    expect(state.fund - before.fund).toBe(heldBack + 5 * 3);
  });
});
