import { describe, expect, it } from "vitest";
import type { Did } from "../../../../src/core/identity/did-key.ts";
import { activeRunners, freeReplicas, planClaim, revealOpen, runners } from "../../../../src/core/jobs/replicas.ts";
import { Competitors } from "../../../../src/core/jobs/rendezvous.ts";
import type { EntryId } from "../../../../src/core/ledger/types.ts";
import { alice, bob, carol, dave, mallory } from "../../../fixtures/identities.ts";
import { extraWorkers, jobPool, LEASE_MS, RIGHT, T0, WRONG } from "../ledger/job-fixture.ts";

const STAGGER = 1_000;

describe("a worker's view of replicas", () => {
  it("ranks workers the same way on every node and spreads them over the free replicas", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ replicas: 3 }, T0 + 10_000);
    const { state } = pool.fold();
    const workers = runners(state, T0 + 10_000);
    expect(workers.sort()).toEqual([alice, bob, carol, dave, mallory, ...extraWorkers].map((w) => w.did).sort());
    const competitors = new Competitors(workers);
    const reversed = new Competitors([...workers].reverse());
    const plans = workers.map((did) => planClaim(state, job, did, T0 + 10_000, STAGGER, competitors)!);
    expect(workers.map((did) => planClaim(state, job, did, T0 + 10_000, STAGGER, reversed))).toEqual(plans);
    const first = plans.filter((p) => p.at === T0 + 10_000);
    expect(first.map((p) => p.replica).sort()).toEqual([0, 1, 2]);
    expect(plans.filter((p) => p.at !== T0 + 10_000).every((p) => p.at >= T0 + 10_000 + STAGGER)).toBe(true);
  });

  it("ranks only workers that showed life today (a live claim or a verdict this epoch) and itself, or everyone when nobody did", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ replicas: 3 }, T0 + 10_000);
    await pool.claim(carol, job, 0, T0 + 11_000);
    const { state } = pool.fold();
    expect(activeRunners(state, T0 + 12_000, dave.did).sort()).toEqual([carol.did, dave.did].sort());
    // Nobody else active: every member with job/run counts (a pool's first jobs).
    expect(activeRunners(state, T0 + 11_000 + LEASE_MS + 1, dave.did)).toEqual(runners(state, T0 + 11_000 + LEASE_MS + 1));
  });

  it("plans nothing for a worker that holds a replica, committed, or let its lease run out, and reopens a replica whose lease ran out", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ replicas: 2 }, T0 + 10_000);
    await pool.claim(carol, job, 0, T0 + 11_000);
    await pool.work(dave, job, 1, RIGHT, T0 + 11_000);
    const { state } = pool.fold();
    const during = T0 + 12_000;
    const all = runners(state, during);
    expect(planClaim(state, job, carol.did, during, STAGGER, new Competitors(all))).toBeUndefined();
    expect(planClaim(state, job, dave.did, during, STAGGER, new Competitors(all))).toBeUndefined();
    expect(freeReplicas(state.jobs[job]!, during)).toEqual([]);
    expect(planClaim(state, job, mallory.did, during, STAGGER, new Competitors(all))).toBeUndefined();
    const after = T0 + 11_000 + LEASE_MS + 1;
    expect(freeReplicas(state.jobs[job]!, after)).toEqual([0]);
    const plan = planClaim(state, job, mallory.did, after, STAGGER, new Competitors(all));
    expect(plan?.replica).toBe(0);
    // The worker whose lease ran out does not take the job again (a claimer that never finishes would hold it forever).
    expect(planClaim(state, job, carol.did, after, STAGGER, new Competitors(all))).toBeUndefined();
    expect(plan!.at).toBeGreaterThanOrEqual(T0 + 11_000 + LEASE_MS);
  });

  it("opens reveals when every replica committed or the deadline is within one lease", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ replicas: 2, deadline: T0 + 10_000 + 4 * LEASE_MS }, T0 + 10_000);
    await pool.work(carol, job, 0, RIGHT, T0 + 11_000);
    let state = pool.fold().state.jobs[job]!;
    expect(revealOpen(state, T0 + 13_000, LEASE_MS)).toBe(false);
    expect(revealOpen(state, T0 + 10_000 + 3 * LEASE_MS, LEASE_MS)).toBe(true);
    await pool.work(mallory, job, 1, WRONG, T0 + 11_000);
    state = pool.fold().state.jobs[job]!;
    expect(revealOpen(state, T0 + 13_000, LEASE_MS)).toBe(true);
  });

  it("delays the claims of a worker with strikes by its claim delay", async () => {
    const pool = await jobPool();
    const first = await pool.submit({ replicas: 3 }, T0 + 10_000);
    for (const [i, who] of [carol, dave, mallory].entries()) await pool.work(who, first, i, who === mallory ? WRONG : RIGHT, T0 + 11_000);
    for (const who of [carol, dave, mallory]) await pool.reveal(who, first, who === mallory ? WRONG : RIGHT, T0 + 14_000);
    const next = await pool.submit({ replicas: 1 }, T0 + 20_000);
    const { state } = pool.fold();
    const plan = planClaim(state, next as EntryId, mallory.did as Did, T0 + 20_000, STAGGER, new Competitors(runners(state, T0 + 20_000)))!;
    expect(plan.at).toBeGreaterThanOrEqual(T0 + 20_000 + LEASE_MS / 10);
  });
});
