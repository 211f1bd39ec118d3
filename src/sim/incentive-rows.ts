/**
 * Issue 11's simulator target rows (what each runs and its goal), the figures kept of a run, and a
 * run as `npm run sim:targets --out` records it. Shared by the CLI (./targets.ts) and the table
 * (./incentive-table.ts).
 */
import type { SimOverrides } from "./config.ts";
import type { SimReport } from "./index.ts";

export interface Target {
  /** What `--rows` names the row by. */
  readonly id: string;
  readonly name: string;
  readonly goal: string;
  readonly overrides: SimOverrides;
  /** Whether the runs' means meet the goal (absent: a row with no goal of its own). */
  readonly met?: (mean: (f: (x: Figures) => number) => number) => boolean;
}

const colluding: SimOverrides = { adversaries: { malicious: 0.2, collude: true } };
const withIncentives = (strategy: string, extra: SimOverrides = {}): SimOverrides => ({ ...colluding, ...extra, strategy, pool: { incentives: true } });

const within = (value: number, goal: number, tolerance: number): boolean => Math.abs(value - goal) <= tolerance;
const heldDown = (m: (f: (x: Figures) => number) => number): boolean => m((x) => x.wrongAtVerdict) <= 0.02 && m((x) => x.wrongAfter) <= 0.005 && m((x) => x.executions) <= 1.5;

export const TARGETS: readonly Target[] = [
  { id: "1a", name: "1a plain k=3, 20% colluding", goal: "wrong ≈ 0.104 (binomial), within 3σ", overrides: colluding, met: (m) => within(m((x) => x.wrongAtVerdict), m((x) => x.binomial), 3 * m((x) => x.binomialSigma)) },
  { id: "1b", name: "1b plain k=3, honest 60% available", goal: "wrong ≈ 0.21", overrides: { ...colluding, availabilityModel: "adversary-online", churn: { rate: 2, availability: 0.6 } }, met: (m) => within(m((x) => x.wrongAtVerdict), 0.21, 0.03) },
  { id: "2", name: "2 always lies (naive)", goal: "after revocation ≤ 0.2%, ≤ 1.5 executions/job", overrides: withIncentives("naive"), met: (m) => m((x) => x.wrongAfter) <= 0.002 && m((x) => x.executions) <= 1.5 },
  { id: "3", name: "3 strategic", goal: "at verdict ≤ 2%, after ≤ 0.5%, ≤ 1.5 executions/job", overrides: withIncentives("strategic"), met: heldDown },
  { id: "3b", name: "3b sleeper", goal: "(as 3)", overrides: withIncentives("sleeper"), met: heldDown },
  { id: "4", name: "4 intermittent (10%)", goal: "after revocation ≤ 1%", overrides: withIncentives("intermittent"), met: (m) => m((x) => x.wrongAfter) <= 0.01 },
  { id: "4b", name: "4b naive with re-entry", goal: "(whitewashing; no goal of its own)", overrides: withIncentives("naive", { adversaries: { malicious: 0.2, collude: true, reentry: true } }) },
  { id: "5", name: "5 no adversary, incentives", goal: "≤ 1.4 executions/job, no wrong result", overrides: { pool: { incentives: true } }, met: (m) => m((x) => x.executions) <= 1.4 && m((x) => x.wrongAfter) === 0 },
  { id: "7", name: "7 no adversary, plain k=3", goal: "baseline for time to verdict", overrides: {} },
];

export interface Figures {
  completed: number;
  wrongAtVerdict: number;
  binomial: number;
  binomialSigma: number;
  dishonestNet: number;
  wrongAfter: number;
  executions: number;
  p50: number;
  dishonestCredits: number;
  honestSuspended: number;
  /** Where executions went: jobs run alone, spot-checked, re-run after revocation, escalated; results the fold never used. */
  singleRuns: number;
  spotChecked: number;
  revoked: number;
  escalated: number;
  lostCommits: number;
  lateResults: number;
}

export const figuresOf = (r: SimReport): Figures => ({
  completed: r.jobs.completed,
  wrongAtVerdict: r.wrongAccepted.rate,
  binomial: r.wrongAccepted.binomialPrediction,
  binomialSigma: r.wrongAccepted.binomialSigma,
  dishonestNet: r.credits.dishonest.members === 0 ? 0 : (r.credits.dishonest.earned - r.credits.dishonest.spent) / r.credits.dishonest.members,
  wrongAfter: r.wrongAfterRevocation.rate,
  executions: r.work.perCompletedJob,
  p50: r.timeToVerdictSeconds.p50,
  dishonestCredits: r.credits.dishonest.perMember,
  honestSuspended: r.incentives.suspended.honestShare,
  singleRuns: r.incentives.singleRuns,
  spotChecked: r.jobs.spotChecked,
  revoked: r.incentives.revoked,
  escalated: r.jobs.escalated,
  lostCommits: r.work.lostCommits,
  lateResults: r.work.lateResults,
});

/** One run of one row, as `--out` records it (a JSON line). */
export interface RunRecord {
  readonly row: string;
  readonly seed: number;
  readonly nodes: number;
  readonly jobs: number;
  /** `git describe --always --dirty` of the code that ran. */
  readonly commit: string;
  readonly endedAt: string;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  /** One-minute load average at the run's start and end. */
  readonly load: readonly [number, number];
  readonly figures: Figures;
}

export const targetOf = (id: string): Target => {
  const target = TARGETS.find((t) => t.id === id);
  if (!target) throw new Error(`unknown row '${id}'; rows are ${TARGETS.map((t) => t.id).join(", ")}`);
  return target;
};
