/**
 * Fold rules of jobs: submit, claim with a lease, commit, reveal (ledger/README.md, "Jobs"). The
 * verdict, credits and reputation they trigger live in ../verdict.ts.
 */
import { bytesEqual, bytesToHex, concatBytes, sha256 } from "../../crypto/index.ts";
import type { Did } from "../../identity/did-key.ts";
import { MAX_INT, type BodySchema } from "../schema.ts";
import { dictionary, type JobState, type LedgerState } from "../state.ts";
import type { Entry, EntryId, Rejection, SignedEntry } from "../types.ts";
import { paramsOf } from "../params.ts";
import { claimDelayMs, ESCALATION_STEP, escalation } from "../replication.ts";
import { dropEndedLeases, isSuspended, leaseExpired, liveLeases, quotaOf, standingOf } from "../standing.ts";
import { runsAlone, spotPermille, trusted, winsContest } from "../trust.ts";
import { accountOf, failJob, judgeLateReveal, majorityOutput, settleVerdict } from "../verdict.ts";
import { hasAuditors } from "../auditors.ts";
import { noteWork } from "../open-work.ts";
import { noteSeedWait } from "../seed-waiters.ts";
import { noteDeadline } from "../forgetting.ts";
import { rejection } from "./rejection.ts";
import { SEALED_REF_BYTES } from "../sealed-ref.ts";
import { spendAnonymousToken } from "../open-admission.ts";

export const MAX_INLINE_BYTES = 8_192;

export const jobSubmitSchema: BodySchema = {
  /** The task module's content hash. */
  task: { type: "string", min: 1, max: 128 },
  input: { type: "bytes", min: 0, max: MAX_INLINE_BYTES },
  replicas: { type: "int", min: 1, max: 15 },
  reward: { type: "int", min: 0, max: 1_000_000_000 },
  deadline: { type: "int", min: 0, max: MAX_INT },
  /** Hex SHA-256 of an input sent as a blob (../README.md "Blobs"); `input` is then empty. */
  blob: { type: "string", min: 64, max: 64, optional: true },
  /** Chance in thousandths that a single-replica job gets a hidden spot check. */
  spot: { type: "int", min: 0, max: 1000, optional: true },
  /** 1: adaptive replication (a trusted worker may run it alone; `replicas` is the majority k to fall back to). */
  adaptive: { type: "int", min: 1, max: 1, optional: true },
  /** A private pool's sealed blobs (../README.md "Blobs"): ciphertext SHA-256 || AES-256-GCM key, for the module and the input blob. */
  sealed: {
    type: "map",
    optional: true,
    fields: { task: { type: "bytes", min: SEALED_REF_BYTES, max: SEALED_REF_BYTES, optional: true }, blob: { type: "bytes", min: SEALED_REF_BYTES, max: SEALED_REF_BYTES, optional: true } },
  },
  /** Open pools: the Privacy Pass token an anonymous submission spends; its author is then a fresh key (../open-submission.ts). */
  token: { type: "bytes", min: 354, max: 610, optional: true },
};

export function checkJobSubmit(entry: Entry): string | undefined {
  const body = entry.body as { deadline: number; input: Uint8Array; replicas: number; blob?: string; spot?: number };
  if (body.deadline <= entry.time) return "body.deadline must be after the entry's time";
  if (body.blob !== undefined && (!/^[0-9a-f]{64}$/.test(body.blob) || body.input.length > 0)) return "body.blob must be lowercase hex SHA-256, with an empty body.input";
  if (body.spot !== undefined && body.replicas !== 1) return "body.spot applies only to a job with one replica";
  if ((entry.body as { adaptive?: number }).adaptive !== undefined && (body.replicas < 3 || body.spot !== undefined)) return "body.adaptive needs a majority of at least 3 replicas to fall back to, and no body.spot";
  if ((entry.body as { sealed?: { blob?: Uint8Array } }).sealed?.blob !== undefined && body.blob === undefined) return "body.sealed.blob seals an input blob: it needs body.blob";
  // The fund pays an anonymous job; a spot-checked single run's pay does not come from the fund.
  if (entry.body.token !== undefined && (body.spot !== undefined || entry.body.adaptive !== undefined)) return "an anonymous submission (body.token) takes neither body.spot nor body.adaptive";
  return undefined;
}

export const jobClaimSchema: BodySchema = {
  job: { type: "entry-id" },
  replica: { type: "int", min: 0, max: 14 },
};

export const resultCommitSchema: BodySchema = {
  job: { type: "entry-id" },
  replica: { type: "int", min: 0, max: 14 },
  /** sha2-256(salt || output), see result.reveal. */
  commitment: { type: "bytes", min: 32, max: 32 },
};

export const resultRevealSchema: BodySchema = {
  job: { type: "entry-id" },
  salt: { type: "bytes", min: 16, max: 32 },
  /** sha2-256 of the task's output bytes. */
  output: { type: "bytes", min: 32, max: 32 },
  /** The output itself when small enough to travel inline. */
  data: { type: "bytes", min: 0, max: MAX_INLINE_BYTES, optional: true },
  /** A private pool's output blob, sealed: ciphertext SHA-256 || AES-256-GCM key (../README.md "Blobs"). */
  sealed: { type: "bytes", min: SEALED_REF_BYTES, max: SEALED_REF_BYTES, optional: true },
};

export function checkReveal(entry: Entry): string | undefined {
  const data = entry.body.data;
  if (data !== undefined && entry.body.sealed !== undefined) return "body.sealed names an output blob: an inline body.data needs none";
  if (data === undefined) return undefined;
  return bytesEqual(sha256(data as Uint8Array), entry.body.output as Uint8Array) ? undefined : "body.data does not hash to body.output";
}

export function applyJobSubmit(state: LedgerState, { id, entry }: SignedEntry): Rejection | undefined {
  if (!state.pool) return rejection("unknown-reference", "job.submit before the pool exists");
  const body = entry.body as { task: string; replicas: number; reward: number; deadline: number; blob?: string; spot?: number; adaptive?: number };
  const params = paramsOf(state);
  // An adaptive job falls back to the pool's majority k when self-tuning raised it.
  const replicas = body.adaptive ? Math.max(body.replicas, params.majority) : body.replicas;
  state.jobs[id] = {
    submitter: entry.author,
    task: body.task,
    replicas,
    reward: body.reward,
    deadline: body.deadline,
    submitted: entry.time,
    status: "open",
    claims: dictionary(),
    commits: dictionary(),
    reveals: dictionary(),
    ...(body.blob !== undefined ? { blob: body.blob } : {}),
    ...(body.spot ? { spot: body.spot } : {}),
    ...(body.adaptive ? { adaptive: true, base: replicas } : {}),
  };
  noteDeadline(state, body.deadline);
  // An anonymous submission (open pools) spends its token; the fund pays it, with no tax to itself.
  if (entry.body.token instanceof Uint8Array) {
    spendAnonymousToken(state, state.jobs[id], entry.body.token, id);
    return undefined;
  }
  // The submitter pays the reward and the verification fund's tax.
  const tax = Math.floor((body.reward * params.set.taxPermille) / 1000);
  accountOf(state, entry.author).spent += body.reward + tax;
  state.fund += tax;
  return undefined;
}

type Found = { job: JobState; jobId: EntryId } | Rejection;

function openJob(state: LedgerState, entry: Entry): Found {
  const jobId = entry.body.job as EntryId;
  const job = state.jobs[jobId];
  if (!job) return rejection("unknown-reference", `no job ${jobId} in this ledger`);
  if (job.status === "failed") return rejection("conflict", `the job failed (${job.failure ?? "failed"})`);
  if (job.status === "done" && entry.kind !== "result.reveal") return rejection("conflict", "the job is already done");
  return { job, jobId };
}

function replicaCommitted(job: JobState, replica: number): boolean {
  for (const worker in job.commits) if (job.commits[worker]!.replica === replica) return true;
  return false;
}

/** Another replica of the job that `worker` holds a live lease on (workers plan claims with this rule, so no array per call). */
function otherLiveClaim(job: JobState, replica: number, worker: Did, time: number): string | undefined {
  for (const other in job.claims) {
    const claim = job.claims[other]!;
    if (Number(other) !== replica && claim.worker === worker && claim.until >= time) return other;
  }
  return undefined;
}

/**
 * A claim takes a free replica (or one whose lease ran out, or renews one's own) for one lease.
 * Within the contest window a claim with a lower H * 1000 / P displaces the holder (../trust.ts);
 * suspended workers, excluded workers and workers over their quota are refused.
 */
export function applyJobClaim(state: LedgerState, { id, entry }: SignedEntry): Rejection | undefined {
  const found = openJob(state, entry);
  if ("reason" in found) return found;
  const { job, jobId } = found;
  const replica = entry.body.replica as number;
  const worker = entry.author;
  const refused = claimRefusal(state, job, jobId, replica, worker, entry.time);
  if (refused) return refused;
  const current = job.claims[replica];
  const renewal = current?.worker === worker && current.until >= entry.time;
  if (current?.worker !== worker) {
    const standing = standingOf(state, worker);
    if (!Object.hasOwn(standing.leases, jobId)) dropEndedLeases(standing, entry.time);
  }
  if (current && current.worker !== worker) {
    if (current.until < entry.time) leaseExpired(state, current.worker, jobId, entry.time);
    else {
      delete standingOf(state, current.worker).leases[jobId];
      // The holder may already have committed without seeing this claim: its commit, refused, can still prove its output.
      if (job.displaced?.[current.worker]?.commitment === undefined) (job.displaced ??= dictionary())[current.worker] = { replica, until: current.until };
    }
  }
  const until = entry.time + state.pool!.settings.leaseSeconds * 1000;
  job.claims[replica] = { worker, until, since: renewal ? current.since : entry.time };
  standingOf(state, worker).leases[jobId] = until;
  noteWork(state, worker, jobId);
  if (job.adaptive) decideAlone(state, job, jobId, id, replica, worker, entry.time);
  return undefined;
}

/**
 * Why the fold would refuse `worker`'s claim on `replica` at `time`, or undefined. Reads only, so
 * a worker asks it of its own view before claiming (../../jobs/replicas.ts): the claims a worker
 * writes and the ones the fold takes follow one rule.
 */
export function claimRefusal(state: LedgerState, job: JobState, jobId: EntryId, replica: number, worker: Did, time: number): Rejection | undefined {
  if (replica >= job.replicas) return rejection("conflict", `the job has ${job.replicas} replicas; replica ${replica} does not exist`);
  if (time > job.deadline) return rejection("conflict", "the job's deadline has passed");
  if (isSuspended(state, worker)) return rejection("conflict", `this worker is suspended (${state.standing[worker]!.suspended!.reason}) until an admin reinstates it`);
  if (job.excluded?.includes(worker)) return rejection("conflict", "this worker's result on the job was revoked; it may not take the job again");
  if (job.commits[worker]) return rejection("conflict", "this worker already committed a result for the job");
  if (replicaCommitted(job, replica)) return rejection("conflict", `replica ${replica} already has a result`);
  const current = job.claims[replica];
  const held = current !== undefined && current.until >= time && current.worker !== worker;
  if (held && !(time <= current.since + paramsOf(state).set.contestMs && winsContest(state, jobId, replica, worker, current.worker, time))) {
    return rejection("conflict", `replica ${replica} is leased to ${current.worker} until ${current.until}`);
  }
  if (current?.worker !== worker) {
    const opensAt = job.submitted + claimDelayMs(state.reputation[worker], state.pool!.settings.leaseSeconds * 1000);
    if (time < opensAt) return rejection("conflict", `claim priority: after its disagreements this worker may claim the job from ${opensAt}`);
    if (replica === 1 && job.spotSince !== undefined && time < job.spotSince + state.pool!.settings.leaseSeconds * 1000 && !trusted(state, worker)) {
      return rejection("conflict", "a spot-check replica goes to a trusted worker for its first lease");
    }
    const standing = state.standing[worker];
    if (!(standing && Object.hasOwn(standing.leases, jobId)) && liveLeases(standing, time) >= quotaOf(state, standing, time)) {
      return rejection("conflict", `claim quota: this worker already holds ${quotaOf(state, standing, time)} live leases`);
    }
  }
  const other = otherLiveClaim(job, replica, worker, time);
  if (other !== undefined) return rejection("conflict", `this worker already holds replica ${other} of the job`);
  return undefined;
}

/**
 * Adaptive replication, decided at the job's first live claim: a trusted worker may get it alone
 * (k = 1). If that worker lets its lease lapse, the next claimer finds the majority k restored.
 */
function decideAlone(state: LedgerState, job: JobState, jobId: EntryId, claim: EntryId, replica: number, worker: Did, time: number): void {
  if (Object.keys(job.commits).length > 0) return;
  if (job.single !== undefined && job.single !== worker) {
    job.replicas = job.base!;
    delete job.single;
  }
  const othersLive = Object.values(job.claims).some((c) => c.worker !== worker && c.until >= time);
  if (job.single === undefined && replica === 0 && !othersLive && runsAlone(state, jobId, claim, worker)) {
    job.single = worker;
    job.replicas = 1;
    const mine = job.claims[0]!;
    job.claims = dictionary();
    job.claims[0] = mine;
  }
}

export function applyResultCommit(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const found = openJob(state, entry);
  if ("reason" in found) return found;
  const { job, jobId } = found;
  const replica = entry.body.replica as number;
  const commitment = bytesToHex(entry.body.commitment as Uint8Array);
  const claim = job.claims[replica];
  if (!claim || claim.worker !== entry.author || claim.until < entry.time) {
    proveDisplacedCommitment(job, entry.author, replica, commitment, entry.time);
    return rejection("conflict", `the author holds no live lease on replica ${replica}`);
  }
  if (job.commits[entry.author]) return rejection("conflict", "this worker already committed a result for the job");
  // After an output of the job was revealed, a commit may be a copy of it: it counts, and earns
  // nothing, unless the same commitment was on record before anything was shown.
  const proven = job.displaced?.[entry.author]?.commitment === commitment;
  const escalated = job.escalations !== undefined && replica >= job.replicas - ESCALATION_STEP * job.escalations && trusted(state, entry.author);
  job.commits[entry.author] = { replica, commitment, ...(job.exposed && !proven ? { unpaid: true as const } : {}), ...(escalated ? { escalated: true as const } : {}) };
  noteOpened(job);
  delete job.claims[replica];
  delete standingOf(state, entry.author).leases[jobId];
  // A single run's spot draw waits for the first checkpoint covering this commit (../trust.ts).
  if (job.replicas === 1 && (job.single === entry.author || job.spot) && !job.seeded) {
    job.seedAfter = entry.time;
    noteSeedWait(state, jobId);
    if (job.single === entry.author) job.spot = spotPermille(standingOf(state, entry.author).streak, paramsOf(state).qMinPermille);
  }
  return undefined;
}

/**
 * A holder displaced by a contest claim it had not seen may commit within its old lease: the fold
 * refuses the commit (the replica is another's), but while the job is unexposed the commitment
 * proves an output fixed before any was shown. It counts towards opening reveals, and the same
 * commitment committed again later earns (../README.md 8.2).
 */
function proveDisplacedCommitment(job: JobState, worker: Did, replica: number, commitment: string, time: number): void {
  const displaced = job.displaced?.[worker];
  if (!displaced || displaced.replica !== replica || time > displaced.until || job.exposed || displaced.commitment !== undefined || job.commits[worker]) return;
  displaced.commitment = commitment;
  noteOpened(job);
}

/** Workers whose output is fixed: commits, and displaced holders' proven commitments. */
function committedWorkers(job: JobState): number {
  let count = Object.keys(job.commits).length;
  for (const worker in job.displaced) if (job.displaced[worker]!.commitment !== undefined && !job.commits[worker]) count++;
  return count;
}

/**
 * Reveals open once every replica's output is fixed, and stay open when a commit is later voided
 * (its worker suspended): a reveal made in good faith then is not refused, and a replacement
 * commit after it is exposed anyway. Adding replicas closes them again.
 */
function noteOpened(job: JobState): void {
  if (committedWorkers(job) >= job.replicas) job.opened = true;
}

/**
 * A reveal opens a commitment once all k commits exist or the deadline is within one lease. When
 * the reveals reach a strict majority the verdict settles; a later reveal that disagrees with a
 * settled verdict costs its worker reputation.
 */
export function applyResultReveal(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const found = openJob(state, entry);
  if ("reason" in found) return found;
  const { job, jobId } = found;
  const worker = entry.author as Did;
  const commit = job.commits[worker];
  if (!commit) return rejection("conflict", "the author committed no result for this job");
  if (job.reveals[worker] !== undefined) return rejection("conflict", "the author already revealed");
  const output = entry.body.output as Uint8Array;
  if (!matchesHex(sha256(concatBytes(entry.body.salt as Uint8Array, output)), commit.commitment)) {
    return rejection("bad-reveal", "sha2-256(salt || output) does not match the author's commitment");
  }
  const allCommitted = job.opened === true;
  const deadlineNear = entry.time >= job.deadline - state.pool!.settings.leaseSeconds * 1000;
  const early = !allCommitted && !deadlineNear ? "reveals open once all replicas committed or the deadline is within one lease" : job.seedAfter !== undefined && !deadlineNear ? "a single run's reveal waits for the first checkpoint after its commit (the spot-check draw)" : undefined;
  // Refused or not, the entry now shows its output to anyone reading the document: a commit still to come could copy it.
  if (job.status === "open" && (early || Object.keys(job.commits).length < job.replicas)) job.exposed = true;
  if (early) {
    commit.unpaid = true;
    return rejection("conflict", early);
  }
  const revealed = bytesToHex(output);
  job.reveals[worker] = revealed;
  if (job.status === "done") {
    judgeLateReveal(state, jobId, job, worker, entry.time);
    return undefined;
  }
  const majority = majorityOutput(job);
  if (majority !== undefined) settleVerdict(state, jobId, job, majority, entry.time);
  else if (Object.keys(job.reveals).length >= job.replicas) disagreement(state, job);
  return undefined;
}

const HEX_CODES = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/** Whether `hex` is the lowercase hex of `bytes` (as bytesToHex writes it), without building that string: every reveal asks. */
function matchesHex(bytes: Uint8Array, hex: string): boolean {
  if (hex.length !== 2 * bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    if (hex.charCodeAt(2 * i) !== HEX_CODES[bytes[i]! >>> 4] || hex.charCodeAt(2 * i + 1) !== HEX_CODES[bytes[i]! & 15]) return false;
  }
  return true;
}

/** Every replica revealed without a strict majority: an audit decides when the pool has auditors. */
function disagreement(state: LedgerState, job: JobState): void {
  paramsOf(state).tally.contested += 1;
  if (hasAuditors(state) && job.audit === undefined) job.audit = { status: "pending" };
  else escalate(state, job);
}

/** Every replica revealed and no output has a strict majority: add replicas, or fail the job. */
function escalate(state: LedgerState, job: JobState): void {
  const next = escalation(job);
  if (next.kind === "failed") return failJob(state, job, "no-majority");
  job.replicas = next.replicas;
  delete job.opened;
  // The new replicas are committed after every output so far was revealed.
  job.exposed = true;
  job.escalations = (job.escalations ?? 0) + 1;
}
