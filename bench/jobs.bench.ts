/**
 * Jobs benchmark: jobs per second through a 3-node in-process pool (real automerge-repo repos over
 * MessageChannel, real ledger and worker_threads, each node one worker), against the same tasks on
 * one local worker pool of 3 workers (the baseline: no ledger, no sync, no verification). The ratio
 * is the protocol's cost: claim, lease, commit, reveal and verdict entries, each signed, validated
 * and synced to every node, plus k-fold replication when k = 3.
 */
import { availableParallelism, loadavg } from "node:os";
import { utf8 } from "../src/core/crypto/index.ts";
import { TaskPool } from "../src/core/runtime/index.ts";
import { createNodeWorkerHost } from "../src/core/runtime/worker-host-node.ts";
import { mandelbrotInput } from "../src/core/runtime/sample-inputs.ts";
import { alice, bob, carol, dave } from "../tests/fixtures/identities.ts";
import { JobNetwork, taskBytes } from "../tests/integration/jobs/job-network.ts";

const TRIVIAL_JOBS = 12;
const TILES = 6;
const WORKERS = 3;

interface Workload {
  readonly name: string;
  readonly task: string;
  readonly inputs: Uint8Array[];
}

const trivial: Workload = { name: "trivial (sha256 of 16 bytes)", task: "sha256", inputs: Array.from({ length: TRIVIAL_JOBS }, (_, i) => utf8(`input ${i}`.padEnd(16))) };
const tiles: Workload = {
  name: "Mandelbrot tile (128x128, 2000 iterations)",
  task: "mandelbrot",
  inputs: Array.from({ length: TILES }, (_, i) => mandelbrotInput({ xMin: -2 + i * 0.2, yMin: -1, xMax: -1.8 + i * 0.2, yMax: -0.8, width: 128, height: 128, maxIterations: 2000 })),
};

async function local(work: Workload): Promise<number> {
  const pool = new TaskPool({ host: createNodeWorkerHost(), workers: WORKERS });
  const loaded = await pool.load(taskBytes(work.task));
  if (!loaded.ok) throw new Error(loaded.message);
  await pool.run(loaded.task, work.inputs[0]!);
  const started = performance.now();
  const results = await Promise.all(work.inputs.map((input) => pool.run(loaded.task, input, { timeoutMs: 60_000 })));
  const seconds = (performance.now() - started) / 1000;
  pool.close();
  if (results.some((r) => !r.ok)) throw new Error("a local task failed");
  return work.inputs.length / seconds;
}

async function throughPool(work: Workload, replicas: number): Promise<{ perSecond: number; latencyMs: number }> {
  const net = new JobNetwork(1);
  try {
    await net.createPool([carol, dave]);
    const submitter = await net.start("bob", bob);
    const names = ["alice", "carol", "dave"];
    for (const [i, who] of [alice, carol, dave].entries()) {
      await net.start(names[i]!, who, { peers: ["bob", ...names.slice(0, i)], contribute: { settings: { contribute: true, onlyWhenCharging: false, minimumBatteryPercent: 0, onlyWhenIdle: false, maxCores: 1 } } });
    }
    const deadline = net.clock.now() + 3_600_000;
    const module = taskBytes(work.task);
    // One job first, alone: the latency a single submitter sees (workers warm).
    const first = await submitter.node.jobs.submit({ module, input: work.inputs[0]!, replicas, reward: 1, deadline });
    if (!first.ok) throw new Error(first.message);
    const t0 = performance.now();
    await submitter.node.jobs.settled(first.job);
    const latencyMs = performance.now() - t0;
    const started = performance.now();
    const jobs = [];
    for (const submitted of await submitter.node.jobs.submitMany(work.inputs.map((input) => ({ module, input, replicas, reward: 1, deadline })))) {
      if (!submitted.ok) throw new Error(submitted.message);
      jobs.push(submitted.job);
    }
    const views = await Promise.all(jobs.map((job) => submitter.node.jobs.settled(job)));
    const seconds = (performance.now() - started) / 1000;
    if (views.some((v) => v.status !== "done")) throw new Error("a pool job did not finish");
    return { perSecond: work.inputs.length / seconds, latencyMs };
  } finally {
    await net.close();
  }
}

const rows: string[] = [];
for (const work of [trivial, tiles]) {
  const baseline = await local(work);
  for (const replicas of [1, 3]) {
    const pooled = await throughPool(work, replicas);
    rows.push(`| ${work.name} | k = ${replicas} | ${work.inputs.length} | ${baseline.toFixed(1)} | ${pooled.perSecond.toFixed(2)} | ${(pooled.perSecond / baseline).toFixed(3)} | ${Math.round(pooled.latencyMs)} |`);
  }
}

console.log(`Node ${process.version}, ${availableParallelism()} logical cores, 1-min load average ${loadavg()[0]!.toFixed(1)} (shared machine); pool: 3 worker nodes with 1 worker each + 1 submitter, baseline: one local pool of ${WORKERS} workers`);
console.log("");
console.log("| task | replication | jobs | local pool (jobs/s) | 3-node pool (jobs/s) | ratio pool/local | one job alone, submit to verdict (ms) |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(row);
