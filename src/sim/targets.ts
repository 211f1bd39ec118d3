/**
 * `npm run sim:targets`: issue 11's simulator targets, each over several seeds (mean and spread),
 * written as the "Incentives" section of docs/simulation.md (between markers, so the sweep keeps
 * it). Node-only (writes files).
 *
 *   npm run sim:targets -- [--nodes N] [--jobs N | --jobs-per-member N] [--seeds N] [--first-seed N]
 *                          [--rows 1a,3,...] [--out runs.jsonl]
 *   npm run sim:targets -- --render runs.jsonl [more.jsonl ...]
 *
 * Without --out the runs go straight into the doc. With --out each run is appended to the file as
 * one JSON line the moment it ends (long runs at 10,000 members survive a crash of a later one);
 * --render writes the section from such files, one table per scale (members x jobs).
 */
import { execFileSync } from "node:child_process";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { SimOverrides } from "./config.ts";
import type { SimReport } from "./index.ts";
import { meanOf, cell, verdict } from "./seed-stats.ts";
import { runSeed, VESTING_SECONDS } from "./target-setting.ts";
import { INCENTIVES_SECTION, withSection } from "./sweep-doc.ts";

interface Target {
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

const TARGETS: readonly Target[] = [
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

interface Figures {
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

const figuresOf = (r: SimReport): Figures => ({
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
interface RunRecord {
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

const targetOf = (id: string): Target => {
  const target = TARGETS.find((t) => t.id === id);
  if (!target) throw new Error(`unknown row '${id}'; rows are ${TARGETS.map((t) => t.id).join(", ")}`);
  return target;
};

function commitOf(): string {
  try {
    return execFileSync("git", ["describe", "--always", "--dirty"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

function runRow(target: Target, size: { nodes: number; jobs: number }, seed: number, commit: string): RunRecord {
  const loadAtStart = loadavg()[0]!;
  const started = performance.now();
  const { report, cpuSeconds } = runSeed(target.name, target.overrides, size, seed);
  const round = (x: number) => Number(x.toFixed(1));
  return {
    row: target.id,
    seed,
    ...size,
    commit,
    endedAt: new Date().toISOString(),
    wallSeconds: round((performance.now() - started) / 1000),
    cpuSeconds: round(cpuSeconds),
    load: [round(loadAtStart), round(loadavg()[0]!)],
    figures: figuresOf(report),
  };
}

const count = (n: number): string => n.toLocaleString("en-US");
const range = (values: readonly number[], digits = 1): string => {
  const low = Math.min(...values).toFixed(digits);
  const high = Math.max(...values).toFixed(digits);
  return low === high ? low : `${low}-${high}`;
};

/**
 * One run's sampling error of the wrong-at-verdict share (1σ of a binomial share over the run's
 * completed jobs, in %); with no wrong result, the 95% upper bound (3/n) instead.
 */
function samplingError(runs: readonly RunRecord[]): string {
  const p = meanOf(runs)((r) => r.figures.wrongAtVerdict);
  const n = meanOf(runs)((r) => r.figures.completed);
  return p === 0 ? `< ${((3 / n) * 100).toFixed(3)}` : `± ${(Math.sqrt((p * (1 - p)) / n) * 100).toFixed(3)}`;
}

/** Targets 6 and 7 span rows: colluders keep nothing and honest members stay; single runs do not slow verdicts. */
function acrossRows(groups: ReadonlyArray<{ target: Target; runs: RunRecord[] }>): string[] {
  const lines: string[] = [];
  const adversarial = groups.filter((g) => g.target.overrides.adversaries?.malicious && g.target.overrides.pool?.incentives).flatMap((g) => g.runs.map((r) => r.figures));
  if (adversarial.length > 0) {
    const worstNet = Math.max(...adversarial.map((x) => x.dishonestNet));
    const mostEarned = Math.max(...adversarial.map((x) => x.dishonestCredits));
    const worstHonest = Math.max(...adversarial.map((x) => x.honestSuspended));
    lines.push(
      `- Target 6 (every adversarial run with incentives at this scale): highest net credits per colluder (earned after forfeits, minus spent on their own submissions) ${worstNet.toFixed(1)}; highest share of honest members suspended ${(worstHonest * 100).toFixed(2)}%: ${verdict(worstNet <= 0 && worstHonest <= 0.005)}. Earned alone, a colluder kept at most ${mostEarned.toFixed(1)} credits in one run.`,
    );
  }
  const p50 = (id: string) => {
    const group = groups.find((g) => g.target.id === id);
    return group && meanOf(group.runs)((r) => r.figures.p50);
  };
  const [withSingles, plain] = [p50("5"), p50("7")];
  if (withSingles !== undefined && plain !== undefined) {
    lines.push(`- Target 7: median time to a provisional verdict with incentives (row 5) ${withSingles.toFixed(1)} s against plain k=3 (row 7) ${plain.toFixed(1)} s: ${verdict(withSingles <= plain)}.`);
  }
  return lines;
}

/** Where a row's executions went, per completed job (means over its runs). */
function breakdown(runs: readonly RunRecord[]): string {
  const per = (f: (x: Figures) => number) => meanOf(runs)((r) => f(r.figures) / r.figures.completed).toFixed(3);
  return `alone ${per((x) => x.singleRuns)}, spot-checked ${per((x) => x.spotChecked)}, re-verified after revocation ${per((x) => x.revoked)}, escalated ${per((x) => x.escalated)}, results the fold never used ${per((x) => x.lostCommits + x.lateResults)}`;
}

function scaleTable(nodes: number, jobs: number, runs: readonly RunRecord[]): string[] {
  const groups = TARGETS.map((target) => ({ target, runs: runs.filter((r) => r.row === target.id) })).filter((g) => g.runs.length > 0);
  const commits = [...new Set(runs.map((r) => r.commit))].join(", ");
  const lines = [
    `### ${count(nodes)} members x ${count(jobs)} jobs (${count(Math.round(jobs / nodes))} jobs per member)`,
    "",
    `${runs.length} runs ending ${runs.map((r) => r.endedAt).sort()[0]!.slice(0, 16).replace("T", " ")} to ${runs.map((r) => r.endedAt).sort().at(-1)!.slice(11, 16)} UTC on 2 shared cores, load average ${range(runs.flatMap((r) => r.load))}; code ${commits}.`,
    "",
    "| target | goal | seeds | wrong at verdict (%) | one run's sampling error (%) | wrong after revocation (%) | executions / job | p50 to verdict (s) | credits per dishonest member | honest suspended (%) | CPU s per run | goal met |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { target, runs: rowRuns } of groups) {
    const col = (f: (x: Figures) => number, scaleBy = 1, digits = 3) => cell(rowRuns.map((r) => f(r.figures)), scaleBy, digits);
    const seeds = rowRuns.map((r) => r.seed).sort((a, b) => a - b).join(", ");
    lines.push(
      `| ${target.name} | ${target.goal} | ${seeds} | ${col((x) => x.wrongAtVerdict, 100, 2)} | ${samplingError(rowRuns)} | ${col((x) => x.wrongAfter, 100, 2)} | ${col((x) => x.executions, 1, 2)} | ${col((x) => x.p50, 1, 1)} | ${col((x) => x.dishonestCredits, 1, 1)} | ${col((x) => x.honestSuspended, 100, 2)} | ${range(rowRuns.map((r) => r.cpuSeconds), 0)} | ${verdict(target.met?.((f) => meanOf(rowRuns)((r) => f(r.figures))))} |`,
    );
  }
  const incentiveRows = groups.filter((g) => g.target.overrides.pool?.incentives);
  lines.push("", ...acrossRows(groups));
  if (incentiveRows.length > 0) {
    lines.push("", "Executions per completed job, by where they went (a job run alone costs 1, a spot check 1 more, a re-verification 3 more, an escalation 2 more):", "");
    for (const { target, runs: rowRuns } of incentiveRows) lines.push(`- ${target.name}: ${breakdown(rowRuns)}.`);
  }
  lines.push("");
  return lines;
}

function render(runs: readonly RunRecord[]): string {
  const scales = [...new Set(runs.map((r) => `${r.nodes}x${r.jobs}`))].map((key) => key.split("x").map(Number) as [number, number]).sort((a, b) => b[0] - a[0] || b[1] - a[1]);
  return [
    INCENTIVES_SECTION.start,
    "## Incentives (issue 11)",
    "",
    "Each row: several seeds (mean ± standard deviation over them), k = 3, a saturated pool (load 1.5, 10 s lease, 2-6 s",
    `tasks, as the binomial checks use; vesting ${VESTING_SECONDS} s, scaled to the run's compressed time), 20% of members in one colluding`,
    "group unless the row says otherwise; `--incentives` turns on adaptive replication, checkpoint-seeded spot checks, an",
    "auditor and sanctions; without it the pool runs plain majority voting (`sanctions: 0`). Simulated workers plan claims",
    "with the real worker's `planReplica` on the fold's state (no claim the fold would refuse: suspended, excluded, over",
    "quota; replica 0 first on an undecided adaptive job; waves weighted by claim weight) and stop when the fold gave their",
    "replica to someone else. \"One run's sampling error\" is the binomial 1σ of the wrong-at-verdict share over one run's",
    "completed jobs (95% bound when no wrong result was seen): how far a single run can sit from the rate it measures.",
    "",
    ...scales.flatMap(([nodes, jobs]) => scaleTable(nodes, jobs, runs.filter((r) => r.nodes === nodes && r.jobs === jobs))),
    "Reproduce: `npm run sim:targets -- --nodes N --jobs N --seeds N [--rows 1a,3,...] [--out runs.jsonl]`, then",
    "`npm run sim:targets -- --render runs.jsonl ...` for runs recorded with `--out`.",
    INCENTIVES_SECTION.end,
    "",
  ].join("\n");
}

async function writeDoc(runs: readonly RunRecord[]): Promise<void> {
  const doc = await readFile("docs/simulation.md", "utf8").catch(() => "# Simulation\n");
  await writeFile("docs/simulation.md", withSection(doc, render(runs)));
  process.stderr.write("wrote the Incentives section of docs/simulation.md\n");
}

function positive(name: string, value: string | undefined, fallback: number): number {
  const n = Number(value ?? fallback);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

async function readRuns(files: readonly string[]): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (const file of files) {
    const lines = (await readFile(file, "utf8")).split("\n").filter((line) => line.trim() !== "");
    for (const [i, line] of lines.entries()) {
      const run = JSON.parse(line) as RunRecord;
      if (typeof run.row !== "string" || typeof run.nodes !== "number" || typeof run.figures?.completed !== "number") throw new Error(`${file}:${i + 1}: not a run recorded by sim:targets --out`);
      targetOf(run.row);
      runs.push(run);
    }
  }
  if (runs.length === 0) throw new Error("--render needs at least one file of recorded runs");
  return runs;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      nodes: { type: "string" },
      jobs: { type: "string" },
      "jobs-per-member": { type: "string" },
      seeds: { type: "string" },
      "first-seed": { type: "string" },
      rows: { type: "string" },
      out: { type: "string" },
      render: { type: "boolean" },
    },
  });
  if (values.render) return writeDoc(await readRuns(positionals));
  if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}' (files are read only with --render)`);
  if (values.jobs !== undefined && values["jobs-per-member"] !== undefined) throw new Error("give --jobs or --jobs-per-member, not both");
  const nodes = positive("nodes", values.nodes, 40);
  const jobs = values["jobs-per-member"] === undefined ? positive("jobs", values.jobs, 4_000) : nodes * positive("jobs-per-member", values["jobs-per-member"], 1);
  const seeds = positive("seeds", values.seeds, 3);
  const firstSeed = positive("first-seed", values["first-seed"], 1);
  const targets = values.rows === undefined ? TARGETS : values.rows.split(",").map((id) => targetOf(id.trim()));
  const commit = commitOf();
  const runs: RunRecord[] = [];
  for (const target of targets) {
    for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
      const run = runRow(target, { nodes, jobs }, seed, commit);
      runs.push(run);
      process.stderr.write(`${target.name} seed ${seed}: ${run.wallSeconds} s wall, ${run.cpuSeconds} s CPU, ${JSON.stringify(run.figures)}\n`);
      if (values.out) await appendFile(values.out, `${JSON.stringify(run)}\n`);
    }
  }
  if (!values.out) await writeDoc(runs);
}

await main().catch((error: unknown) => {
  process.stderr.write(`sim:targets: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
