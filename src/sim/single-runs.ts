/**
 * The jobs the fold settled by one worker alone, by that worker: a strike against the worker may
 * revoke them (the fold reopens its unvested single runs, ledger/README.md 8.7). After a strike
 * only the struck workers' jobs are looked at again, not every single run of the run (hundreds of
 * thousands at 10,000 members, and strikes land all through a run with liars).
 */
import type { Did } from "../core/identity/did-key.ts";
import type { LedgerState } from "../core/ledger/state.ts";
import type { EntryId } from "../core/ledger/types.ts";

interface Worker {
  /** The worker's latest strike when its jobs were last looked at (a new strike is a new object). */
  strike: unknown;
  readonly jobs: Set<number>;
}

export class SingleRuns {
  /** By the job's lone worker (undefined: the fold named none, so the job is looked at after every strike). */
  private readonly byWorker = new Map<Did | undefined, Worker>();
  private readonly workerOf = new Map<number, Worker>();

  get size(): number {
    return this.workerOf.size;
  }

  has(job: number): boolean {
    return this.workerOf.has(job);
  }

  add(job: number, worker: Did | undefined, state: LedgerState): void {
    let entry = this.byWorker.get(worker);
    if (!entry) {
      entry = { strike: latestStrike(state, worker), jobs: new Set() };
      this.byWorker.set(worker, entry);
    }
    entry.jobs.add(job);
    this.workerOf.set(job, entry);
  }

  delete(job: number): void {
    this.workerOf.get(job)?.jobs.delete(job);
    this.workerOf.delete(job);
  }

  /**
   * Forgets the jobs the fold can no longer revoke and returns them: a revocation reopens only a
   * job whose single-run grant is still among its worker's unvested grants (standing.ts
   * revokeSingleRuns), and a grant that left them (vested) never comes back. With 300 s vesting
   * most of a long run's single runs are past it.
   */
  vested(state: LedgerState, idOf: (job: number) => EntryId): number[] {
    const done: number[] = [];
    for (const [worker, entry] of this.byWorker) {
      if (worker === undefined || entry.jobs.size === 0) continue;
      const unvested = new Set<string>();
      for (const grant of state.accounts[worker]?.grants ?? []) if (grant.single) unvested.add(grant.job);
      for (const job of entry.jobs) {
        if (unvested.has(idOf(job))) continue;
        entry.jobs.delete(job);
        this.workerOf.delete(job);
        done.push(job);
      }
    }
    return done;
  }

  /** The jobs of every worker struck since the last call, ascending: the only ones a strike may have reopened. */
  struck(state: LedgerState): number[] {
    const jobs: number[] = [];
    for (const [worker, entry] of this.byWorker) {
      const strike = latestStrike(state, worker);
      if (worker !== undefined && strike === entry.strike) continue;
      entry.strike = strike;
      for (const job of entry.jobs) jobs.push(job);
    }
    return jobs.sort((a, b) => a - b);
  }
}

const latestStrike = (state: LedgerState, worker: Did | undefined): unknown => (worker === undefined ? undefined : state.standing[worker]?.strikes.at(-1));
