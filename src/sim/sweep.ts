/**
 * `npm run sim:sweep`: runs the simulator over the parameters that matter for pool defaults
 * (colluding share p, replicas k, spot-check rate, churn), three seeds per point, and writes
 * docs/simulation.md with SVG plots under docs/simulation/. Node-only (writes files).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { configWith, mergeOverrides, type SimOverrides } from "./config.ts";
import { simulate } from "./index.ts";
import type { SimReport } from "./report.ts";
import { lineChart, type Point, type Series } from "./svg.ts";
import { majorityWrongProbability } from "./theory.ts";
import { renderDocument, KEPT_SECTIONS, sectionOf, withSection, type Aggregate, type SweepResults } from "./sweep-doc.ts";

export const SEEDS = [1, 2, 3];
/** Jobs per run (SIM_SWEEP_JOBS=200 gives a quick, noisy look). */
const JOBS = Number(process.env.SIM_SWEEP_JOBS ?? 1_500);

/** Replicas go to whoever is free next (arrivals above capacity, short lease): the binomial's setting. */
export const SATURATED: SimOverrides = { nodes: 300, jobs: JOBS, load: 1.5, pool: { leaseSeconds: 10 }, devices: { task: { kind: "uniform", min: 2_000, max: 6_000 } } };
/** A pool at 70% load with the default lease: the fold's claim delay after disagreements takes effect. */
export const NORMAL: SimOverrides = { nodes: 300, jobs: JOBS, load: 0.7 };

/** Runs one point for every seed; `measure` picks the figure averaged. */
export function point(base: SimOverrides, extra: SimOverrides, measure: (r: SimReport) => number): Aggregate {
  const reports = SEEDS.map((seed) => {
    const outcome = simulate(configWith(mergeOverrides(base, { ...extra, seed })));
    if (!outcome.ok) throw new Error(outcome.message);
    return outcome.report;
  });
  const values = reports.map(measure);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const spread = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
  process.stderr.write(".");
  return { mean, spread, reports };
}

const wrongRate = (r: SimReport) => r.wrongAccepted.rate;
const perJob = (r: SimReport) => r.work.perCompletedJob;
const toPoint = (x: number, a: Aggregate): Point => ({ x, y: a.mean, spread: a.spread });

function sweepShare(): Pick<SweepResults, "byShare" | "claimDelay"> {
  const shares = [0, 0.1, 0.2, 0.3, 0.4];
  const byShare = [1, 3, 5].map((k) => ({ k, points: shares.map((p) => ({ p, agg: point(SATURATED, { pool: { replicas: k }, adversaries: { malicious: p, collude: true } }, wrongRate) })) }));
  const claimDelay = shares.map((p) => ({ p, agg: point(NORMAL, { adversaries: { malicious: p, collude: true } }, wrongRate) }));
  return { byShare, claimDelay };
}

function sweepSpot(): SweepResults["spot"] {
  return [0, 0.1, 0.2, 0.3, 0.5].map((q) => ({ q, agg: point(SATURATED, { pool: { replicas: 1, spotCheck: q }, adversaries: { malicious: 0.2, collude: true } }, wrongRate) }));
}

function sweepChurn(): SweepResults["churn"] {
  return [0, 1, 2, 4, 8].map((rate) => ({ rate, agg: point(NORMAL, { churn: { rate, availability: 0.7 }, devices: { battery: 0.2 }, adversaries: { malicious: 0.1, collude: true } }, (r) => r.timeToVerdictSeconds.p99) }));
}

function scaleRun(): SimReport {
  const outcome = simulate(configWith({ nodes: 10_000, jobs: Math.min(10_000, JOBS * 7) }));
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.report;
}

function charts(results: SweepResults): Record<string, string> {
  const theory = (k: number, colour: number): Series => ({ name: `binomial k=${k}`, dashed: true, colour, points: [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4].map((p) => ({ x: p, y: majorityWrongProbability(k, p) })) });
  const measured = results.byShare.map(({ k, points }): Series => ({ name: `simulated k=${k}`, points: points.map(({ p, agg }) => toPoint(p, agg)) }));
  return {
    "wrong-vs-share.svg": lineChart({ title: "Wrong results accepted vs colluding share", x: "share of members colluding (p)", y: "wrong results accepted", percent: true, series: [...measured, ...[1, 3, 5].map((k, i) => theory(k, i))] }),
    "overhead-vs-k.svg": lineChart({
      title: "Executions per completed job vs colluding share",
      x: "share of members colluding (p)",
      y: "executions per completed job",
      series: results.byShare.map(({ k, points }) => ({ name: `k=${k}`, points: points.map(({ p, agg }) => ({ x: p, y: agg.reports.reduce((s, r) => s + perJob(r), 0) / agg.reports.length })) })),
    }),
    "claim-delay.svg": lineChart({
      title: "k=3: saturated pool vs 70% load (claim delay)",
      x: "share of members colluding (p)",
      y: "wrong results accepted",
      percent: true,
      series: [
        { name: "saturated", points: results.byShare.find((s) => s.k === 3)!.points.map(({ p, agg }) => toPoint(p, agg)) },
        { name: "70% load", points: results.claimDelay.map(({ p, agg }) => toPoint(p, agg)) },
        theory(3, 2),
      ],
    }),
    "spot-checks.svg": lineChart({
      title: "k=1 with hidden spot checks, 20% colluding",
      x: "spot-check rate",
      y: "wrong accepted / executions per job",
      series: [
        { name: "wrong accepted", points: results.spot.map(({ q, agg }) => toPoint(q, agg)) },
        { name: "executions/job - 1", points: results.spot.map(({ q, agg }) => ({ x: q, y: agg.reports.reduce((s, r) => s + perJob(r) - 1, 0) / agg.reports.length })) },
      ],
    }),
    "churn.svg": lineChart({
      title: "Churn (70% availability, 20% on battery windows)",
      x: "sessions per member per hour",
      y: "seconds to a verified result",
      series: [
        { name: "p99", points: results.churn.map(({ rate, agg }) => toPoint(rate, agg)) },
        { name: "mean", points: results.churn.map(({ rate, agg }) => ({ x: rate, y: agg.reports.reduce((s, r) => s + r.timeToVerdictSeconds.mean, 0) / agg.reports.length })) },
      ],
    }),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  process.stderr.write("sweeping (3 seeds per point)");
  const results: SweepResults = { ...sweepShare(), spot: sweepSpot(), churn: sweepChurn(), scale: scaleRun(), wallSeconds: 0 };
  results.wallSeconds = Math.round((performance.now() - started) / 1000);
  process.stderr.write("\n");
  const dir = join("docs", "simulation");
  await mkdir(dir, { recursive: true });
  for (const [name, svg] of Object.entries(charts(results))) await writeFile(join(dir, name), `${svg}\n`);
  // The Incentives and Open pools sections come from `npm run sim:targets` and `sim:open`: keep them.
  const previous = await readFile(join("docs", "simulation.md"), "utf8").catch(() => "");
  let doc = renderDocument(results);
  for (const markers of KEPT_SECTIONS) {
    const kept = sectionOf(previous, markers);
    if (kept) doc = withSection(doc, kept, markers);
  }
  await writeFile(join("docs", "simulation.md"), doc);
  process.stderr.write(`wrote docs/simulation.md and ${dir}/*.svg in ${results.wallSeconds} s\n`);
}

await main();
