/**
 * Verdicts, credits and reputation: the integer arithmetic the job rules apply (ledger/README.md,
 * "Verdict", "Credits", "Reputation"). Integers only (BigInt where a product can pass 2^53): every
 * engine must compute the same state, to the last unit.
 */
import type { Did } from "../identity/did-key.ts";
import { accountOf, addGrant, REPUTATION_AGREE, REPUTATION_SPOT_PASSED, rewardAgreement } from "./accounts.ts";
import { recordPaidWork } from "./open-standing.ts";
import { paramsOf } from "./params.ts";
import { minorStrike, severeStrike, standingOf } from "./standing.ts";
import { dictionary, type GrantState, type JobFailure, type JobState, type LedgerState } from "./state.ts";
import type { EntryId } from "./types.ts";
import { hasAuditors } from "./auditors.ts";

export { EPOCH_MS, epochOf } from "./params.ts";
export { accountOf, addGrant, balanceAt, decayReputation, REPUTATION_AGREE, REPUTATION_CAP, REPUTATION_SPOT_PASSED, reputationAt, rewardAgreement, type Balance } from "./accounts.ts";

/** The output a strict majority of the job's k replicas revealed, if any. */
export function majorityOutput(job: JobState): string | undefined {
  const counts = new Map<string, number>();
  for (const output of Object.values(job.reveals)) counts.set(output, (counts.get(output) ?? 0) + 1);
  for (const [output, count] of counts) if (count * 2 > job.replicas) return output;
  return undefined;
}

/**
 * Settles a job whose reveals just reached a strict majority (ledger/README.md 8.3, 8.7): the
 * matching workers are paid and gain reputation (and C when the result was replicated); a
 * contested verdict waits for an audit when the pool has auditors, else its dissenters are struck.
 */
export function settleVerdict(state: LedgerState, jobId: EntryId, job: JobState, output: string, time: number): void {
  const workers = Object.keys(job.reveals).filter((w) => job.reveals[w] === output).sort() as Did[];
  const revealed = Object.keys(job.reveals).length;
  const alone = job.single !== undefined && revealed === 1;
  job.status = "done";
  job.verdict = { output, workers, time, ...(alone ? { single: true } : {}) };
  payWorkers(state, jobId, job, workers, time);
  for (const worker of workers) payEscalated(state, jobId, job, worker, time);
  const earning = workers.filter((worker) => earns(job, worker));
  if (!job.funded) recordPaidWork(state, job.submitter, earning);
  const tally = paramsOf(state).tally;
  const contested = workers.length < revealed;
  if (revealed >= 2) tally.replicated += 1;
  if (contested) tally.contested += 1;
  if (job.spotChecked) tally.checks += 1;
  for (const worker of earning) {
    const passedSpot = job.spotChecked === true && worker === job.single;
    rewardAgreement(state, worker, time, passedSpot ? REPUTATION_SPOT_PASSED : REPUTATION_AGREE);
    if (revealed >= 2) standingOf(state, worker).streak += 1;
  }
  if (contested && job.audit === undefined && hasAuditors(state)) job.audit = { status: "pending" };
  else judgeDissenters(state, jobId, job, output, time);
}

/**
 * Whether a worker's agreeing result earns credits, reputation and C: not when its commit came
 * after an output of the job was revealed (it may be a copy) or it revealed early itself.
 */
export const earns = (job: JobState, worker: Did): boolean => job.commits[worker]?.unpaid !== true;

/**
 * The reward goes to the matching workers that earn (floor split over all matching workers, the
 * rest back to the submitter). A spot-checked single run pays its worker the whole reward and the
 * spot worker one share (reward / majority k) from the fund; a re-verification after a revocation
 * is paid by the fund.
 */
function payWorkers(state: LedgerState, jobId: EntryId, job: JobState, workers: readonly Did[], time: number): void {
  const vestsAt = time + state.pool!.settings.vestingSeconds * 1000;
  const single = job.single !== undefined && workers.includes(job.single) ? job.single : undefined;
  if (single && job.spotChecked) {
    if (earns(job, single)) addGrant(accountOf(state, single), { job: jobId, amount: job.reward, vestsAt });
    else refund(state, job, job.reward);
    for (const worker of workers) if (worker !== single && earns(job, worker)) payFromFund(state, worker, { job: jobId, amount: extraShare(state, job), vestsAt });
    return;
  }
  if (workers.length === 0) return refund(state, job, job.reward);
  const share = Math.floor(job.reward / workers.length);
  let paid = 0;
  for (const worker of workers) {
    if (!earns(job, worker)) continue;
    const grant = { job: jobId, amount: share, vestsAt, ...(job.verdict?.single ? { single: true } : {}) };
    if (job.funded) payFromFund(state, worker, grant);
    else addGrant(accountOf(state, worker), grant);
    paid += share;
  }
  refund(state, job, job.reward - paid);
}

/**
 * A trusted worker's agreeing result on a replica added by escalation: one extra share from the
 * fund, and no reputation or C. Its commit came after the earlier outputs were shown, but they
 * disagreed, so a copy is a bet on one of them, and a lost bet strikes a trusted worker hard
 * (../README.md 8.3).
 */
function payEscalated(state: LedgerState, jobId: EntryId, job: JobState, worker: Did, time: number): void {
  if (job.commits[worker]?.escalated) payFromFund(state, worker, { job: jobId, amount: extraShare(state, job), vestsAt: time + state.pool!.settings.vestingSeconds * 1000 });
}

/** What the fund pays for one extra execution (a spot, audit or re-run replica). */
export const extraShare = (state: LedgerState, job: JobState): number => Math.floor(job.reward / paramsOf(state).set.majority);

export function payFromFund(state: LedgerState, did: Did, grant: GrantState): void {
  state.fund -= grant.amount;
  addGrant(accountOf(state, did), grant);
}

/** Unused reward goes back to whoever paid it: the submitter, or the fund for a re-verification. */
function refund(state: LedgerState, job: JobState, amount: number): void {
  if (job.funded) state.fund += amount;
  else accountOf(state, job.submitter).spent -= amount;
}

/**
 * Workers whose output the verdict rejected: two or more identities with the same rejected output
 * are colluding (severe); a lone wrong output is a minor strike.
 */
export function judgeDissenters(state: LedgerState, jobId: EntryId, job: JobState, output: string, time: number): void {
  const groups = new Map<string, Did[]>();
  for (const [worker, revealed] of Object.entries(job.reveals)) if (revealed !== output) groups.set(revealed, [...(groups.get(revealed) ?? []), worker as Did]);
  for (const group of groups.values()) {
    for (const worker of group.sort()) {
      if (group.length >= 2) severeStrike(state, worker, "colluded", time, jobId);
      else minorStrike(state, worker, "wrong-output", time, jobId);
    }
  }
}

/**
 * A reveal after the verdict settled: agreeing counts as a valid result (reputation, C and the
 * MeritRank work edge; no credits: the reward was split); differing contests the verdict, so it waits for an audit when
 * the pool has auditors (a quick colluding pair must not settle a job and strike the honest worker
 * who revealed last), else it is struck like a dissenter at settlement.
 */
export function judgeLateReveal(state: LedgerState, jobId: EntryId, job: JobState, worker: Did, time: number): void {
  const revealed = job.reveals[worker]!;
  if (revealed === job.verdict!.output) {
    payEscalated(state, jobId, job, worker, time);
    if (!earns(job, worker)) return;
    rewardAgreement(state, worker, time);
    standingOf(state, worker).streak += 1;
    // Its output was fixed before any was shown: verified work for the submitter, as at settlement.
    if (!job.funded) recordPaidWork(state, job.submitter, [worker]);
    return;
  }
  if (job.audit?.status === "pending") return;
  if (job.audit === undefined && job.verdict!.workers.length === Object.keys(job.reveals).length - 1) paramsOf(state).tally.contested += 1;
  if (job.audit === undefined && hasAuditors(state)) {
    job.audit = { status: "pending" };
    return;
  }
  const same = Object.values(job.reveals).filter((o) => o === revealed).length;
  if (same >= 2) severeStrike(state, worker, "colluded", time, jobId);
  else minorStrike(state, worker, "wrong-output", time, jobId);
}

/** A job that cannot reach a verdict: the submitter gets its reward back; nobody earns or loses reputation. */
export function failJob(state: LedgerState, job: JobState, failure: JobFailure): void {
  job.status = "failed";
  job.failure = failure;
  job.claims = dictionary();
  refund(state, job, job.reward);
}

export type JobStatus = "queued" | "running" | "verifying" | "done" | "failed";

/** The status a submitter sees at `now`: stored `done`, else derived from claims, commits and the deadline. */
export function jobStatusAt(job: JobState, now: number): JobStatus {
  if (job.status === "done") return "done";
  if (job.status === "failed") return "failed";
  if (now > job.deadline) return "failed";
  if (Object.keys(job.commits).length >= job.replicas) return "verifying";
  const running = Object.values(job.claims).some((c) => c.until >= now) || Object.keys(job.commits).length > 0;
  return running ? "running" : "queued";
}

/** One job as readers show it (the CLI, the app, ledger show): the fold's facts at the reader's clock. */
export interface JobView {
  readonly id: EntryId;
  readonly status: JobStatus;
  readonly submitter: Did;
  readonly task: string;
  readonly replicas: number;
  readonly reward: number;
  readonly deadline: number;
  readonly submitted: number;
  readonly commits: number;
  readonly reveals: number;
  readonly failure?: string;
  /** Hex SHA-256 of the accepted output, once done. */
  readonly output?: string;
  /**
   * A verdict is provisional until its credits vest (ledger/README.md 8.7, vesting is the bond):
   * until then a caught worker's result can still be revoked and the job re-run. The time it
   * becomes final.
   */
  readonly provisionalUntil?: number;
}

/** The pool's vesting period in ms (how long a verdict stays provisional). */
export const vestingMsOf = (state: LedgerState): number => (state.pool?.settings.vestingSeconds ?? 0) * 1000;

export const jobView = (id: EntryId, job: JobState, now: number, vestingMs: number): JobView => ({
  id,
  status: jobStatusAt(job, now),
  submitter: job.submitter,
  task: job.task,
  replicas: job.replicas,
  reward: job.reward,
  deadline: job.deadline,
  submitted: job.submitted,
  commits: Object.keys(job.commits).length,
  reveals: Object.keys(job.reveals).length,
  ...(job.failure ? { failure: job.failure } : {}),
  ...(job.verdict ? { output: job.verdict.output } : {}),
  ...(job.status === "done" && job.verdict!.time + vestingMs > now ? { provisionalUntil: job.verdict!.time + vestingMs } : {}),
});

