/**
 * Penalties the fold derives, never accusations anyone writes (ledger/README.md, "Penalties"):
 * minor and severe strikes, suspension, forfeits into the verification fund, and the revocation of
 * a caught worker's unvested single-run verdicts (re-run at k = 3, the submitter refunded).
 */
import type { Did } from "../identity/did-key.ts";
import { requeueDeadline } from "./deadline-registry.ts";
import { jobsWorkedBy } from "./open-work.ts";
import { EPOCH_MS, paramsOf } from "./params.ts";
import { dictionary, type JobState, type LedgerState, type StandingState, type StrikeReason } from "./state.ts";
import type { EntryId } from "./types.ts";
import { accountOf, reputationAt } from "./accounts.ts";

/** Strikes kept per worker (older ones only matter as history). */
const STRIKES_KEPT = 16;
/** Two minor strikes this close together make a severe one. */
const REPEAT_WINDOW_MS = 7 * EPOCH_MS;

export function standingOf(state: LedgerState, did: Did): StandingState {
  const standing = (state.standing[did] ??= { streak: 0, strikes: [], stake: 0, unbonding: [], leases: dictionary(), expired: 0, expiredEpoch: 0 });
  releaseUnbonded(state, did, standing);
  return standing;
}

/** Withdrawn stake whose unbonding period the fold has passed returns to the account. */
function releaseUnbonded(state: LedgerState, did: Did, standing: StandingState): void {
  while (standing.unbonding.length > 0 && standing.unbonding[0]!.releasesAt <= state.clock) {
    accountOf(state, did).vested += standing.unbonding.shift()!.amount;
  }
}

const isSuspended = (state: LedgerState, did: Did): boolean => state.standing[did]?.suspended !== undefined;
export { isSuspended };

function record(state: LedgerState, standing: StandingState, strike: StandingState["strikes"][number]): void {
  standing.strikes.push(strike);
  if (standing.strikes.length > STRIKES_KEPT) standing.strikes.shift();
  paramsOf(state).tally.strikes += 1;
}

/**
 * A minor strike (commit never revealed, a lone wrong output): C = 0, R = floor(2R/3). A wrong
 * output also revokes the worker's unvested single-run verdicts. Two minor strikes within 7
 * epochs make a severe one.
 */
export function minorStrike(state: LedgerState, did: Did, reason: StrikeReason, time: number, job?: EntryId): void {
  const standing = standingOf(state, did);
  const previous = standing.strikes.filter((s) => !s.severe && s.time + REPEAT_WINDOW_MS > time).length;
  record(state, standing, { time, reason, severe: false, ...(job ? { job } : {}) });
  standing.streak = 0;
  const r = reputationAt(state, did, time);
  r.milli = Math.floor((r.milli * 2) / 3);
  r.disagreed += 1;
  if (!paramsOf(state).set.sanctions) return;
  if (reason === "wrong-output") revokeSingleRuns(state, did, time);
  if (previous > 0) severeStrike(state, did, "repeated", time, job);
}

/**
 * A severe strike (two identities revealing the same rejected output, two minor strikes in 7
 * epochs, equivocation): R = C = 0, stake and every unvested credit forfeited to the fund, the
 * worker suspended until an admin writes member.reinstate.
 */
export function severeStrike(state: LedgerState, did: Did, reason: StrikeReason, time: number, job?: EntryId): void {
  const standing = standingOf(state, did);
  record(state, standing, { time, reason, severe: true, ...(job ? { job } : {}) });
  standing.streak = 0;
  const r = reputationAt(state, did, time);
  r.milli = 0;
  r.disagreed += 1;
  if (!paramsOf(state).set.sanctions) return;
  standing.suspended ??= { time, reason };
  state.fund += standing.stake + standing.unbonding.reduce((sum, u) => sum + u.amount, 0);
  standing.stake = 0;
  standing.unbonding = [];
  revokeSingleRuns(state, did, time);
  forfeitUnvested(state, did);
  releaseOpenWork(state, did, time);
}

/**
 * A suspended (or departed) worker will not reveal, so its open commits and live claims would hold their
 * replicas until the deadline: they are voided, and the replicas are free again. A voided commit
 * of a replicated job still fixed its output: like a displaced holder's commitment it counts
 * towards opening reveals (ledger/README.md 8.2), so a worker that saw it and revealed is not
 * refused for it. A single run it held goes back to the job's majority k; a spot draw that
 * nobody's commit waits for is undone.
 */
export function releaseOpenWork(state: LedgerState, did: Did, time: number): void {
  const worked = jobsWorkedBy(state, did);
  for (const jobId of worked) {
    // Once visited the worker holds nothing open here: a new claim or commit notes the job again.
    worked.delete(jobId);
    const job = state.jobs[jobId];
    if (job?.status !== "open") continue;
    for (const [replica, claim] of Object.entries(job.claims)) {
      if (claim.worker !== did) continue;
      delete job.claims[replica];
      // Like a contest: a commit it wrote within that lease, not having seen its suspension, is refused and still proves its output.
      if (claim.until >= time && job.displaced?.[did]?.commitment === undefined) (job.displaced ??= dictionary())[did] = { replica: Number(replica), until: claim.until };
    }
    const commit = job.commits[did];
    if (!commit || job.reveals[did] !== undefined) continue;
    delete job.commits[did];
    // Not an unpaid commit (it may copy a reveal): a reinstated worker committing it again would earn.
    if (job.single !== did && !commit.unpaid) (job.displaced ??= dictionary())[did] = { replica: commit.replica, until: time, commitment: commit.commitment };
    if (Object.keys(job.reveals).length > 0) job.exposed = true;
    if (job.single === did) {
      job.replicas = job.base!;
      delete job.opened;
      delete job.single;
      delete job.spot;
      delete job.spotChecked;
      delete job.spotSince;
    }
    if (Object.keys(job.commits).length === 0 && !job.spotChecked) {
      delete job.seedAfter;
      delete job.seeded;
    }
  }
  standingOf(state, did).leases = dictionary();
}

/** Every unvested credit of `did` goes to the fund (a severe strike, or leaving the pool). */
export function forfeitUnvested(state: LedgerState, did: Did): void {
  if (!state.accounts[did]) return;
  const account = accountOf(state, did);
  for (const grant of account.grants) state.fund += grant.amount;
  account.grants = [];
}

/**
 * A caught worker's unvested single-run verdicts are revoked: the credit goes to the fund, the
 * submitter is refunded, and the job opens again at the majority k (paid by the fund), with the
 * same time to its deadline it had at submission and without this worker.
 */
export function revokeSingleRuns(state: LedgerState, did: Did, time: number): void {
  if (!state.accounts[did]) return;
  const account = accountOf(state, did);
  const kept = [];
  for (const grant of account.grants) {
    const job = state.jobs[grant.job];
    if (!grant.single || !job || job.status !== "done" || job.single !== did) {
      kept.push(grant);
      continue;
    }
    state.fund += grant.amount;
    if (!job.funded) accountOf(state, job.submitter).spent -= job.reward;
    reopen(state, job, did, time);
    requeueDeadline(state, grant.job, job.deadline);
  }
  account.grants = kept;
}

function reopen(state: LedgerState, job: JobState, did: Did, time: number): void {
  job.status = "open";
  delete job.verdict;
  delete job.single;
  delete job.seedAfter;
  delete job.seeded;
  delete job.spotChecked;
  delete job.spotSince;
  delete job.spot;
  delete job.adaptive;
  // The revealed output was the caught worker's, who may not take the job again: nothing to copy.
  delete job.exposed;
  delete job.opened;
  delete job.displaced;
  job.replicas = Math.max(job.base ?? 3, paramsOf(state).majority);
  job.claims = dictionary();
  job.commits = dictionary();
  job.reveals = dictionary();
  job.funded = true;
  job.excluded = [...new Set([...(job.excluded ?? []), did])].sort();
  job.deadline = time + (job.deadline - job.submitted);
  job.submitted = time;
}

/** Leases of a worker still live at `time` (what its claim quota counts); reads only. */
export function liveLeases(standing: StandingState | undefined, time: number): number {
  let live = 0;
  if (!standing) return live;
  // for-in: every claim the fold takes and every claim a worker plans asks this; no array per call.
  for (const job in standing.leases) if (standing.leases[job]! >= time) live++;
  return live;
}

/** Leases that ended before `time` leave the standing (a claim's rule tidies them as it meets them). */
export function dropEndedLeases(standing: StandingState, time: number): void {
  for (const [job, until] of Object.entries(standing.leases)) if (until < time) delete standing.leases[job];
}

/** A lease that ran out without a commit is churn, not cheating: it lowers this epoch's quota only. */
export function leaseExpired(state: LedgerState, did: Did, jobId: EntryId, time: number): void {
  const standing = standingOf(state, did);
  delete standing.leases[jobId];
  const epoch = Math.floor(time / EPOCH_MS);
  if (standing.expiredEpoch !== epoch) {
    standing.expiredEpoch = epoch;
    standing.expired = 0;
  }
  standing.expired += 1;
}

/** Live leases a worker may hold now: the pool's quota, one less per expired lease this epoch, at least 1. */
export function quotaOf(state: LedgerState, standing: StandingState | undefined, time: number): number {
  const expired = standing?.expiredEpoch === Math.floor(time / EPOCH_MS) ? standing.expired : 0;
  return Math.max(1, paramsOf(state).set.quota - expired);
}
