/**
 * `npm run sim:targets`: issue 11's simulator targets, each over several seeds (mean and spread),
 * written as the "Incentives" section of docs/simulation.md (between markers, so the sweep keeps
 * it). Node-only (writes files). Scale: `--nodes N --jobs N --seeds N` (defaults below; the issue's
 * 10,000 nodes did not fit this machine's time budget, the section says what was run).
 */
import { readFile, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { SimOverrides } from "./config.ts";
import type { SimReport } from "./index.ts";
import { meanOf, cell, verdict } from "./seed-stats.ts";
import { runSeeds, VESTING_SECONDS } from "./target-setting.ts";
import { INCENTIVES_SECTION, withSection } from "./sweep-doc.ts";

interface Target {
  readonly name: string;
  readonly goal: string;
  readonly overrides: SimOverrides;
  /** Whether the runs' means meet the goal (absent: a row with no goal of its own). */
  readonly met?: (mean: (f: (x: Figures) => number) => number) => boolean;
}

const colluding: SimOverrides = { adversaries: { malicious: 0.2, collude: true } };
const withIncentives = (strategy: string, extra: SimOverrides = {}): SimOverrides => ({ ...colluding, ...extra, strategy, pool: { incentives: true } });

const within = (value: number, goal: number, tolerance: number): boolean => Math.abs(value - goal) <= tolerance;

const TARGETS: readonly Target[] = [
  { name: "1a plain k=3, 20% colluding", goal: "wrong ≈ 0.104 (binomial), within 3σ", overrides: colluding, met: (m) => within(m((x) => x.wrongAtVerdict), m((x) => x.binomial), 3 * m((x) => x.binomialSigma)) },
  { name: "1b plain k=3, honest 60% available", goal: "wrong ≈ 0.21", overrides: { ...colluding, availabilityModel: "adversary-online", churn: { rate: 2, availability: 0.6 } }, met: (m) => within(m((x) => x.wrongAtVerdict), 0.21, 0.03) },
  { name: "2 always lies (naive)", goal: "after revocation ≤ 0.2%, ≤ 1.5 executions/job", overrides: withIncentives("naive"), met: (m) => m((x) => x.wrongAfter) <= 0.002 && m((x) => x.executions) <= 1.5 },
  { name: "3 strategic", goal: "at verdict ≤ 2%, after ≤ 0.5%, ≤ 1.5 executions/job", overrides: withIncentives("strategic"), met: (m) => m((x) => x.wrongAtVerdict) <= 0.02 && m((x) => x.wrongAfter) <= 0.005 && m((x) => x.executions) <= 1.5 },
  { name: "3b sleeper", goal: "(as 3)", overrides: withIncentives("sleeper"), met: (m) => m((x) => x.wrongAtVerdict) <= 0.02 && m((x) => x.wrongAfter) <= 0.005 && m((x) => x.executions) <= 1.5 },
  { name: "4 intermittent (10%)", goal: "after revocation ≤ 1%", overrides: withIncentives("intermittent"), met: (m) => m((x) => x.wrongAfter) <= 0.01 },
  { name: "4b naive with re-entry", goal: "(whitewashing; no goal of its own)", overrides: withIncentives("naive", { adversaries: { malicious: 0.2, collude: true, reentry: true } }) },
  { name: "5 no adversary, incentives", goal: "≤ 1.4 executions/job, no wrong result", overrides: { pool: { incentives: true } }, met: (m) => m((x) => x.executions) <= 1.4 && m((x) => x.wrongAfter) === 0 },
  { name: "7 no adversary, plain k=3", goal: "baseline for time to verdict", overrides: {} },
];

interface Figures {
  wrongAtVerdict: number;
  binomial: number;
  binomialSigma: number;
  dishonestNet: number;
  wrongAfter: number;
  executions: number;
  p50: number;
  dishonestCredits: number;
  honestSuspended: number;
}

const figuresOf = (r: SimReport): Figures => ({
  wrongAtVerdict: r.wrongAccepted.rate,
  binomial: r.wrongAccepted.binomialPrediction,
  binomialSigma: r.wrongAccepted.binomialSigma,
  dishonestNet: r.credits.dishonest.members === 0 ? 0 : (r.credits.dishonest.earned - r.credits.dishonest.spent) / r.credits.dishonest.members,
  wrongAfter: r.wrongAfterRevocation.rate,
  executions: r.work.perCompletedJob,
  p50: r.timeToVerdictSeconds.p50,
  dishonestCredits: r.credits.dishonest.perMember,
  honestSuspended: r.incentives.suspended.honestShare,
});

/** Targets 6 and 7 span rows: colluders keep nothing and honest members stay; single runs do not slow verdicts. */
function acrossRows(rows: ReadonlyArray<{ target: Target; runs: Figures[] }>): string[] {
  const adversarial = rows.filter((r) => r.target.overrides.adversaries?.malicious && r.target.overrides.pool?.incentives).flatMap((r) => r.runs);
  const worstNet = Math.max(...adversarial.map((x) => x.dishonestNet));
  const mostEarned = Math.max(...adversarial.map((x) => x.dishonestCredits));
  const worstHonest = Math.max(...adversarial.map((x) => x.honestSuspended));
  const p50 = (name: string) => meanOf(rows.find((r) => r.target.name.startsWith(name))!.runs)((x) => x.p50);
  return [
    `- Target 6 (every adversarial run with incentives): highest net credits per colluder (earned after forfeits, minus spent on their own submissions) ${worstNet.toFixed(1)}; highest share of honest members suspended ${(worstHonest * 100).toFixed(2)}%: ${verdict(worstNet <= 0 && worstHonest <= 0.005)}. Earned alone, a colluder kept at most ${mostEarned.toFixed(1)} credits in one run.`,
    `- Target 7: median time to a provisional verdict with incentives (row 5) ${p50("5 ").toFixed(1)} s against plain k=3 (row 7) ${p50("7 ").toFixed(1)} s: ${verdict(p50("5 ") <= p50("7 "))}.`,
  ];
}

function render(rows: Array<{ target: Target; runs: Figures[] }>, scale: { nodes: number; jobs: number; seeds: number; wall: number; load: string }): string {
  const lines = [
    INCENTIVES_SECTION.start,
    "## Incentives (issue 11)",
    "",
    `Each row: ${scale.seeds} seeds (mean ± standard deviation), ${scale.nodes} members, ${scale.jobs} jobs, k = 3, a saturated pool`,
    `(load 1.5, 10 s lease, 2-6 s tasks, as the binomial checks use; vesting ${VESTING_SECONDS} s, scaled to the run's compressed time), 20% of members in`,
    "one colluding group unless the row says otherwise; `--incentives` turns on adaptive replication, checkpoint-seeded",
    "spot checks, an auditor and sanctions; without it the pool runs plain majority voting (`sanctions: 0`). Simulated",
    "workers plan claims with the real worker's `planReplica` on the fold's state (no claim the fold would refuse:",
    "suspended, excluded, over quota; replica 0 first on an undecided adaptive job; waves weighted by claim weight) and",
    "stop when the fold gave their replica to someone else.",
    `Wall time of all runs: ${scale.wall.toFixed(0)} s on 2 shared cores, load average ${scale.load} (start, end).`,
    "",
    `**Scale.** The issue asks for 10,000 members; these are ${scale.nodes}. So the targets are shown met or not *at this`,
    "scale* and were not run at 10,000 (27 runs at that size do not fit a session on this machine). Why the smaller run",
    "is representative: what the rules see are ratios, not counts. The colluding share and the binomial depend on the",
    "fraction of members, not their number; vesting is scaled with the run's compressed time (a worker runs tens of",
    "replicas per 300 s vesting period against M = 50 unvested single runs, as a volunteer runs tens a week against",
    "7-day vesting); spot draws come every simulated minute against 300 s of vesting (minutes against a week in a real",
    "pool); trust at C = 10 is reached within a member's first jobs. Nothing in the fold grows with the member count",
    "except the claim contest, which orders claims on one replica. What a larger pool could change is how often the",
    "colluders hold a majority of one job's replicas, and that is the binomial row 1a checks.",
    "",
    "| target | goal | wrong at verdict (%) | wrong after revocation (%) | executions / job | p50 to verdict (s) | credits per dishonest member | honest suspended (%) | goal met |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { target, runs } of rows) {
    const col = (f: (x: Figures) => number, scaleBy = 1, digits = 3) => cell(runs.map(f), scaleBy, digits);
    lines.push(
      `| ${target.name} | ${target.goal} | ${col((x) => x.wrongAtVerdict, 100, 2)} | ${col((x) => x.wrongAfter, 100, 2)} | ${col((x) => x.executions, 1, 2)} | ${col((x) => x.p50, 1, 1)} | ${col((x) => x.dishonestCredits, 1, 1)} | ${col((x) => x.honestSuspended, 100, 2)} | ${verdict(target.met?.(meanOf(runs)))} |`,
    );
  }
  lines.push("", ...acrossRows(rows), "", "Reproduce: `npm run sim:targets -- --nodes N --jobs N --seeds N`.", INCENTIVES_SECTION.end, "");
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: "string" }, jobs: { type: "string" }, seeds: { type: "string" } } });
  const nodes = Number(values.nodes ?? 40);
  const jobs = Number(values.jobs ?? 4_000);
  const seeds = Number(values.seeds ?? 3);
  const started = performance.now();
  const loadAtStart = loadavg()[0]!.toFixed(1);
  const rows = [];
  for (const target of TARGETS) rows.push({ target, runs: runSeeds(target.name, target.overrides, { nodes, jobs, seeds }, figuresOf) });
  const section = render(rows, { nodes, jobs, seeds, wall: (performance.now() - started) / 1000, load: `${loadAtStart}, ${loadavg()[0]!.toFixed(1)}` });
  const doc = await readFile("docs/simulation.md", "utf8").catch(() => "# Simulation\n");
  await writeFile("docs/simulation.md", withSection(doc, section));
  process.stderr.write("wrote the Incentives section of docs/simulation.md\n");
}

await main();
