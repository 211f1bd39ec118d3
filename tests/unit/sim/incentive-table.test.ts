import { describe, expect, it } from "vitest";
import type { Figures, RunRecord } from "../../../src/sim/incentive-rows.ts";
import { render } from "../../../src/sim/incentive-table.ts";

const figures = (over: Partial<Figures>): Figures => ({
  completed: 30_000,
  wrongAtVerdict: 0,
  binomial: 0,
  binomialSigma: 0,
  dishonestNet: 0,
  wrongAfter: 0,
  executions: 3,
  p50: 100,
  dishonestCredits: 0,
  honestSuspended: 0,
  singleRuns: 0,
  spotChecked: 0,
  revoked: 0,
  escalated: 0,
  lostCommits: 0,
  lateResults: 0,
  ...over,
});

const run = (row: string, seed: number, nodes: number, jobs: number, over: Partial<Figures>): RunRecord => ({
  row,
  seed,
  nodes,
  jobs,
  commit: "abc1234",
  endedAt: `2026-11-27T10:0${seed}:00.000Z`,
  wallSeconds: 600,
  cpuSeconds: 60 + seed,
  load: [30, 35],
  figures: figures(over),
});

const lineOf = (doc: string, start: string): string => doc.split("\n").find((line) => line.startsWith(start)) ?? "";

describe("the Incentives section from recorded runs", () => {
  it("gives each scale its own table, the largest first, with seeds, mean ± spread and one run's sampling error", () => {
    const doc = render([
      run("1a", 1, 10_000, 30_000, { wrongAtVerdict: 0.1, wrongAfter: 0.1, binomial: 0.1, binomialSigma: 0.0017 }),
      run("1a", 2, 10_000, 30_000, { wrongAtVerdict: 0.1, wrongAfter: 0.1, binomial: 0.1, binomialSigma: 0.0017 }),
      run("5", 1, 40, 4_000, { completed: 4_000, executions: 1.4, singleRuns: 2_000, spotChecked: 400, lostCommits: 40 }),
    ]);
    const big = doc.indexOf("### 10,000 members x 30,000 jobs (3 jobs per member)");
    const small = doc.indexOf("### 40 members x 4,000 jobs (100 jobs per member)");
    expect(big).toBeGreaterThan(0);
    expect(small).toBeGreaterThan(big);
    // p = 0.1 over 30,000 jobs: sqrt(0.09 / 30000) = 0.173%.
    expect(lineOf(doc, "| 1a plain k=3")).toBe("| 1a plain k=3, 20% colluding | wrong ≈ 0.104 (binomial), within 3σ | 1, 2 | 10.00 ± 0.00 | ± 0.173 | 10.00 ± 0.00 | 3.00 ± 0.00 | 100.0 ± 0.0 | 0.0 ± 0.0 | 0.00 ± 0.00 | 61-62 | met |");
    expect(doc).toContain("2 runs ending 2026-11-27 10:01 to 10:02 UTC");
  });

  it("bounds the wrong share by 3/n when a row saw none, and says where an incentive row's executions went", () => {
    const doc = render([run("5", 1, 40, 4_000, { completed: 4_000, executions: 1.45, singleRuns: 2_000, spotChecked: 400, revoked: 0, lostCommits: 30, lateResults: 10 })]);
    expect(lineOf(doc, "| 5 no adversary")).toContain("| < 0.075 |");
    expect(lineOf(doc, "| 5 no adversary")).toContain("| **not met** |");
    expect(lineOf(doc, "- 5 no adversary")).toBe("- 5 no adversary, incentives: alone 0.500, spot-checked 0.100, re-verified after revocation 0.000, escalated 0.000, results the fold never used 0.010.");
  });
});
