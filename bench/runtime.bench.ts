/**
 * Runtime benchmark: the same task module called directly on the main thread (baseline: the same
 * `executeTask` a worker runs: fresh instance, copy in, run, copy out) against the worker pool with
 * 1 and N workers. Targets (issue 5): per-task dispatch overhead < 0.2 ms for a trivial task;
 * Mandelbrot through the pool within 1.1x of the direct call; N workers >= 90% of N x the
 * single-worker throughput.
 *
 * The machine is shared, so every figure is taken in ROUNDS rounds that alternate baseline and pool
 * (a change of load hits both sides of a round), each ratio or difference is computed within its
 * round, and the table gives the median with the lowest and highest round beside it.
 */
import { availableParallelism, loadavg } from "node:os";
import { readFileSync } from "node:fs";
import { TaskPool } from "../src/core/runtime/index.ts";
import type { LoadedTask } from "../src/core/runtime/index.ts";
import { createNodeWorkerHost } from "../src/core/runtime/worker-host-node.ts";
import { executeTask } from "../src/core/runtime/task-executor.ts";
import { TaskMemories } from "../src/core/runtime/task-memory.ts";
import { mandelbrotInput, primeRangeInput } from "../src/core/runtime/sample-inputs.ts";

const ROUNDS = 7;
const TRIVIAL_RUNS = 2000;
const HEAVY_RUNS = 3;
const SCALING_TILES = 12;
const workersN = Math.max(2, availableParallelism());

/** A trivial task: the prime counter over an empty range (instantiate, alloc, run, 8-byte output). */
const trivialInput = primeRangeInput(0n, 0n);
/** A CPU-heavy task: a 256x256 Mandelbrot tile at 1000 iterations (~0.1 s). */
const heavyInput = mandelbrotInput({ xMin: -2, yMin: -1.25, xMax: 0.5, yMax: 1.25, width: 256, height: 256, maxIterations: 1000 });

const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../public/tasks/${name}.wasm`, import.meta.url)));

async function load(pool: TaskPool, name: string): Promise<LoadedTask> {
  const result = await pool.load(bytesOf(name));
  if (!result.ok) throw new Error(`${name}: ${result.message}`);
  return result.task;
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Per-task figures of one loop: the mean wall time (what a stream of tasks pays, pauses included),
 * the median (a typical task), and the CPU time of the whole process (main thread and workers),
 * which another program's load does not inflate the way it inflates wall time.
 */
interface Latency {
  readonly mean: number;
  readonly p50: number;
  readonly cpu: number;
}

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

const latencyOf = (times: number[], totalMs: number, cpuMs: number): Latency => ({ mean: totalMs / times.length, p50: median(times), cpu: cpuMs / times.length });

const directMemories = new TaskMemories();

function direct(task: LoadedTask, input: Uint8Array, runs: number): Latency {
  const limits = { minPages: task.minPages, maxPages: task.maxPages, maxOutputBytes: 1 << 24 };
  const times: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const result = executeTask(task.module, input, limits, directMemories);
    times.push(performance.now() - t);
    if (!result.ok) throw new Error(result.message);
  }
  return latencyOf(times, performance.now() - started, cpuMsSince(cpu));
}

/** Each task waits for the previous one (the latency a single caller sees); `dispatch` is the mean of each task's wall time minus its time in the worker. */
async function sequential(pool: TaskPool, task: LoadedTask, input: Uint8Array, runs: number): Promise<Latency & { dispatch: number }> {
  const times: number[] = [];
  let dispatch = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const result = await pool.run(task, input, { timeoutMs: 60_000 });
    times.push(performance.now() - t);
    if (!result.ok) throw new Error(result.message);
    dispatch += result.durationMs - result.runMs;
  }
  return { ...latencyOf(times, performance.now() - started, cpuMsSince(cpu)), dispatch: dispatch / runs };
}

/** All tasks submitted at once: tasks per wall second, and the CPU time the whole process spent per task (main thread and workers). */
async function throughput(pool: TaskPool, task: LoadedTask, input: Uint8Array, count: number): Promise<{ perSecond: number; cpuMsPerTask: number; cores: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: count }, () => pool.run(task, input, { timeoutMs: 60_000 })));
  const wallMs = performance.now() - started;
  const cpuMs = cpuMsSince(cpu);
  if (results.some((r) => !r.ok)) throw new Error("a benchmark task failed");
  return { perSecond: count / (wallMs / 1000), cpuMsPerTask: cpuMs / count, cores: cpuMs / wallMs };
}

async function ready(pool: TaskPool): Promise<void> {
  while (pool.status().idle < pool.status().target) await new Promise((r) => setTimeout(r, 10));
}

const loadBefore = loadavg()[0]!;
const pool = new TaskPool({ host: createNodeWorkerHost(), workers: 1 });
const poolN = new TaskPool({ host: createNodeWorkerHost(), workers: workersN });
const primes = await load(pool, "primes");
const mandelbrot = await load(pool, "mandelbrot");
await Promise.all([ready(pool), ready(poolN)]);

// Warm-up: compile tiers, and send the modules to every worker once.
direct(primes, trivialInput, 500);
direct(mandelbrot, heavyInput, 1);
await sequential(pool, primes, trivialInput, 500);
await throughput(pool, primes, trivialInput, 500);
await throughput(poolN, mandelbrot, heavyInput, workersN);
await throughput(pool, mandelbrot, heavyInput, 1);

const rows = {
  directMean: [] as number[],
  poolMean: [] as number[],
  overheadMean: [] as number[],
  directP50: [] as number[],
  poolP50: [] as number[],
  overheadP50: [] as number[],
  dispatch: [] as number[],
  cpuDirect: [] as number[],
  cpuPool: [] as number[],
  cpuOverhead: [] as number[],
  pipelined: [] as number[],
  pipelinedOverhead: [] as number[],
  heavyDirect: [] as number[],
  heavyPool: [] as number[],
  heavyRatio: [] as number[],
  heavyCpuRatio: [] as number[],
  one: [] as number[],
  many: [] as number[],
  scaling: [] as number[],
  cpuOne: [] as number[],
  cpuMany: [] as number[],
  cpuScaling: [] as number[],
  coresMany: [] as number[],
};
for (let round = 0; round < ROUNDS; round++) {
  const base = direct(primes, trivialInput, TRIVIAL_RUNS);
  const seq = await sequential(pool, primes, trivialInput, TRIVIAL_RUNS);
  const piped = await throughput(pool, primes, trivialInput, TRIVIAL_RUNS);
  rows.directMean.push(base.mean);
  rows.poolMean.push(seq.mean);
  rows.overheadMean.push(seq.mean - base.mean);
  rows.directP50.push(base.p50);
  rows.poolP50.push(seq.p50);
  rows.overheadP50.push(seq.p50 - base.p50);
  rows.dispatch.push(seq.dispatch);
  rows.cpuDirect.push(base.cpu);
  rows.cpuPool.push(seq.cpu);
  rows.cpuOverhead.push(seq.cpu - base.cpu);
  rows.pipelined.push(1000 / piped.perSecond);
  rows.pipelinedOverhead.push(1000 / piped.perSecond - base.mean);
  const heavyDirect = direct(mandelbrot, heavyInput, HEAVY_RUNS);
  const heavyPool = await sequential(pool, mandelbrot, heavyInput, HEAVY_RUNS);
  rows.heavyDirect.push(heavyDirect.mean);
  rows.heavyPool.push(heavyPool.mean);
  rows.heavyRatio.push(heavyPool.mean / heavyDirect.mean);
  rows.heavyCpuRatio.push(heavyPool.cpu / heavyDirect.cpu);
  const one = await throughput(pool, mandelbrot, heavyInput, SCALING_TILES);
  const many = await throughput(poolN, mandelbrot, heavyInput, SCALING_TILES);
  rows.one.push(one.perSecond);
  rows.many.push(many.perSecond);
  rows.scaling.push((100 * many.perSecond) / (workersN * one.perSecond));
  rows.cpuOne.push(one.cpuMsPerTask);
  rows.cpuMany.push(many.cpuMsPerTask);
  rows.cpuScaling.push((100 * one.cpuMsPerTask) / many.cpuMsPerTask);
  rows.coresMany.push(many.cores);
}
pool.close();
poolN.close();
const loadAfter = loadavg()[0]!;

type Row = keyof typeof rows;
const f = (n: number, digits: number): string => n.toFixed(digits);
const med = (row: Row, digits = 3): string => f(median(rows[row]), digits);
const spread = (row: Row, digits = 3): string => `${f(Math.min(...rows[row]), digits)} to ${f(Math.max(...rows[row]), digits)}`;
const lines = [
  `Node ${process.version}, ${availableParallelism()} logical cores, N = ${workersN} workers (worker_threads host), ${ROUNDS} rounds, 1-min load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`,
  "",
  "| measure | direct call (baseline) | pool | result: median of rounds | rounds: lowest to highest | target |",
  "|---|---|---|---|---|---|",
  `| trivial task, mean ms per task (1 worker, one at a time, ${TRIVIAL_RUNS} per round) | ${med("directMean")} | ${med("poolMean")} | overhead ${med("overheadMean")} ms | ${spread("overheadMean")} | < 0.2 ms |`,
  `| trivial task, median ms per task (same loops) | ${med("directP50")} | ${med("poolP50")} | overhead ${med("overheadP50")} ms | ${spread("overheadP50")} | — |`,
  `| trivial task, dispatch ms per task (its wall time minus its time in the worker) | — | ${med("dispatch")} | ${med("dispatch")} ms | ${spread("dispatch")} | — |`,
  `| trivial task, CPU ms per task (whole process: main thread and worker) | ${med("cpuDirect")} | ${med("cpuPool")} | overhead ${med("cpuOverhead")} ms | ${spread("cpuOverhead")} | — |`,
  `| trivial task, ms per task (1 worker, ${TRIVIAL_RUNS} submitted at once) | ${med("directMean")} | ${med("pipelined")} | overhead ${med("pipelinedOverhead")} ms | ${spread("pipelinedOverhead")} | — |`,
  `| Mandelbrot 256x256x1000, ms per tile (1 worker) | ${med("heavyDirect", 1)} | ${med("heavyPool", 1)} | ${med("heavyRatio")}x | ${spread("heavyRatio")} | <= 1.1x |`,
  `| Mandelbrot, CPU time per tile, pool / direct | — | — | ${med("heavyCpuRatio")}x | ${spread("heavyCpuRatio")} | — |`,
  `| Mandelbrot tiles per wall second, 1 vs ${workersN} workers (${SCALING_TILES} tiles) | ${med("one", 2)} (1 worker) | ${med("many", 2)} (${workersN} workers) | scaling ${med("scaling", 0)}% | ${spread("scaling", 0)} | >= 90% |`,
  `| Mandelbrot CPU ms per tile (whole process), 1 vs ${workersN} workers | ${med("cpuOne", 1)} (1 worker) | ${med("cpuMany", 1)} (${workersN} workers) | CPU scaling ${med("cpuScaling", 0)}% | ${spread("cpuScaling", 0)} | — |`,
  `| cores the process got while ${workersN} workers ran (CPU time / wall time) | — | ${med("coresMany", 2)} | of ${workersN} | ${spread("coresMany", 2)} | — |`,
];
process.stdout.write(lines.join("\n") + "\n");
