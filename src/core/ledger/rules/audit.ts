/**
 * The audit rule (ledger/README.md 8.7): a member holding `job/audit` re-runs a contested job and
 * its output wins. If it confirms the verdict, the dissenters are struck; if it overturns it, the
 * majority forfeits its credits for the job and is struck (two or more identities: severe), and each
 * vindicated minority worker is paid its share and a bounty of one reward from the fund.
 */
import { bytesEqual, bytesToHex, sha256 } from "../../crypto/index.ts";
import type { Did } from "../../identity/did-key.ts";
import { paramsOf } from "../params.ts";
import type { BodySchema } from "../schema.ts";
import { minorStrike, severeStrike, standingOf } from "../standing.ts";
import type { JobState, LedgerState } from "../state.ts";
import type { Entry, EntryId, Rejection, SignedEntry } from "../types.ts";
import { accountOf, earns, extraShare, judgeDissenters, payFromFund, rewardAgreement, settleVerdict } from "../verdict.ts";
import { MAX_INLINE_BYTES } from "./jobs.ts";
import { rejection } from "./rejection.ts";

export const auditResultSchema: BodySchema = {
  job: { type: "entry-id" },
  /** sha2-256 of the task's output as the auditor computed it. */
  output: { type: "bytes", min: 32, max: 32 },
  data: { type: "bytes", min: 0, max: MAX_INLINE_BYTES, optional: true },
};

export function checkAuditResult(entry: Entry): string | undefined {
  const data = entry.body.data;
  if (data === undefined) return undefined;
  return bytesEqual(sha256(data as Uint8Array), entry.body.output as Uint8Array) ? undefined : "body.data does not hash to body.output";
}

export function applyAuditResult(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const jobId = entry.body.job as EntryId;
  const job = state.jobs[jobId];
  if (!job) return rejection("unknown-reference", `no job ${jobId} in this ledger`);
  if (job.audit?.status !== "pending") return rejection("conflict", "the job has no pending audit");
  if (job.reveals[entry.author] !== undefined) return rejection("conflict", "an auditor may not audit a job it ran");
  const output = bytesToHex(entry.body.output as Uint8Array);
  job.audit = { status: "done", auditor: entry.author, output };
  paramsOf(state).tally.checks += 1;
  const vestsAt = entry.time + state.pool!.settings.vestingSeconds * 1000;
  payFromFund(state, entry.author, { job: jobId, amount: extraShare(state, job), vestsAt });
  if (job.status === "open") settleVerdict(state, jobId, job, output, entry.time);
  else if (output === job.verdict!.output) judgeDissenters(state, jobId, job, output, entry.time);
  else overturn(state, jobId, job, output, entry.time);
  return undefined;
}

/** The audit disagrees with a settled verdict: its output becomes the verdict. */
function overturn(state: LedgerState, jobId: EntryId, job: JobState, output: string, time: number): void {
  const wrong = job.verdict!.workers;
  for (const worker of wrong) {
    const account = accountOf(state, worker);
    for (const grant of account.grants.filter((g) => g.job === jobId)) state.fund += grant.amount;
    account.grants = account.grants.filter((g) => g.job !== jobId);
  }
  const vindicated = Object.keys(job.reveals).filter((w) => job.reveals[w] === output).sort() as Did[];
  job.verdict = { output, workers: vindicated, time };
  const vestsAt = time + state.pool!.settings.vestingSeconds * 1000;
  const share = vindicated.length > 0 ? Math.floor(job.reward / vindicated.length) : 0;
  for (const worker of vindicated) {
    if (!earns(job, worker)) continue;
    payFromFund(state, worker, { job: jobId, amount: share + job.reward, vestsAt });
    rewardAgreement(state, worker, time);
    standingOf(state, worker).streak += 1;
  }
  for (const worker of wrong) {
    if (wrong.length >= 2) severeStrike(state, worker, "colluded", time, jobId);
    else minorStrike(state, worker, "wrong-output", time, jobId);
  }
  const others = Object.fromEntries(Object.entries(job.reveals).filter(([w]) => !wrong.includes(w as Did)));
  judgeDissenters(state, jobId, { ...job, reveals: others }, output, time);
}
