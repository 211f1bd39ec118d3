/**
 * Issue 12's measurements in a simulated open pool, beside the run:
 * - a Sybil farm: stranger identities that only ever run jobs their operator (an honest newcomer)
 *   or each other submit, all agreeing, so the real fold pays them and records MeritRank work
 *   edges; at the end the farm's standing is compared with its operator's;
 * - honest newcomers: the reward factor the fold's MeritRank gives each when its probation ends
 *   (10 verified results), and how many verified results it took to reach the full factor.
 * Both read MeritRank exactly as the fold computes it (core/ledger/open-standing.ts, meritView).
 */
import { meritView, PROBATION_RESULTS, FULL_FACTOR } from "../core/ledger/open-standing.ts";
import type { LedgerState } from "../core/ledger/state.ts";
import type { Did } from "../core/identity/did-key.ts";
import type { EntryId } from "../core/ledger/types.ts";
import { resultCommitment } from "../core/ledger/writer.ts";
import type { SimLedger } from "./ledger.ts";
import type { Rng } from "./random.ts";

/** How often (simulated ms) newcomers not yet at the full factor are scored again. */
const RESCORE_MS = 10_000;
const EMPTY = new Uint8Array(0);

export interface NewcomerFigures {
  readonly count: number;
  /** Newcomers whose probation ended during the run. */
  readonly probationEnded: number;
  /** Of those, how many held the full reward factor (1000) when it ended. */
  readonly fullAtProbationEnd: number;
  readonly medianFactorAtProbationEnd: number;
  /** Of those, how many had no standing then: none of their verified results was paid work that reached them from the admins. */
  readonly noStandingAtProbationEnd: number;
  /** Median verified results when a newcomer first held the full factor (of those that did). */
  readonly medianResultsToFull: number;
  readonly reachedFull: number;
}

export interface FarmFigures {
  readonly identities: number;
  readonly jobs: number;
  readonly operatorScore: number;
  readonly farmScore: number;
  /** The farm's summed standing over its operator's. */
  readonly ratio: number;
  readonly operatorFactor: number;
  readonly meanFarmFactor: number;
}

const median = (values: readonly number[]): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const scored = (state: LedgerState) => (state.pool?.open ? meritView(state, state.pool.open) : undefined);

/** Watches honest newcomers' standing as their verified results accumulate. */
export class NewcomerWatch {
  private readonly atProbationEnd = new Map<Did, number>();
  private withoutStanding = 0;
  private readonly resultsToFull = new Map<Did, number>();
  private scoredAt = -Infinity;

  constructor(private readonly newcomers: readonly Did[]) {}

  /** Called each fold tick: scores the newcomers whose probation just ended, and now and then the rest. */
  tick(state: LedgerState, now: number): void {
    const agreed = (did: Did): number => state.reputation[did]?.agreed ?? 0;
    const ended = this.newcomers.filter((did) => !this.atProbationEnd.has(did) && agreed(did) >= PROBATION_RESULTS);
    const waiting = this.newcomers.some((did) => this.atProbationEnd.has(did) && !this.resultsToFull.has(did));
    if (ended.length === 0 && !(waiting && now - this.scoredAt >= RESCORE_MS)) return;
    const view = scored(state);
    if (!view) return;
    this.scoredAt = now;
    for (const did of ended) {
      this.atProbationEnd.set(did, view.factors[did] ?? 0);
      if ((view.scores.get(did) ?? 0) === 0) this.withoutStanding++;
    }
    for (const did of this.atProbationEnd.keys()) if (!this.resultsToFull.has(did) && (view.factors[did] ?? 0) >= FULL_FACTOR) this.resultsToFull.set(did, agreed(did));
  }

  figures(): NewcomerFigures {
    const factors = [...this.atProbationEnd.values()];
    return {
      count: this.newcomers.length,
      probationEnded: factors.length,
      fullAtProbationEnd: factors.filter((f) => f >= FULL_FACTOR).length,
      medianFactorAtProbationEnd: median(factors),
      noStandingAtProbationEnd: this.withoutStanding,
      medianResultsToFull: median([...this.resultsToFull.values()]),
      reachedFull: this.resultsToFull.size,
    };
  }
}

/** A farm job on its way: claims, then commits, then reveals, one step per fold tick (entry times never go back). */
interface FarmJob {
  readonly job: EntryId;
  readonly workers: readonly Did[];
  readonly output: Uint8Array;
  readonly salt: Uint8Array;
  /** When it was submitted: its claims come at a later tick, so they sort after the submission. */
  readonly at: number;
  step: number;
}

/**
 * A Sybil farm behind one operator: every few of the pool's submissions the operator (or, in
 * turn, one of its identities) submits a job and three farm identities claim, commit and reveal
 * the same output. The fold pays them and draws the edges; nobody else sees these jobs.
 */
export class SybilFarm {
  private turn = 0;
  private readonly running: FarmJob[] = [];
  jobs = 0;

  constructor(
    private readonly ledger: SimLedger,
    private readonly operator: Did,
    readonly identities: readonly Did[],
    private readonly rng: Rng,
  ) {}

  submit(now: number, reward: number, deadlineMs: number): void {
    const n = this.identities.length;
    const submitter = this.jobs % 2 === 0 ? this.operator : this.identities[this.turn % n]!;
    const workers = [1, 2, 3].map((i) => this.identities[(this.turn + i) % n]!).filter((w) => w !== submitter);
    this.turn += 3;
    this.jobs++;
    const job = this.ledger.write(submitter, "job.submit", { task: "sim-farm", input: EMPTY, replicas: workers.length, reward, deadline: now + deadlineMs }, now, { reliable: true });
    this.running.push({ job, workers, output: this.rng.bytes(32), salt: this.rng.bytes(16), at: now, step: 0 });
  }

  /** Each fold tick: every farm job in flight takes its next step. */
  tick(now: number): void {
    for (const farmJob of this.running) {
      if (farmJob.at >= now) continue;
      const { job, workers, output, salt } = farmJob;
      workers.forEach((worker, replica) => {
        if (farmJob.step === 0) this.ledger.write(worker, "job.claim", { job, replica }, now, { reliable: true });
        else if (farmJob.step === 1) this.ledger.write(worker, "result.commit", { job, replica, commitment: resultCommitment(salt, output) }, now, { reliable: true });
        else this.ledger.write(worker, "result.reveal", { job, salt, output }, now, { reliable: true });
      });
      farmJob.step++;
    }
    for (let i = this.running.length - 1; i >= 0; i--) if (this.running[i]!.step > 2) this.running.splice(i, 1);
  }

  figures(state: LedgerState): FarmFigures {
    const view = scored(state);
    const operatorScore = view?.scores.get(this.operator) ?? 0;
    const farmScore = this.identities.reduce((sum, did) => sum + (view?.scores.get(did) ?? 0), 0);
    const farmFactors = this.identities.map((did) => view?.factors[did] ?? 0);
    return {
      identities: this.identities.length,
      jobs: this.jobs,
      operatorScore,
      farmScore,
      ratio: operatorScore === 0 ? 0 : farmScore / operatorScore,
      operatorFactor: view?.factors[this.operator] ?? 0,
      meanFarmFactor: farmFactors.reduce((a, b) => a + b, 0) / Math.max(1, farmFactors.length),
    };
  }
}
