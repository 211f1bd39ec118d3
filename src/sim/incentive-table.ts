/**
 * The "Incentives" section of docs/simulation.md from recorded target runs: one table per scale
 * (members x jobs) with mean ± spread over seeds, one run's sampling error, the goals, targets 6
 * and 7 across rows, and where each incentive row's executions went.
 */
import { TARGETS, type Figures, type RunRecord, type Target } from "./incentive-rows.ts";
import { cell, meanOf, verdict } from "./seed-stats.ts";
import { INCENTIVES_SECTION } from "./sweep-doc.ts";
import { VESTING_SECONDS } from "./target-setting.ts";

const count = (n: number): string => n.toLocaleString("en-US");
const range = (values: readonly number[], digits = 1): string => {
  const low = Math.min(...values).toFixed(digits);
  const high = Math.max(...values).toFixed(digits);
  return low === high ? low : `${low}-${high}`;
};

const plural = (n: number, noun: string): string => `${count(n)} ${noun}${n === 1 ? "" : "s"}`;

/** When the runs ended: "2026-11-27 10:01 to 10:42", or one time when they all ended in the same minute. */
function ended(runs: readonly RunRecord[]): string {
  const times = runs.map((r) => r.endedAt).sort();
  const first = times[0]!.slice(0, 16).replace("T", " ");
  const last = times.at(-1)!.slice(11, 16);
  return first.endsWith(last) ? first : `${first} to ${last}`;
}

/** Plain-voting rows (the binomial's setting): the prediction from the runs' own liar replica share, and how far the measure sits from it. */
function binomialCheck(groups: ReadonlyArray<{ target: Target; runs: RunRecord[] }>): string[] {
  return groups
    .filter((g) => !g.target.overrides.pool?.incentives && meanOf(g.runs)((r) => r.figures.binomial) > 0)
    .map(({ target, runs }) => {
      const mean = meanOf(runs);
      const predicted = mean((r) => r.figures.binomial);
      const sigma = mean((r) => r.figures.binomialSigma) / Math.sqrt(runs.length);
      const off = Math.abs(mean((r) => r.figures.wrongAtVerdict) - predicted) / sigma;
      return `- Row ${target.id}: the binomial prediction from the runs' own liar replica share is ${(predicted * 100).toFixed(2)}%; the mean measured share sits ${off.toFixed(1)}σ from it (σ of the mean over ${plural(runs.length, "run")}: ${(sigma * 100).toFixed(3)}%).`;
    });
}

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
    `### ${count(nodes)} members x ${count(jobs)} jobs (${plural(Math.round(jobs / nodes), "job")} per member)`,
    "",
    `${plural(runs.length, "run")} ending ${ended(runs)} UTC on 2 shared cores, load average ${range(runs.flatMap((r) => r.load))}; code ${commits}.`,
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
  const across = [...binomialCheck(groups), ...acrossRows(groups)];
  if (across.length > 0) lines.push("", ...across);
  if (incentiveRows.length > 0) {
    lines.push("", "Executions per completed job, by where they went (a job run alone costs 1, a spot check 1 more, a re-verification 3 more, an escalation 2 more):", "");
    for (const { target, runs: rowRuns } of incentiveRows) lines.push(`- ${target.name}: ${breakdown(rowRuns)}.`);
  }
  lines.push("");
  return lines;
}

export function render(runs: readonly RunRecord[]): string {
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
