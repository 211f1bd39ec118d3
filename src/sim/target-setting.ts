/** The setting every simulator target row runs in (npm run sim:targets, npm run sim:open). */
import { configWith, mergeOverrides, type SimOverrides } from "./config.ts";
import { simulate, type SimReport } from "./index.ts";

/**
 * Vesting scaled to the run's compressed time: a worker runs about 60 replicas in 300 s here, as
 * many as a volunteer runs in days. With the default 7 days nothing would vest during a run, so
 * every trusted worker would stop at M = 50 unvested single runs and fall back to k = 3.
 */
export const VESTING_SECONDS = 300;

/**
 * Every row runs a saturated pool (arrivals above capacity, a short lease, short tasks), as the
 * binomial checks do: replicas go to whichever worker is free next, whether it lies or not.
 */
export const SATURATED: SimOverrides = { load: 1.5, pool: { leaseSeconds: 10, vestingSeconds: VESTING_SECONDS }, devices: { task: { kind: "uniform", min: 2_000, max: 6_000 } } };

export interface TargetRun {
  readonly report: SimReport;
  /** CPU time of the run (this process, every thread: the parallel GC counts too). */
  readonly cpuSeconds: number;
}

/** Runs one target row once, in the saturated setting, with the given seed and size. */
export function runSeed(name: string, overrides: SimOverrides, size: { nodes: number; jobs: number }, seed: number): TargetRun {
  const cpu = process.cpuUsage();
  const outcome = simulate(configWith(mergeOverrides(SATURATED, { ...overrides, seed, nodes: size.nodes, jobs: size.jobs })));
  if (!outcome.ok) throw new Error(`${name}: ${outcome.message}`);
  const used = process.cpuUsage(cpu);
  return { report: outcome.report, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Runs one target row once per seed (1..seeds), with progress on stderr. */
export function runSeeds<F>(name: string, overrides: SimOverrides, size: { nodes: number; jobs: number; seeds: number }, figuresOf: (report: SimReport) => F): F[] {
  const runs: F[] = [];
  for (let seed = 1; seed <= size.seeds; seed++) {
    runs.push(figuresOf(runSeed(name, overrides, size, seed).report));
    process.stderr.write(`${name} seed ${seed}: ${JSON.stringify(runs.at(-1))}\n`);
  }
  return runs;
}
