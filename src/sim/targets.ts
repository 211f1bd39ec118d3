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
import { figuresOf, TARGETS, targetOf, type RunRecord, type Target } from "./incentive-rows.ts";
import { render } from "./incentive-table.ts";
import { runSeed } from "./target-setting.ts";
import { withSection } from "./sweep-doc.ts";

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
      let run: RunRecord;
      try {
        run = JSON.parse(line) as RunRecord;
      } catch {
        throw new Error(`${file}:${i + 1}: not JSON`);
      }
      if (typeof run?.row !== "string" || typeof run.nodes !== "number" || typeof run.jobs !== "number" || typeof run.figures?.completed !== "number") throw new Error(`${file}:${i + 1}: not a run recorded by sim:targets --out`);
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
