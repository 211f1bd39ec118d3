import { describe, expect, it } from "vitest";
import { configWith, simulate } from "../../../src/sim/index.ts";

describe("a simulated open pool (issue 12)", () => {
  it("admits strangers by stamp, re-admits caught colluders as strangers, and leaves a Sybil farm far below its operator's standing", { timeout: 120_000 }, () => {
    const outcome = simulate(
      configWith({
        seed: 3,
        nodes: 30,
        jobs: 400,
        load: 1.5,
        strategy: "naive",
        adversaries: { malicious: 0.2, collude: true, reentry: true, reentryEvery: 50, farm: 12 },
        pool: { leaseSeconds: 10, vestingSeconds: 300, incentives: true, open: true },
        devices: { task: { kind: "uniform", min: 2_000, max: 6_000 } },
      }),
    );
    if (!outcome.ok) throw new Error(outcome.message);
    const r = outcome.report;
    // Every stranger's join (stamp and cap) passed the real rules: no join was refused.
    expect(Object.keys(r.ledger.rejected).filter((k) => k.startsWith("member.join"))).toEqual([]);
    expect(r.ledger.badBody).toBe(0);
    expect(r.jobs.completed).toBe(400);
    expect(r.incentives.reentries).toBeGreaterThan(0);
    expect(r.open!.reentriesAdmitted).toBeGreaterThan(0);
    expect(r.open!.farm!.jobs).toBe(40);
    expect(r.open!.farm!.operatorScore).toBeGreaterThan(0);
    expect(r.open!.farm!.ratio).toBeLessThan(0.2);
    expect(r.open!.newcomers.probationEnded).toBeGreaterThan(0);
  });
});
