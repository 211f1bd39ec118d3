/**
 * A worker's view of the jobs in the fold state: which replicas are free, which one this worker
 * should claim and when, and whether a reveal would be accepted now. These mirror the fold's rules
 * (src/core/ledger/rules/jobs.ts) so a worker only writes entries the fold will take.
 */
import { expandAbilities } from "../capability/abilities.ts";
import type { Did } from "../identity/did-key.ts";
import { claimDelayMs } from "../ledger/replication.ts";
import { epochOf } from "../ledger/verdict.ts";
import type { JobState, LedgerState } from "../ledger/state.ts";
import type { EntryId } from "../ledger/types.ts";
import { claimRefusal } from "../ledger/rules/jobs.ts";
import { claimWeight, mayRunAlone } from "../ledger/trust.ts";
import { rendezvousKey, Competitors } from "./rendezvous.ts";

export const leaseMsOf = (state: LedgerState): number => (state.pool?.settings.leaseSeconds ?? 300) * 1000;

/** Time between rendezvous waves unless a node sets its own: a quarter of the pool's lease. */
export const defaultStaggerMs = (leaseMs: number): number => leaseMs / 4;

const committedReplicas = (job: JobState): Set<number> => new Set(Object.values(job.commits).map((c) => c.replica));

/** Replicas nobody has committed and nobody holds a live lease on, in index order. */
export function freeReplicas(job: JobState, now: number): number[] {
  const committed = committedReplicas(job);
  const free: number[] = [];
  for (let replica = 0; replica < job.replicas; replica++) {
    const claim = job.claims[replica];
    if (!committed.has(replica) && (!claim || claim.until < now)) free.push(replica);
  }
  return free;
}

/** The replica `worker` holds a live lease on, if any. */
export function liveClaimOf(job: JobState, worker: Did, now: number): number | undefined {
  const held = Object.entries(job.claims).find(([, c]) => c.worker === worker && c.until >= now);
  return held ? Number(held[0]) : undefined;
}

/**
 * When to reveal: every replica committed and no spot draw pending, or the deadline within one
 * lease. Stricter than the fold (which keeps reveals open once every replica had a commit, 8.2):
 * after a voided commit, waiting lets its replacement commit unexposed and earn. Once a reveal
 * exposed the job there is nothing to wait for (any later commit earns nothing) and the workers
 * already committed can settle it without the replacement, which may never come (ledger/README.md
 * 12). A reveal sent before the fold opens reveals would be refused and still show its output (it
 * would earn nothing).
 */
export const revealOpen = (job: JobState, now: number, leaseMs: number): boolean =>
  (job.seedAfter === undefined && (Object.keys(job.commits).length >= job.replicas || (job.opened === true && job.exposed === true))) || now >= job.deadline - leaseMs;

/**
 * Whether a worker's reveal may ride in the same change as its commit: the commit is the last one
 * the job waits for, so every other worker has committed and nobody can copy it. Not on a job that
 * may get a hidden spot check (a spot-check job, or a single run, whose spot draw follows the
 * commit): the fold would refuse the reveal as early, marking the job exposed and the commit unpaid,
 * and the spot replica's worker would see the answer. Not on an exposed job either: the commit earns
 * nothing there, and may have to yield (yieldsReveal).
 */
export const revealsWithCommit = (job: JobState): boolean =>
  Object.keys(job.commits).length + 1 >= job.replicas && job.spot === undefined && job.single === undefined && job.exposed !== true;

/**
 * Whether `me`, whose commit earns nothing (made after the job was exposed), should hold its reveal
 * because another worker's earning commit is unrevealed: the verdict pays only the reveals that
 * settle it, so ours would take the place of one that earns (ledger/README.md 8.3, 12).
 */
export function yieldsReveal(job: JobState, me: Did): boolean {
  if (job.commits[me]?.unpaid !== true) return false;
  for (const worker in job.commits) if (worker !== me && job.commits[worker]!.unpaid !== true && job.reveals[worker] === undefined) return true;
  return false;
}

/** Members that may run jobs now (job/run held, not removed). */
export function runners(state: LedgerState, now: number): Did[] {
  return Object.entries(state.members)
    .filter(([, m]) => (m.revoked === undefined || m.revoked > now) && expandAbilities(m.abilities).has("job/run"))
    .map(([did]) => did as Did);
}

/**
 * The workers a worker expects to compete with: members holding job/run that showed life today (a
 * live claim or a commit on an open job, or a verdict that touched their reputation this epoch),
 * and itself. A member that never runs jobs (often the pool's root) would otherwise rank first for
 * some jobs and delay each by a wave. While nobody else shows life (a pool's first jobs) every
 * member with job/run counts, so that workers starting together spread instead of colliding.
 * `jobs`: the ids of every job that may be open, from a caller that knows them all (the simulator
 * submitted them); looking each up costs a tenth of enumerating 100,000 jobs of the state.
 */
export function activeRunners(state: LedgerState, now: number, me: Did, jobs?: Iterable<string>): Did[] {
  const live = new Set<string>();
  if (jobs) for (const id of jobs) noteLive(state.jobs[id], now, live);
  // for-in, not Object.values: no array of every job the state holds per call.
  else for (const id in state.jobs) noteLive(state.jobs[id], now, live);
  const today = epochOf(now);
  const all = runners(state, now);
  const active = all.filter((did) => did === me || live.has(did) || state.reputation[did]?.epoch === today);
  return active.length > 1 || !all.includes(me) ? active : all;
}

/** Adds the workers holding a live claim on, or a commit to, an open job. */
function noteLive(job: JobState | undefined, now: number, live: Set<string>): void {
  if (job?.status !== "open") return;
  for (const replica in job.claims) if (job.claims[replica]!.until >= now) live.add(job.claims[replica]!.worker);
  for (const worker in job.commits) live.add(worker);
}

/** The longest a worker that may not run alone waits on an undecided adaptive job, in waves. */
export const SOLO_WAIT_WAVES = 8;

/**
 * The competitors a worker ranks itself against at `now`, weighted by the fold's claim weight, with
 * how many of them (up to SOLO_WAIT_WAVES) could run an adaptive job alone (soloWaitMs).
 */
export function weightedCompetitors(state: LedgerState, workers: Iterable<Did>, now: number): Competitors {
  const listed = new Set(workers);
  let alone = 0;
  for (const did of listed) {
    if (alone === SOLO_WAIT_WAVES) break;
    if (mayRunAlone(state, did)) alone++;
  }
  return new Competitors(listed, (did) => claimWeight(state, did, now), alone);
}

export interface ClaimPlan {
  readonly replica: number;
  /** The earliest time this worker should claim: its rendezvous wave after the replica became free. */
  readonly at: number;
}

/**
 * A worker of rendezvous rank `rank` among those competing for `free` replicas takes the
 * `rank % free`-th of them in wave `rank / free`: ranks are distinct, so one wave never doubles up.
 * A worker weighing `weightPermille` of the mean claim weight moves its waves by that factor
 * (twice the mean weight: wave `rank / (2 * free)`); two workers whose waves now meet on one
 * replica race, and the fold's contest (H * 1000 / P, the same weights) settles it.
 */
export const claimSlot = (rank: number, free: number, weightPermille = 1000): { slot: number; wave: number } => ({
  slot: rank % free,
  wave: Math.floor((rank * 1000) / (free * weightPermille)),
});

/**
 * Workers that compete for no replica of the job: those holding a claim on it or a commit to it,
 * and those whose lease on it ran out without a commit. Otherwise a worker that claims and never
 * finishes would keep its rank and take the replica again after every lease, until the deadline.
 * (The lapsed worker itself still plans the replica, last of all: planClaim.)
 */
export function busyWorkers(job: JobState): Set<Did> {
  const busy = new Set(Object.keys(job.commits) as Did[]);
  for (const claim of Object.values(job.claims)) busy.add(claim.worker);
  return busy;
}

/**
 * The free replicas worth claiming: those the job still has (a single run leaves only replica 0),
 * and while an adaptive job is undecided (no commit, no live claim) only replica 0, whose first
 * claim decides whether one trusted worker runs it alone. A claim on another replica first would
 * be refused (replica gone) or would force k = 3 (ledger/README.md 8.7, adaptive replication).
 */
export const claimable = (job: JobState, free: readonly number[], now: number): readonly number[] => claimableWhen(job, free, undecided(job, now));

const NONE: readonly number[] = Object.freeze([]);
const FIRST: readonly number[] = Object.freeze([0]);

/** `claimable` once whether the job is undecided is known (planning asks it once per plan). */
function claimableWhen(job: JobState, free: readonly number[], open: boolean): readonly number[] {
  // Planning runs for dozens of jobs per idle worker, most of them undecided or fully claimable: no array for those.
  if (open) return job.replicas > 0 && free.includes(0) ? FIRST : NONE;
  if (free.every((replica) => replica < job.replicas)) return free;
  return free.filter((replica) => replica < job.replicas);
}

/** An adaptive job nobody committed to or holds: its next claim decides whether one worker runs it alone. */
const undecided = (job: JobState, now: number): boolean => job.adaptive === true && !hasKeys(job.commits) && !hasLiveClaim(job, now);

/**
 * How long `me` holds back its claim, planned for `at`, on an undecided adaptive job when the fold
 * would not give it the job alone (not trusted, or at M unvested single runs): its claim would fix
 * the job at k = 3 where a trusted worker's claim may need one execution. One wave per competitor
 * that could run the job alone, at most SOLO_WAIT_WAVES: no wait in a pool where nobody could (a new
 * pool), a short one where few could (they may all be busy), and none that would leave less than a
 * lease before the deadline. `open`: whether the job is undecided.
 */
function soloWaitMs(state: LedgerState, job: JobState, me: Did, competitors: Competitors, open: boolean, at: number, staggerMs: number): number {
  if (competitors.alone === 0 || !open || mayRunAlone(state, me)) return 0;
  const wait = Math.min(SOLO_WAIT_WAVES, competitors.alone) * staggerMs;
  return at + wait + leaseMsOf(state) <= job.deadline ? wait : 0;
}

function hasKeys(dictionary: object): boolean {
  for (const _ in dictionary) return true;
  return false;
}

/**
 * Claims are keyed by replica, and the fold takes none on a replica the job does not have (it only
 * lowers `replicas` when it gives the job to one worker alone, keeping that worker's claim on
 * replica 0): indexing them is several times cheaper than enumerating the keys (for-in turns each
 * index into a string), and planning asks this for every undecided job it plans.
 */
function hasLiveClaim(job: JobState, now: number): boolean {
  for (let replica = 0; replica < job.replicas; replica++) if ((job.claims[replica]?.until ?? -Infinity) >= now) return true;
  return false;
}

/** What a worker knows about a job's open replicas when it plans a claim. */
export interface OpenReplicas {
  /** Replica indices nobody holds or committed, ascending. */
  readonly free: readonly number[];
  /** Since when each free replica has been free (its waves count from then). */
  readonly freeSince: (replica: number) => number;
  /** Workers that compete for no replica of the job (busyWorkers). */
  readonly busy: ReadonlySet<Did>;
  /** The planning worker let a lease on the job run out: it comes back after every other worker's waves. */
  readonly lapsed?: boolean;
  /** `busy`'s positions among `competitors` (Competitors.busyPositions), from a caller that keeps them per job. */
  readonly busyPositions?: (competitors: Competitors) => readonly number[];
}

/**
 * The claim planning the real worker and the simulator share: `me`'s replica among `open` by its
 * weighted rendezvous rank, when its wave and its claim delay allow, and only if the fold would
 * take the claim then (suspended, excluded or over its quota: no plan). `job` is the fold's state
 * of the job (`submitted` is when its replicas first opened).
 */
export function planReplica(state: LedgerState, jobId: EntryId, job: JobState, me: Did, open: OpenReplicas, now: number, staggerMs: number, competitors: Competitors, key = rendezvousKey(jobId)): ClaimPlan | undefined {
  const undecidedNow = undecided(job, now);
  const free = claimableWhen(job, open.free, undecidedNow);
  if (free.length === 0) return undefined;
  const ranked = competitors.rank(key, me, open.busy, open.busyPositions?.(competitors));
  if (ranked === undefined) return undefined;
  // Ranked past every competitor, not left out: when nobody else can take the replica (the others
  // committed, or are suspended) the job would otherwise wait for its deadline.
  const rank = open.lapsed ? ranked + competitors.size : ranked;
  const { slot, wave } = claimSlot(rank, free.length, competitors.weightPermille(me));
  const replica = free[slot]!;
  const opensAt = job.submitted + claimDelayMs(state.reputation[me], leaseMsOf(state));
  const due = Math.max(opensAt, open.freeSince(replica) + wave * staggerMs);
  const at = due + soloWaitMs(state, job, me, competitors, undecidedNow, due, staggerMs);
  return claimRefusal(state, job, jobId, replica, me, Math.max(now, at)) ? undefined : { replica, at };
}

/**
 * Which replica of `jobId` this worker should claim and from when, or undefined when it should
 * not (the job is settled, past its deadline, the worker already works on it, or the fold would
 * refuse its claim). `competitors` are the workers to rank against (activeRunners, weighted by
 * claimWeight); this worker counts among them. Workers ranked past the number of free replicas
 * wait `staggerMs` per wave, so a worker that went away delays a replica by one wave, never
 * strands it; a worker whose own lease on the job ran out waits for every other worker's waves.
 * `key` is the job's rendezvousKey (callers that plan a job many times keep it).
 */
export function planClaim(state: LedgerState, jobId: EntryId, me: Did, now: number, staggerMs: number, competitors: Competitors, key = rendezvousKey(jobId)): ClaimPlan | undefined {
  const job = state.jobs[jobId];
  if (!job || job.status !== "open" || now >= job.deadline || job.commits[me] || liveClaimOf(job, me, now) !== undefined) return undefined;
  const freeSince = (replica: number) => Math.max(job.submitted, job.claims[replica]?.until ?? 0);
  const busy = busyWorkers(job);
  // Busy without a live claim or a commit: this worker's lease on the job ran out.
  const lapsed = busy.delete(me);
  return planReplica(state, jobId, job, me, { free: freeReplicas(job, now), freeSince, busy, lapsed }, now, staggerMs, competitors, key);
}
