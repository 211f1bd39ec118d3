/**
 * Simulator benchmark: how fast `edgepool sim` runs, and how much of that is the real fold.
 * Baseline (same run): the same entry batches folded again on a bare Folder, with nothing of the
 * simulation around them. The ratio says what the simulation costs on top of the protocol code.
 * Target (issue 9): 10,000 members and 100,000 jobs in under a minute; this benchmark runs a tenth
 * of the jobs (the full run takes minutes on the shared machine; README has its figures).
 */
import { availableParallelism, loadavg } from "node:os";
import { Folder } from "../src/core/ledger/fold.ts";
import type { SignedEntry } from "../src/core/ledger/types.ts";
import { configWith } from "../src/sim/config.ts";
import { Simulation } from "../src/sim/engine.ts";
import { memberListAuthoriser } from "../src/sim/member-list-authoriser.ts";

const cpuSeconds = (from: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
};

function measure(nodes: number, jobs: number): string {
  const sim = new Simulation(configWith({ nodes, jobs }));
  const batches: Array<readonly SignedEntry[]> = [];
  sim.ledger.observe((batch) => batches.push(batch));
  const wall = performance.now();
  const cpu = process.cpuUsage();
  sim.run();
  const simCpu = cpuSeconds(cpu);
  const simWall = (performance.now() - wall) / 1000;
  const entries = sim.ledger.stats.folded;
  const foldCpuStart = process.cpuUsage();
  const folder = new Folder(memberListAuthoriser, undefined, { retain: false });
  for (const batch of batches) folder.add(batch);
  const foldCpu = cpuSeconds(foldCpuStart);
  const row = [`${nodes} x ${jobs}`, entries, simWall.toFixed(1), simCpu.toFixed(1), Math.round(entries / simCpu), foldCpu.toFixed(1), Math.round(entries / foldCpu), (simCpu / foldCpu).toFixed(2)];
  return `| ${row.join(" | ")} |`;
}

console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${availableParallelism()} cores (shared machine: wall time depends on the load)\n`);
console.log("| members x jobs | entries | sim wall s | sim CPU s | entries/CPU s | bare fold CPU s | fold entries/CPU s | sim / bare fold |");
console.log("|---|---|---|---|---|---|---|---|");
console.log(measure(1_000, 2_000));
console.log(measure(10_000, 10_000));
