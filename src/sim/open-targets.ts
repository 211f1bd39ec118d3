/**
 * `npm run sim:open`: issue 12's simulator targets for open pools, each over several seeds (mean
 * and spread), written as the "Open pools" section of docs/simulation.md (between markers, so the
 * sweep keeps it). Node-only (writes files). Scale: `--nodes N --jobs N --seeds N`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { SimOverrides } from "./config.ts";
import type { SimReport } from "./index.ts";
import { cell, meanOf, verdict } from "./seed-stats.ts";
import { OPEN_POOLS_SECTION, withSection } from "./sweep-doc.ts";
import { runSeeds, VESTING_SECONDS } from "./target-setting.ts";

/** Jobs between two re-entries of a caught operator's identities (the figure). */
const REENTRY_EVERY = 200;
const FARM = 50;

interface Row {
  readonly name: string;
  readonly overrides: SimOverrides;
}

const OPEN: SimOverrides = { pool: { incentives: true, open: true } };
const ROWS: readonly Row[] = [
  { name: "A naive colluders re-entering, farm of 50", overrides: { ...OPEN, strategy: "naive", adversaries: { malicious: 0.2, collude: true, reentry: true, reentryEvery: REENTRY_EVERY, farm: FARM } } },
  { name: "B strategic colluders re-entering", overrides: { ...OPEN, strategy: "strategic", adversaries: { malicious: 0.2, collude: true, reentry: true, reentryEvery: REENTRY_EVERY } } },
  { name: "C no adversary", overrides: OPEN },
];

interface Figures {
  wrongAfter: number;
  executions: number;
  reentries: number;
  admitted: number;
  newcomers: number;
  probationEnded: number;
  fullAtEnd: number;
  noStanding: number;
  factorAtEnd: number;
  reachedFull: number;
  resultsToFull: number;
  farmRatio: number | undefined;
  farmFactor: number | undefined;
  operatorFactor: number | undefined;
}

function figuresOf(r: SimReport): Figures {
  const open = r.open!;
  return {
    wrongAfter: r.wrongAfterRevocation.rate,
    executions: r.work.perCompletedJob,
    reentries: r.incentives.reentries,
    admitted: open.reentriesAdmitted,
    newcomers: open.newcomers.count,
    probationEnded: open.newcomers.probationEnded,
    fullAtEnd: open.newcomers.fullAtProbationEnd,
    noStanding: open.newcomers.noStandingAtProbationEnd,
    factorAtEnd: open.newcomers.medianFactorAtProbationEnd,
    reachedFull: open.newcomers.reachedFull,
    resultsToFull: open.newcomers.medianResultsToFull,
    farmRatio: open.farm?.ratio,
    farmFactor: open.farm?.meanFarmFactor,
    operatorFactor: open.farm?.operatorFactor,
  };
}

function render(rows: ReadonlyArray<{ row: Row; runs: Figures[] }>, scale: { nodes: number; jobs: number; seeds: number; wall: number }): string {
  const lines = [
    OPEN_POOLS_SECTION.start,
    "## Open pools (issue 12)",
    "",
    `Each row: ${scale.seeds} seeds (mean ± standard deviation), ${scale.nodes} members, ${scale.jobs} jobs, an open pool with issue 11's mechanism,`,
    `in the same saturated setting as the Incentives rows (load 1.5, 10 s lease, 2-6 s tasks, vesting ${VESTING_SECONDS} s). The root invites the honest`,
    "members except the newcomers (20% of them); newcomers and every dishonest member join as strangers with a stamp (its hash checked by the",
    "real rule), spread over the days before the run within the fold's join cap, so probation and the MeritRank reward factor apply",
    `(the real open-pool authorisation and fold rules). Rows A and B: 20% of members in one colluding group; a caught identity returns as a new`,
    `stranger (stamp, probation, join cap), one per ${REENTRY_EVERY} jobs the pool received. Row A also has a Sybil farm of ${FARM} stranger identities`,
    "behind one operator, an honest newcomer: every tenth submission the operator (or a farm identity) submits a job that three farm identities",
    "claim, commit and reveal alike, so the fold pays them and records the work edges MeritRank reads. Standing and factors are the fold's own",
    "(`meritView`, the function its per-epoch snapshot uses), read at each newcomer's tenth verified result and at the end of the run.",
    "Every verified result a member paid for draws its work edge, a late agreeing reveal's included (ledger/README.md 6.3, session 6).",
    "The reference for the full factor is one paid, verified result's worth from the median vouched payer (ledger/README.md 6.3).",
    `Wall time of all runs: ${scale.wall.toFixed(0)} s on 2 shared cores.`,
    "",
    "| row | wrong after revocation (%) | executions / job | re-entries (admitted in the run) | newcomers: probation ended | at full factor then | median factor then | reached full factor | median verified results at full | farm standing / operator's | farm's mean factor |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { row, runs } of rows) {
    const col = (f: (x: Figures) => number, scaleBy = 1, digits = 2) => cell(runs.map(f), scaleBy, digits);
    const farm = runs[0]!.farmRatio === undefined ? "— | —" : `${col((x) => x.farmRatio!, 1, 3)} | ${col((x) => x.farmFactor!, 1, 0)}`;
    lines.push(
      `| ${row.name} | ${col((x) => x.wrongAfter, 100)} | ${col((x) => x.executions)} | ${col((x) => x.reentries, 1, 1)} (${col((x) => x.admitted, 1, 1)}) | ${col((x) => x.probationEnded, 1, 1)} of ${col((x) => x.newcomers, 1, 1)} | ${col((x) => x.fullAtEnd, 1, 1)} | ${col((x) => x.factorAtEnd, 1, 0)} | ${col((x) => x.reachedFull, 1, 1)} | ${col((x) => x.resultsToFull, 1, 1)} | ${farm} |`,
    );
  }
  const a = meanOf(rows[0]!.runs);
  const adversarial = rows.filter((r) => r.row.overrides.adversaries?.reentry).flatMap((r) => r.runs);
  const worstWrong = Math.max(...adversarial.map((x) => x.wrongAfter));
  const worstExec = Math.max(...adversarial.map((x) => x.executions));
  const all = rows.flatMap((r) => r.runs);
  const ended = all.reduce((s, x) => s + x.probationEnded, 0);
  const full = all.reduce((s, x) => s + x.fullAtEnd, 0);
  const noStanding = all.reduce((s, x) => s + x.noStanding, 0);
  lines.push(
    "",
    `- Re-entry (rows A, B): highest accepted-wrong share after revocation in any run ${(worstWrong * 100).toFixed(2)}% (goal ≤ 1%), highest executions per job ${worstExec.toFixed(2)} (goal ≤ 1.6): ${verdict(worstWrong <= 0.01 && worstExec <= 1.6)}.`,
    `- Sybil farm (row A): ${FARM} identities hold ${a((x) => x.farmRatio!).toFixed(3)}x their operator's standing on average (goal ≤ 0.2x): ${verdict(a((x) => x.farmRatio!) <= 0.2)}.`,
    `- Honest newcomers: ${full} of ${ended} held the full reward factor when their probation ended at their 10th verified result (goal: all): ${verdict(ended > 0 && full === ended)}.` +
      (noStanding > 0 ? ` ${noStanding} of them had no standing then: none of their verified results so far drew a work edge from a member the admins reach (fund-paid results draw none, nor do a revoked submitter's).` : ""),
    "",
    "Reproduce: `npm run sim:open -- --nodes N --jobs N --seeds N`.",
    OPEN_POOLS_SECTION.end,
    "",
  );
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: "string" }, jobs: { type: "string" }, seeds: { type: "string" } } });
  const nodes = Number(values.nodes ?? 40);
  const jobs = Number(values.jobs ?? 4_000);
  const seeds = Number(values.seeds ?? 3);
  const started = performance.now();
  const rows = [];
  for (const row of ROWS) rows.push({ row, runs: runSeeds(row.name, row.overrides, { nodes, jobs, seeds }, figuresOf) });
  const section = render(rows, { nodes, jobs, seeds, wall: (performance.now() - started) / 1000 });
  const doc = await readFile("docs/simulation.md", "utf8").catch(() => "# Simulation\n");
  await writeFile("docs/simulation.md", withSection(doc, section, OPEN_POOLS_SECTION));
  process.stderr.write("wrote the Open pools section of docs/simulation.md\n");
}

await main();
