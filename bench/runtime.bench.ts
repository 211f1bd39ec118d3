/**
 * Runtime benchmark: the same task module called directly on the main thread (baseline: the same
 * instantiate + copy + run the worker does, minus the dispatch) against the worker pool with 1 and
 * N workers. A worker makes each task's fresh instance while it waits for the task, so a second
 * baseline runs the direct call on instances made beforehand too (no straw man either way).
 * Targets (issue 5): dispatch overhead < 0.2 ms for a trivial task; Mandelbrot through
 * the pool within 1.1x of the direct call; N workers >= 90% of N x the single-worker throughput.
 */
import { availableParallelism, loadavg } from "node:os";
import { readFileSync } from "node:fs";
import { TaskPool } from "../src/core/runtime/index.ts";
import type { LoadedTask } from "../src/core/runtime/index.ts";
import { createNodeWorkerHost } from "../src/core/runtime/worker-host-node.ts";
import { executeTask, instantiateTask, runInstance, type FreshInstance } from "../src/core/runtime/task-executor.ts";
import { mandelbrotInput, primeRangeInput } from "../src/core/runtime/sample-inputs.ts";

const ROUNDS = 5;
const TRIVIAL_RUNS = 500;
const HEAVY_RUNS = 2;
const SCALING_TILES = 8;
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

function direct(task: LoadedTask, input: Uint8Array, runs: number): number {
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const result = executeTask(task.module, input, { maxPages: task.maxPages, maxOutputBytes: 1 << 24 });
    if (!result.ok) throw new Error(result.message);
  }
  return (performance.now() - started) / runs;
}

/**
 * The direct call's own time when its instance was made beforehand (what the pool does: a worker
 * makes the next fresh instance while it waits), i.e. alloc, copy in, run and copy out only.
 */
function directAhead(task: LoadedTask, input: Uint8Array, runs: number): number {
  const limits = { maxPages: task.maxPages, maxOutputBytes: 1 << 24 };
  const instances: FreshInstance[] = [];
  for (let i = 0; i < runs; i++) {
    const made = instantiateTask(task.module, limits);
    if (!made.ok) throw new Error(made.message);
    instances.push(made.instance);
  }
  const started = performance.now();
  for (const instance of instances) {
    const result = runInstance(instance, input, limits);
    if (!result.ok) throw new Error(result.message);
  }
  return (performance.now() - started) / runs;
}

/**
 * Mean ms per task when each waits for the previous one (the latency a single caller sees), and
 * the mean of each task's own wall time minus its time inside the worker (the dispatch cost,
 * measured around the same task, so less exposed to load changing between loops).
 */
async function sequential(pool: TaskPool, task: LoadedTask, input: Uint8Array, runs: number): Promise<{ perTask: number; dispatch: number }> {
  const started = performance.now();
  let dispatch = 0;
  for (let i = 0; i < runs; i++) {
    const result = await pool.run(task, input, { timeoutMs: 60_000 });
    if (!result.ok) throw new Error(result.message);
    dispatch += result.durationMs - result.runMs;
  }
  return { perTask: (performance.now() - started) / runs, dispatch: dispatch / runs };
}

/** Tasks per second with all tasks submitted at once. */
async function throughput(pool: TaskPool, task: LoadedTask, input: Uint8Array, count: number): Promise<number> {
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: count }, () => pool.run(task, input, { timeoutMs: 60_000 })));
  if (results.some((r) => !r.ok)) throw new Error("a benchmark task failed");
  return count / ((performance.now() - started) / 1000);
}

async function ready(pool: TaskPool): Promise<void> {
  while (pool.status().idle < pool.status().target) await new Promise((r) => setTimeout(r, 10));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const pool = new TaskPool({ host: createNodeWorkerHost(), workers: 1 });
const poolN = new TaskPool({ host: createNodeWorkerHost(), workers: workersN });
const primes = await load(pool, "primes");
const mandelbrot = await load(pool, "mandelbrot");
await Promise.all([ready(pool), ready(poolN)]);

// Warm-up: compile tiers and send the modules to every worker once.
direct(primes, trivialInput, 200);
direct(mandelbrot, heavyInput, 1);
await sequential(pool, primes, trivialInput, 200);
await throughput(poolN, mandelbrot, heavyInput, workersN);
await throughput(pool, mandelbrot, heavyInput, 1);

// Rounds alternate baseline and pool, and medians are reported, so a change in machine load
// during the run (this machine is shared) hits both sides alike.
const measures = ["trivialDirect", "trivialAhead", "trivialPool", "trivialDispatch", "trivialPipelined", "heavyDirect", "heavyPool", "one", "many"] as const;
type Measure = (typeof measures)[number];
const rounds = Object.fromEntries(measures.map((k) => [k, [] as number[]])) as Record<Measure, number[]>;
for (let round = 0; round < ROUNDS; round++) {
  rounds.trivialDirect.push(direct(primes, trivialInput, TRIVIAL_RUNS));
  rounds.trivialAhead.push(directAhead(primes, trivialInput, TRIVIAL_RUNS));
  const trivial = await sequential(pool, primes, trivialInput, TRIVIAL_RUNS);
  rounds.trivialPool.push(trivial.perTask);
  rounds.trivialDispatch.push(trivial.dispatch);
  rounds.trivialPipelined.push(1000 / (await throughput(pool, primes, trivialInput, TRIVIAL_RUNS)));
  rounds.heavyDirect.push(direct(mandelbrot, heavyInput, HEAVY_RUNS));
  rounds.heavyPool.push((await sequential(pool, mandelbrot, heavyInput, HEAVY_RUNS)).perTask);
  rounds.one.push(await throughput(pool, mandelbrot, heavyInput, SCALING_TILES));
  rounds.many.push(await throughput(poolN, mandelbrot, heavyInput, SCALING_TILES));
}
pool.close();
poolN.close();
const m = Object.fromEntries(measures.map((k) => [k, median(rounds[k])])) as Record<Measure, number>;

const loadAverage = loadavg()[0]!;
const f = (n: number, digits = 3): string => n.toFixed(digits);
const lines = [
  `Node ${process.version}, ${availableParallelism()} logical cores, N = ${workersN} workers (worker_threads host), medians of ${ROUNDS} rounds, 1-min load average ${loadAverage.toFixed(1)}`,
  "",
  "| measure | direct call (baseline) | pool | ratio / result | target |",
  "|---|---|---|---|---|",
  `| trivial task, ms per task (1 worker, one at a time) | ${f(m.trivialDirect)} | ${f(m.trivialPool)} | whole overhead ${f(m.trivialPool - m.trivialDirect)} ms | < 0.2 ms |`,
  `| trivial task, ms per task, against a direct call on an instance made beforehand (as the pool's worker does) | ${f(m.trivialAhead)} | ${f(m.trivialPool)} | overhead ${f(m.trivialPool - m.trivialAhead)} ms | — |`,
  `| trivial task, dispatch ms per task (its wall time minus its time in the worker) | — | ${f(m.trivialDispatch)} | dispatch overhead ${f(m.trivialDispatch)} ms | < 0.2 ms |`,
  `| trivial task, ms per task (1 worker, ${TRIVIAL_RUNS} submitted at once) | ${f(m.trivialDirect)} | ${f(m.trivialPipelined)} | overhead ${f(m.trivialPipelined - m.trivialDirect)} ms | — |`,
  `| Mandelbrot 256x256x1000, ms per tile (1 worker) | ${f(m.heavyDirect, 1)} | ${f(m.heavyPool, 1)} | ${f(m.heavyPool / m.heavyDirect, 3)}x | <= 1.1x |`,
  `| Mandelbrot tiles/s, 1 worker vs ${workersN} workers | ${f(m.one, 2)} (1 worker) | ${f(m.many, 2)} (${workersN} workers) | scaling efficiency ${f((100 * m.many) / (workersN * m.one), 0)}% | >= 90% |`,
];
process.stdout.write(lines.join("\n") + "\n");
