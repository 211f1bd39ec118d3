import { describe, expect, it, vi } from "vitest";
import { configWith, simulate, type SimReport } from "../../../src/sim/index.ts";
import type { SimOverrides } from "../../../src/sim/config.ts";
import { majorityWrongProbability } from "../../../src/sim/theory.ts";
import { targetOf } from "../../../src/sim/incentive-rows.ts";
import { runSeed, SATURATED } from "../../../src/sim/target-setting.ts";
import { defaultStaggerMs } from "../../../src/core/jobs/replicas.ts";

/**
 * A saturated pool (arrivals above capacity) with a short lease: every job waits longer than any
 * claim delay the fold imposes after disagreements, so replicas go to whichever worker is free
 * next, independently of whether it lies: the setting the binomial formula assumes.
 */
const saturated = (overrides: SimOverrides): SimOverrides => ({
  nodes: 300,
  jobs: 2_000,
  load: 1.5,
  pool: { leaseSeconds: 10, ...overrides.pool },
  devices: { task: { kind: "uniform", min: 2_000, max: 6_000 } },
  ...overrides,
  adversaries: { collude: true, ...overrides.adversaries },
});

// Pure CPU and deterministic: a test takes what the CPU share allows (the spot-check one took 98 s
// with two test files side by side at load 34), so a timeout would say nothing about the simulator.
vi.setConfig({ testTimeout: 300_000 });

function run(overrides: SimOverrides): SimReport {
  const outcome = simulate(configWith(overrides));
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.report;
}

/** Only conflicts (races the fold settles) may be refused; anything else is a simulator bug. */
function expectOnlyRaces(report: SimReport): void {
  expect(report.ledger.badBody).toBe(0);
  for (const key of Object.keys(report.ledger.rejected)) expect(key).toMatch(/:conflict$/);
}

describe("accepted wrong results against the binomial prediction", () => {
  it.each([
    { p: 0.2, k: 3, theory: 0.104 },
    { p: 0.3, k: 5, theory: 0.16308 },
    { p: 0.4, k: 1, theory: 0.4 },
  ])("colluding liars at p=$p with k=$k: about $theory accepted", ({ p, k, theory }) => {
    const report = run(saturated({ seed: 11, pool: { replicas: k, leaseSeconds: 10 }, adversaries: { malicious: p } }));
    const { rate, liarReplicaShare, binomialPrediction } = report.wrongAccepted;
    const n = report.jobs.completed;
    const sigma = (q: number) => Math.sqrt((q * (1 - q)) / n);
    expect(majorityWrongProbability(k, p)).toBeCloseTo(theory, 5);
    expect(n).toBeGreaterThan(1_900);
    // Liars got their share of the replicas, and the rate matches the formula at that share...
    expect(Math.abs(liarReplicaShare - p)).toBeLessThan(0.03);
    expect(Math.abs(rate - binomialPrediction)).toBeLessThan(3 * sigma(binomialPrediction));
    // ...and the headline number within sampling error plus the share's own wobble.
    expect(Math.abs(rate - theory)).toBeLessThan(4 * sigma(theory));
    expectOnlyRaces(report);
  });

  it("a colluding group that never leaves, beside honest members online 60% of the time, gets its share of the replicas and wins votes", () => {
    // Every member goes idle before the first job exists, and the colluders never come online
    // again: they get work only by looking again while they idle, as a real worker does (they
    // once waited for ever here and won no vote).
    const report = run(saturated({ seed: 3, nodes: 300, jobs: 1_000, availabilityModel: "adversary-online", churn: { rate: 2, availability: 0.6 }, adversaries: { malicious: 0.2 } }));
    // 60 colluders against ~144 honest members online: about 0.29 of the workers at any time.
    expect(report.wrongAccepted.liarReplicaShare).toBeGreaterThan(0.2);
    expect(report.wrongAccepted.rate).toBeGreaterThan(0.12);
    expectOnlyRaces(report);
  });

  it("independent liars (each its own wrong output) never win a vote; the votes without a majority escalate as often as the binomial says", () => {
    const report = run(saturated({ seed: 5, adversaries: { malicious: 0.2, collude: false } }));
    expect(report.wrongAccepted.count).toBe(0);
    const escalatedShare = report.jobs.escalated / report.jobs.submitted;
    const predicted = majorityWrongProbability(3, report.wrongAccepted.liarReplicaShare);
    expect(Math.abs(escalatedShare - predicted)).toBeLessThan(3 * Math.sqrt((predicted * (1 - predicted)) / report.jobs.submitted) + 0.01);
    expectOnlyRaces(report);
  });
});

describe("determinism", () => {
  const eventful: SimOverrides = {
    seed: 3,
    nodes: 120,
    jobs: 400,
    churn: { rate: 2, availability: 0.7 },
    devices: { battery: 0.3, windowHours: 6 },
    network: { loss: 0.01 },
    adversaries: { malicious: 0.1, collude: true, claimers: 0.05, freeRiders: 0.05, sybil: 0.1, sybilSize: 4 },
  };
  const withoutTiming = ({ timing: _timing, ...rest }: SimReport) => JSON.stringify(rest);

  it("gives identical JSON for the same seed (apart from the wall-clock timing)", () => {
    expect(withoutTiming(run(eventful))).toBe(withoutTiming(run(eventful)));
  });

  it("gives a different run for another seed", () => {
    expect(withoutTiming(run({ ...eventful, seed: 4 }))).not.toBe(withoutTiming(run(eventful)));
  });
});

describe("adversaries and churn", () => {
  it("claimers who never finish only delay jobs: leases lapse, others take the replicas, claimers earn nothing", () => {
    const report = run({ seed: 2, nodes: 200, jobs: 600, pool: { leaseSeconds: 60 }, adversaries: { claimers: 0.2 } });
    expect(report.jobs.completed).toBe(600);
    expect(report.wrongAccepted.count).toBe(0);
    expect(report.credits.byRole.claimer!.earned).toBe(0);
    expect(report.timeToVerdictSeconds.p99).toBeGreaterThan(60);
    expectOnlyRaces(report);
  });

  it("free-riders spend credits they never earned (the fold lets a member submit below zero)", () => {
    const report = run({ seed: 2, nodes: 200, jobs: 600, adversaries: { freeRiders: 0.2 } });
    const riders = report.credits.byRole["free-rider"]!;
    expect(riders.earned).toBe(0);
    expect(riders.spent).toBeGreaterThan(0);
  });

  it("one Sybil operator with a fifth of the identities fills whole jobs: far above the binomial rate, and out-earns honest members", () => {
    const report = run(saturated({ seed: 9, adversaries: { sybil: 0.2, sybilSize: 60 } }));
    expect(report.wrongAccepted.rate).toBeGreaterThan(2 * majorityWrongProbability(3, 0.2));
    expect(report.credits.dishonest.perMember).toBeGreaterThan(report.credits.honest.perMember);
  });

  it("churn and battery windows waste work but every job still settles correctly", () => {
    const report = run({ seed: 4, nodes: 300, jobs: 800, churn: { rate: 3, availability: 0.7 }, devices: { battery: 0.3, windowHours: 8 }, network: { loss: 0.01 } });
    expect(report.jobs.completed + report.jobs.expired).toBe(800);
    expect(report.jobs.completed).toBeGreaterThan(780);
    expect(report.wrongAccepted.count).toBe(0);
    expect(report.work.abortedHours).toBeGreaterThan(0);
    expect(report.ledger.lost).toBeGreaterThan(0);
    expectOnlyRaces(report);
  });

  it("hidden spot checks of k=1 jobs give the fold a second replica about as often as asked", () => {
    const report = run({ seed: 6, nodes: 200, jobs: 1_000, pool: { replicas: 1, spotCheck: 0.25 } });
    expect(Math.abs(report.jobs.spotChecked / 1_000 - 0.25)).toBeLessThan(0.05);
    expect(report.work.perCompletedJob).toBeGreaterThan(1.15);
    expect(report.work.perCompletedJob).toBeLessThan(1.35);
  });
});

describe("incentives", () => {
  it("a suspended colluder's released replicas go back to work: every job settles minutes after the last submission, none waits for its deadline", () => {
    // Row 3 at 300 x 3,000: before the engine reconciled the jobs a suspension released, adaptive
    // jobs whose first replica was released waited for their 6-hour deadline (the run lasted 6 h).
    const { report } = runSeed("3", targetOf("3").overrides, { nodes: 300, jobs: 3_000 }, 1);
    expect(report.incentives.suspended.dishonest).toBeGreaterThan(0);
    expect(report.jobs.completed).toBe(3_000);
    expect(report.simulatedHours).toBeLessThan(1);
  });

  it("an adaptive job costs at most a horizon and a wave more than plain k = 3 to a verdict, in a burst of submissions to a large pool", () => {
    // 500 members, two jobs each, nobody trusted yet: every adaptive job ends at k = 3 after its first
    // claim is folded (one horizon), so that is all it may add. When a worker's look read only the
    // first open jobs, and those were adaptive jobs whose first replica was taken, the claimable jobs
    // behind them waited: a median of 75.5 s against 17.9 s.
    const size = { nodes: 500, jobs: 1_000 };
    const adaptive = runSeed("5", targetOf("5").overrides, size, 1).report;
    const plain = runSeed("7", targetOf("7").overrides, size, 1).report;
    const { horizonMs } = configWith({}).network;
    const waveSeconds = defaultStaggerMs(SATURATED.pool!.leaseSeconds! * 1000) / 1000;
    expect(adaptive.jobs.completed).toBe(1_000);
    expect(adaptive.timeToVerdictSeconds.p50).toBeLessThanOrEqual(plain.timeToVerdictSeconds.p50 + horizonMs / 1000 + waveSeconds);
  });
});

describe("configuration errors", () => {
  it("come back as typed values naming the option, never as a crash", () => {
    const bad = simulate(configWith({ pool: { replicas: 3, spotCheck: 0.2 } }));
    expect(bad).toMatchObject({ ok: false, reason: "bad-config" });
    if (!bad.ok) expect(bad.message).toContain("--spot-check applies to single-replica jobs");
    const unknown = simulate(configWith({ strategy: "cunning" }));
    expect(unknown).toMatchObject({ ok: false, reason: "bad-config" });
    if (!unknown.ok) expect(unknown.message).toContain("unknown strategy 'cunning'");
  });
});
