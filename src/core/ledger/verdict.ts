/**
 * Verdicts, credits and reputation: the integer arithmetic the job rules apply (ledger/README.md,
 * "Verdict", "Credits", "Reputation"). Integers only (BigInt where a product can pass 2^53): every
 * engine must compute the same state, to the last unit.
 */
import type { Did } from "../identity/did-key.ts";
import { dictionary, type AccountState, type JobFailure, type JobState, type LedgerState, type ReputationState } from "./state.ts";
import type { EntryId } from "./types.ts";

/** One epoch is one UTC day; reputation decays per epoch. */
export const EPOCH_MS = 86_400_000;
export const REPUTATION_AGREE = 1_000;
export const REPUTATION_CAP = 1_000_000;
/** 0.97^d: about 23 epochs half-life. */
const DECAY_NUM = 97n;
const DECAY_DEN = 100n;
/** Past this many epochs any reputation under the cap has decayed to 0 (0.97^700 * 10^6 < 1). */
const MAX_DECAY_EPOCHS = 700;

export const epochOf = (time: number): number => Math.floor(time / EPOCH_MS);

/** R * 97^d / 100^d, floored. */
export function decayReputation(milli: number, epochs: number): number {
  if (epochs <= 0 || milli === 0) return milli;
  if (epochs >= MAX_DECAY_EPOCHS) return 0;
  const d = BigInt(epochs);
  return Number((BigInt(milli) * DECAY_NUM ** d) / DECAY_DEN ** d);
}

/** The output a strict majority of the job's k replicas revealed, if any. */
export function majorityOutput(job: JobState): string | undefined {
  const counts = new Map<string, number>();
  for (const output of Object.values(job.reveals)) counts.set(output, (counts.get(output) ?? 0) + 1);
  for (const [output, count] of counts) if (count * 2 > job.replicas) return output;
  return undefined;
}

function reputationAt(state: LedgerState, did: Did, time: number): ReputationState {
  const epoch = epochOf(time);
  const current = state.reputation[did] ?? { milli: 0, epoch, agreed: 0, disagreed: 0 };
  // Entries fold in time order, so epochs only move forward; max() guards equal-time ties.
  const next = Math.max(epoch, current.epoch);
  const updated = { ...current, milli: decayReputation(current.milli, next - current.epoch), epoch: next };
  state.reputation[did] = updated;
  return updated;
}

export function rewardAgreement(state: LedgerState, did: Did, time: number): void {
  const r = reputationAt(state, did, time);
  r.milli = Math.min(REPUTATION_CAP, r.milli + REPUTATION_AGREE);
  r.agreed += 1;
}

/** A worker that revealed an output the verdict rejected keeps two thirds of its reputation. */
export function penaliseDisagreement(state: LedgerState, did: Did, time: number): void {
  const r = reputationAt(state, did, time);
  r.milli = Math.floor((r.milli * 2) / 3);
  r.disagreed += 1;
}

export function accountOf(state: LedgerState, did: Did): AccountState {
  const account = (state.accounts[did] ??= { vested: 0, grants: [], spent: 0 });
  settleVesting(account, state.clock);
  return account;
}

/** Moves grants whose vesting time the fold has reached into `vested` (keeps the state small). */
function settleVesting(account: AccountState, clock: number): void {
  while (account.grants.length > 0 && account.grants[0]!.vestsAt <= clock) account.vested += account.grants.shift()!.amount;
}

/**
 * Settles a job whose reveals just reached a strict majority: matching workers split the reward
 * (floor), the remainder goes back to the submitter, earlier dissenters lose reputation.
 */
export function settleVerdict(state: LedgerState, jobId: EntryId, job: JobState, output: string, time: number): void {
  const workers = Object.keys(job.reveals).filter((w) => job.reveals[w] === output).sort() as Did[];
  job.status = "done";
  job.verdict = { output, workers, time };
  const share = Math.floor(job.reward / workers.length);
  const vestsAt = time + state.pool!.settings.vestingSeconds * 1000;
  for (const worker of workers) {
    addGrant(accountOf(state, worker), { job: jobId, amount: share, vestsAt });
    rewardAgreement(state, worker, time);
  }
  accountOf(state, job.submitter).spent -= job.reward - share * workers.length;
  for (const [worker, revealed] of Object.entries(job.reveals)) {
    if (revealed !== output) penaliseDisagreement(state, worker as Did, time);
  }
}

/** A job that cannot reach a verdict: the submitter gets its reward back; nobody earns or loses reputation. */
export function failJob(state: LedgerState, job: JobState, failure: JobFailure): void {
  job.status = "failed";
  job.failure = failure;
  job.claims = dictionary();
  accountOf(state, job.submitter).spent -= job.reward;
}

/**
 * Keeps grants sorted by vesting time (then job id) so settlement order is canonical. Inserted from
 * the end: the fold runs in time order, so a new grant almost always vests last.
 */
function addGrant(account: AccountState, grant: AccountState["grants"][number]): void {
  const { grants } = account;
  let at = grants.length;
  while (at > 0 && (grants[at - 1]!.vestsAt > grant.vestsAt || (grants[at - 1]!.vestsAt === grant.vestsAt && grants[at - 1]!.job > grant.job))) at--;
  grants.splice(at, 0, grant);
}

export interface Balance {
  spendable: number;
  vesting: number;
  nextVest?: number;
}

/** What a member can spend at `now` (a view: the clock is the reader's, not the fold's). */
export function balanceAt(account: AccountState, now: number): Balance {
  let spendable = account.vested - account.spent;
  let vesting = 0;
  let nextVest: number | undefined;
  for (const grant of account.grants) {
    if (grant.vestsAt <= now) spendable += grant.amount;
    else {
      vesting += grant.amount;
      nextVest ??= grant.vestsAt;
    }
  }
  return nextVest === undefined ? { spendable, vesting } : { spendable, vesting, nextVest };
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
}

export const jobView = (id: EntryId, job: JobState, now: number): JobView => ({
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
});

