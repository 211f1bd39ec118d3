import { describe, expect, it } from "vitest";
import type { Did } from "../../../../src/core/identity/did-key.ts";
import { activeRunners, claimSlot, freeReplicas, planClaim, revealOpen, revealsWithCommit, runners, SOLO_WAIT_WAVES, weightedCompetitors, yieldsReveal } from "../../../../src/core/jobs/replicas.ts";
import { Competitors } from "../../../../src/core/jobs/rendezvous.ts";
import { paramsOf } from "../../../../src/core/ledger/params.ts";
import { standingOf } from "../../../../src/core/ledger/standing.ts";
import type { EntryId } from "../../../../src/core/ledger/types.ts";
import { alice, bob, carol, dave, mallory, type TestIdentity } from "../../../fixtures/identities.ts";
import { extraWorkers, hex, jobPool, LEASE_MS, RIGHT, T0, WRONG } from "../ledger/job-fixture.ts";

const STAGGER = 1_000;
const [worker1] = extraWorkers as [TestIdentity];

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

  it("plans nothing for a worker that holds a replica or committed, reopens a replica whose lease ran out, and offers it to the lapsed worker only after everyone else", async () => {
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
    expect(plan!.at).toBeGreaterThanOrEqual(T0 + 11_000 + LEASE_MS);
    // The worker whose lease ran out comes back after every other worker's waves: a claimer that
    // never finishes cannot hold the job, and a replica nobody else can take is not stranded.
    const others = all.filter((did) => did !== carol.did && did !== dave.did).map((did) => planClaim(state, job, did, after, STAGGER, new Competitors(all))!.at);
    const lapsed = planClaim(state, job, carol.did, after, STAGGER, new Competitors(all));
    expect(lapsed?.replica).toBe(0);
    expect(lapsed!.at).toBeGreaterThan(Math.max(...others));
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

  it("opens reveals on a job with a replica uncommitted once a reveal exposed it, and a worker whose commit earns nothing yields its reveal to one that earns", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ replicas: 3 }, T0 + 10_000);
    await pool.work(dave, job, 1, RIGHT, T0 + 11_000);
    await pool.work(carol, job, 2, RIGHT, T0 + 11_000);
    // mallory held replica 0 and committed; she left before dave, who had seen three commits, revealed.
    await pool.work(mallory, job, 0, RIGHT, T0 + 11_000);
    await pool.write(mallory, "member.leave", {}, T0 + 12_500);
    let state = pool.fold().state.jobs[job]!;
    // Opened, not exposed: waiting lets the replica's next worker commit unexposed and earn.
    expect(state).toMatchObject({ opened: true });
    expect(revealOpen(state, T0 + 13_000, LEASE_MS)).toBe(false);
    await pool.reveal(dave, job, RIGHT, T0 + 13_000);
    state = pool.fold().state.jobs[job]!;
    expect(state).toMatchObject({ opened: true, exposed: true });
    expect(revealOpen(state, T0 + 13_000, LEASE_MS)).toBe(true);
    // worker1 takes the freed replica after the reveal: its commit earns nothing, so its reveal
    // yields to carol's, which earns (the verdict pays the two reveals that settle it).
    await pool.work(worker1, job, 0, RIGHT, T0 + 14_000);
    state = pool.fold().state.jobs[job]!;
    expect(state.commits[worker1.did]).toMatchObject({ unpaid: true });
    expect([yieldsReveal(state, worker1.did), yieldsReveal(state, carol.did)]).toEqual([true, false]);
    await pool.reveal(carol, job, RIGHT, T0 + 16_000);
    const settled = pool.fold().state;
    expect(yieldsReveal(settled.jobs[job]!, worker1.did)).toBe(false);
    for (const who of [carol, dave]) expect(settled.accounts[who.did]!.grants.map((g) => g.amount)).toEqual([15]);
  });

  it("lets a reveal ride with the last commit a job waits for, never on an exposed job or a single run, whose reveal the fold would refuse and whose commit would earn nothing", async () => {
    const pool = await jobPool();
    // Ten agreed jobs make carol, dave and mallory trusted (C = 10); each step checks the rule on the
    // state the last committer sees, then writes its reveal in the same instant as its commit.
    for (let i = 0; i < 10; i++) {
      const t = T0 + 100_000 + i * 10_000;
      const job = await pool.submit({}, t);
      await pool.work(carol, job, 0, RIGHT, t + 1_000);
      await pool.work(dave, job, 1, RIGHT, t + 1_000);
      await pool.claim(mallory, job, 2, t + 2_000);
      const seen = pool.fold().state.jobs[job]!;
      expect(revealsWithCommit(seen)).toBe(true);
      await pool.commit(mallory, job, 2, RIGHT, t + 3_000);
      await pool.reveal(mallory, job, RIGHT, t + 3_000);
      expect(pool.fold().state.jobs[job]!.reveals[mallory.did]).toBe(hex(RIGHT));
      for (const who of [carol, dave]) await pool.reveal(who, job, RIGHT, t + 5_000);
    }
    // Not the last commit: another worker could still copy the output.
    const open = await pool.submit({}, T0 + 250_000);
    await pool.work(carol, open, 0, RIGHT, T0 + 251_000);
    expect(revealsWithCommit(pool.fold().state.jobs[open]!)).toBe(false);
    // Exposed (a reveal came before every commit): a later commit earns nothing and may have to yield.
    await pool.reveal(carol, open, RIGHT, T0 + 252_000);
    await pool.work(dave, open, 1, RIGHT, T0 + 253_000);
    expect(pool.fold().state.jobs[open]).toMatchObject({ exposed: true });
    expect(revealsWithCommit(pool.fold().state.jobs[open]!)).toBe(false);
    // A single run: job.spot is set only by its commit, so the job looks like a last commit.
    let single: EntryId | undefined;
    for (let i = 0; i < 8 && single === undefined; i++) {
      const job = await pool.submit({ adaptive: 1 }, T0 + 300_000 + i * 10);
      await pool.claim(mallory, job, 0, T0 + 300_001 + i * 10);
      if (pool.fold().state.jobs[job]!.single === mallory.did) single = job;
    }
    const alone = pool.fold().state.jobs[single!]!;
    expect(alone).toMatchObject({ replicas: 1, commits: {} });
    expect(alone.spot).toBeUndefined();
    expect(revealsWithCommit(alone)).toBe(false);
    // Had it ridden: refused (the spot draw waits for a checkpoint), the job exposed, the commit unpaid.
    await pool.commit(mallory, single!, 0, RIGHT, T0 + 301_000);
    await pool.reveal(mallory, single!, RIGHT, T0 + 301_000);
    const after = pool.fold().state.jobs[single!]!;
    expect(after.reveals[mallory.did]).toBeUndefined();
    expect(after).toMatchObject({ exposed: true, commits: { [mallory.did]: { unpaid: true } } });
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

  it("plans no claim the fold would refuse: a suspended worker and a worker excluded from the job", async () => {
    const pool = await jobPool();
    await pool.write(carol, "member.leave", {}, T0 + 9_000);
    const job = await pool.submit({ replicas: 3 }, T0 + 10_000);
    const { state } = pool.fold();
    const competitors = new Competitors(runners(state, T0 + 10_000));
    expect(planClaim(state, job, carol.did, T0 + 10_000, STAGGER, competitors)).toBeUndefined();
    expect(planClaim(state, job, dave.did, T0 + 10_000, STAGGER, competitors)).toBeDefined();
    state.jobs[job]!.excluded = [dave.did];
    expect(planClaim(state, job, dave.did, T0 + 10_000, STAGGER, competitors)).toBeUndefined();
  });

  it("opens only replica 0 of an undecided adaptive job: its first claim decides whether one worker runs it alone", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ adaptive: 1 }, T0 + 10_000);
    let { state } = pool.fold();
    const all = new Competitors(runners(state, T0 + 10_000));
    const plans = runners(state, T0 + 10_000).map((did) => planClaim(state, job, did, T0 + 10_000, STAGGER, all)!);
    expect(new Set(plans.map((p) => p.replica))).toEqual(new Set([0]));
    await pool.claim(carol, job, 0, T0 + 10_500);
    ({ state } = pool.fold());
    const after = runners(state, T0 + 11_000).filter((did) => did !== carol.did).map((did) => planClaim(state, job, did, T0 + 11_000, STAGGER, all)!);
    expect(new Set(after.map((p) => p.replica))).toEqual(new Set([1, 2]));
  });

  it("holds back a worker the fold would not give an adaptive job alone while workers that could run it alone compete, one wave per such worker up to SOLO_WAIT_WAVES", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ adaptive: 1 }, T0 + 10_000);
    const decided = await pool.submit({ replicas: 3 }, T0 + 10_000);
    const { state } = pool.fold();
    const now = T0 + 10_000;
    const workers = runners(state, now);
    const plain = new Competitors(workers);
    const at = (did: Did, c: Competitors, id = job) => planClaim(state, id, did, now, STAGGER, c)!.at;
    // Nobody trusted (a new pool): nobody waits.
    const nobody = weightedCompetitors(state, workers, now);
    expect(nobody.alone).toBe(0);
    for (const did of workers) expect(at(did, nobody)).toBe(at(did, plain));
    // carol and dave trusted (C = 10): the six others wait two waves on the undecided job only.
    for (const who of [carol, dave]) standingOf(state, who.did).streak = 10;
    const two = weightedCompetitors(state, workers, now);
    expect(two.alone).toBe(2);
    for (const did of workers) {
      const trusted = did === carol.did || did === dave.did;
      expect(at(did, two)).toBe(at(did, plain) + (trusted ? 0 : 2 * STAGGER));
      expect(at(did, two, decided)).toBe(at(did, plain, decided));
    }
    // A trusted worker at M unvested single runs may not run alone either: it waits like the others.
    const params = paramsOf(state);
    params.set = { ...params.set, maxSingle: 0 };
    expect(at(carol.did, two)).toBe(at(carol.did, plain) + 2 * STAGGER);
    params.set = { ...params.set, maxSingle: 50 };
    // However many could run alone, the wait is at most SOLO_WAIT_WAVES.
    for (const did of workers) standingOf(state, did).streak = 10;
    expect(weightedCompetitors(state, workers, now).alone).toBe(SOLO_WAIT_WAVES);
    // Once a claim decided the job (here at k = 3), replicas 1 and 2 open to everyone without a wait.
    await pool.claim(carol, job, 0, now + 500);
    const claimed = pool.fold().state;
    for (const who of [carol, dave]) standingOf(claimed, who.did).streak = 10;
    const after = weightedCompetitors(claimed, workers, now + 1_000);
    const mallorys = planClaim(claimed, job, mallory.did, now + 1_000, STAGGER, after)!;
    expect(mallorys.at).toBe(planClaim(claimed, job, mallory.did, now + 1_000, STAGGER, new Competitors(workers))!.at);
  });

  it("never holds back a claim so long that less than a lease would be left before the deadline", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ adaptive: 1, deadline: T0 + 10_000 + LEASE_MS + 2 * STAGGER }, T0 + 10_000);
    const { state } = pool.fold();
    const now = T0 + 10_000;
    const workers = runners(state, now);
    standingOf(state, carol.did).streak = 10;
    const competitors = weightedCompetitors(state, workers, now);
    expect(competitors.alone).toBe(1);
    const plain = new Competitors(workers);
    // dave's wave comes after one stagger or more: one more would leave less than a lease.
    const lateRanked = workers.filter((did) => did !== carol.did && planClaim(state, job, did, now, STAGGER, plain)!.at > now + STAGGER);
    expect(lateRanked.length).toBeGreaterThan(0);
    for (const did of lateRanked) expect(planClaim(state, job, did, now, STAGGER, competitors)!.at).toBe(planClaim(state, job, did, now, STAGGER, plain)!.at);
  });

  it("moves a worker's waves by its claim weight over the mean: stake and reputation shape who claims first", async () => {
    const pool = await jobPool();
    await pool.write(alice, "stake.grant", { member: carol.did, amount: 5_000 }, T0 + 9_000);
    const jobs: EntryId[] = [];
    for (let i = 0; i < 24; i++) jobs.push(await pool.submit({ replicas: 1 }, T0 + 10_000 + i));
    const { state } = pool.fold();
    const now = T0 + 20_000;
    const workers = runners(state, now);
    const weighted = weightedCompetitors(state, workers, now);
    // carol: P = 1000 + 5000 (stake 5000 of stakeRef 1000); the seven other runners 1000 each: mean 13000 / 8.
    expect(workers).toHaveLength(8);
    expect(weighted.weightPermille(carol.did)).toBe(3_692);
    expect(weighted.weightPermille(dave.did)).toBe(615);
    expect(new Competitors(workers).weightPermille(carol.did)).toBe(1_000);
    expect(claimSlot(9, 1, 4_000)).toEqual({ slot: 0, wave: 2 });
    expect(claimSlot(9, 3, 1_000)).toEqual({ slot: 0, wave: 3 });
    const waves = (c: Competitors, did: Did) => jobs.reduce((sum, job) => sum + (planClaim(state, job, did, now, STAGGER, c)!.at - state.jobs[job]!.submitted) / STAGGER, 0);
    expect(waves(weighted, carol.did)).toBeLessThan(waves(new Competitors(workers), carol.did) / 2);
    expect(waves(weighted, dave.did)).toBeGreaterThan(waves(new Competitors(workers), dave.did));
  });
});

