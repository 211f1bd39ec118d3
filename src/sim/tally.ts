/**
 * Counters the engine keeps while it runs, and the job arrival rate it derives from the offered
 * load (arrivals as a share of what the honest members online can run).
 */
import type { SimConfig } from "./config.ts";
import { draw, ln, meanOf, type Distribution, type Rng } from "./random.ts";

export interface Tally {
  submitted: number;
  /** Task runs that finished (compute spent; fake Sybil answers excluded). */
  executions: number;
  computeMs: number;
  /** Compute lost to nodes that left or paused past their lease mid-task. */
  abortedMs: number;
  /** Results finished after the job settled or after the replica went to someone else. */
  lateResults: number;
  /** Commits the fold never took (lost in the network or refused). */
  lostCommits: number;
  /** Claims the fold did not grant or later gave to another worker (a contest, a race): the worker stopped. */
  lostClaims: number;
  /** Suspended dishonest identities that came back under a new one (--reentry). */
  reentries: number;
  endedAt: number;
}

export const newTally = (): Tally => ({ submitted: 0, executions: 0, computeMs: 0, abortedMs: 0, lateResults: 0, lostCommits: 0, lostClaims: 0, reentries: 0, endedAt: 0 });

/** Share of time a node can compute: online (churn) and inside its daily window (battery). */
export function computeShare(config: SimConfig): number {
  const online = config.churn.rate === 0 ? 1 : config.churn.availability;
  const windowed = config.devices.battery * (config.devices.windowHours / 24) + (1 - config.devices.battery);
  return online * windowed;
}

/** Mean run time of one replica: the task's mean over the mean of 1/speed (uniform speeds). */
export function meanRunMs(config: SimConfig): number {
  const [slow, fast] = config.devices.speed;
  const inverseSpeed = fast > slow ? ln(fast / slow) / (fast - slow) : 1 / slow;
  return meanOf(config.devices.task) * inverseSpeed;
}

/** Jobs per ms the pool is offered: load x honest capacity (workers online / (run time x k)). */
export function arrivalRate(config: SimConfig): number {
  const a = config.adversaries;
  // Honest members and liars run tasks; claimers, free-riders and Sybils add no capacity.
  const workers = Math.max(1, config.nodes * (1 - a.claimers - a.freeRiders - a.sybil));
  return (config.load * workers * computeShare(config)) / (meanRunMs(config) * config.pool.replicas);
}

/**
 * Submission times: a Poisson process at the arrival rate, each time rounded to a whole
 * millisecond, not each gap. Gaps rounded to at least 1 ms (as `sample` returns them) capped
 * arrivals near 850 a second, under a 10,000-member pool's capacity (about 1,050 jobs a second
 * at k = 3), so "load 1.5" did not saturate it; several jobs may now arrive in one millisecond.
 */
export class ArrivalClock {
  private exact: number;
  private readonly gap: Distribution;

  constructor(
    config: SimConfig,
    private readonly rng: Rng,
    first: number,
  ) {
    this.exact = first;
    this.gap = { kind: "exp", mean: 1 / arrivalRate(config) };
  }

  /** The next submission's time (never before the last one's). */
  next(): number {
    this.exact += draw(this.rng, this.gap);
    return Math.round(this.exact);
  }
}
