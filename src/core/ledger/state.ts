/**
 * The fold state: everything the ledger says, as plain canonical data (strings, safe integers,
 * booleans, lists, maps; byte values as lowercase hex). Its canonical DAG-CBOR encoding is what a
 * checkpoint commits to, so every field here is part of the protocol (ledger/README.md, "State").
 * Optional fields are absent, never `undefined` (DAG-CBOR has no undefined).
 */
import type { Ability } from "../capability/abilities.ts";
import type { PoolId } from "../capability/pool.ts";
import { bytesToHex, sha256 } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";
import { canonicalEncode } from "./codec.ts";
import type { EntryId } from "./types.ts";

export interface PoolSettingsState {
  name: string;
  replication: number;
  rewardPerJob: number;
  vestingSeconds: number;
  leaseSeconds: number;
}

/** An open pool's admission state (issue 12; ledger/README.md, "Open pools"). */
export interface OpenPoolState {
  /** Leading zero bits a join stamp needs; 0: stamps are not accepted. */
  stampBits: number;
  /** Listed token issuers by key id (hex SHA-256 of the key): URL and SubjectPublicKeyInfo (hex). */
  issuers: Record<string, { url: string; key: string }>;
  /** Spent token nonces (hex) -> the join entry that spent each. */
  spentTokens: Record<string, string>;
  /** Strangers admitted per epoch (decimal epoch number), queued ones counted in the epoch they start. */
  admitted: Record<string, number>;
  /** Set when the pool takes anonymous job submissions (pool.anonymous): the most one may offer, paid by the fund. */
  anonymous?: { maxReward: number };
  /** Members not revoked, kept as the fold goes (the join cap reads it; a scan per join cost O(members)). */
  members: number;
  /** Paid, verified work as MeritRank edges: submitter -> worker -> results, capped (open-standing.ts). */
  work?: Record<string, Record<string, number>>;
  /** Strangers' MeritRank reward factors in thousandths, computed from the graph at the start of `epoch`. */
  merit?: { epoch: number; factors: Record<string, number> };
}

export interface PoolState {
  id: PoolId;
  root: Did;
  /** Hex; with the root it derives the pool id, so a snapshot's root can be checked from the id alone. */
  nonce: string;
  created: number;
  settings: PoolSettingsState;
  /** Present when the pool admits strangers. */
  open?: OpenPoolState;
  /** Direct connections between members (pool.network); absent: none configured, direct allowed. */
  network?: PoolNetworkState;
}

/** How members connect directly (ledger/README.md, pool.network; docs/operators.md). */
export interface PoolNetworkState {
  /** STUN and TURN server URLs (stun:, turn:, turns:), without credentials; TURN credentials come from a relay. */
  ice: string[];
  /** No direct connections at all: every byte goes through relays (members' IP addresses stay hidden from each other). */
  relayOnly: boolean;
}

export interface MemberState {
  abilities: Ability[];
  /** Who added the member (the root adds itself). */
  by: Did;
  since: number;
  /** Time of the revocation entry that removed the member, when revoked. */
  revoked?: number;
  /** The invite link (hash of its delegation) the member joined through; uses are counted by it. */
  invite?: string;
  /** Private pools: the member's X25519 key-agreement key (hex), from its member.join or member.rekey. */
  kex?: string;
  /** How a stranger paid to join an open pool; such a member holds no delegation. */
  admission?: "stamp" | "token";
}

export interface RevocationState {
  by: Did;
  time: number;
  entry: EntryId;
  /** UCAN revocations: per DID resting on the delegation, the highest sequence still valid. */
  honoured?: Record<string, number>;
}

export interface ClaimState {
  worker: Did;
  until: number;
  /** When this worker first took the replica (renewals keep it): the contest window runs from here. */
  since: number;
}

export interface CommitState {
  replica: number;
  commitment: string;
  /**
   * Made after an output of the job was revealed (it may be a copy), or its author revealed before
   * reveals opened: the result counts for the verdict and earns nothing (../README.md 8.2).
   */
  unpaid?: true;
  /**
   * A trusted worker's commit on a replica added by escalation: unpaid like any commit after a
   * reveal, but the fund pays it one extra share when it agrees with the verdict (../README.md 8.3).
   */
  escalated?: true;
}

/**
 * A holder a contest displaced from its replica (../README.md 8.2): its commit the fold then
 * refuses, if written within that lease and before the job was exposed, still proves its output
 * was fixed before anything could be read. Also a worker whose commit a suspension or leave voided
 * (`until`: that time; 8.7, release).
 */
export interface DisplacedState {
  replica: number;
  until: number;
  commitment?: string;
}

export interface VerdictState {
  output: string;
  workers: Did[];
  time: number;
  /** One worker ran the job alone (k = 1, no spot check): provisional until its credits vest. */
  single?: boolean;
}

export type StoredJobStatus = "open" | "done" | "failed";

/**
 * Why a job failed in the fold: no strict majority after every escalation, or its deadline passed
 * without a verdict (recorded once the fold takes up a later entry; readers show it at once, see jobStatusAt).
 */
export type JobFailure = "no-majority" | "deadline";

/** An audit of a contested or spot-checked job (ledger/README.md, "Audits"). */
export interface AuditState {
  status: "pending" | "done";
  /** Set once an auditor wrote its output. */
  auditor?: Did;
  output?: string;
}

export interface JobState {
  submitter: Did;
  task: string;
  replicas: number;
  reward: number;
  deadline: number;
  submitted: number;
  status: StoredJobStatus;
  /** Hex SHA-256 of an input too large to travel inline (then `input` is empty): a blob. */
  blob?: string;
  /** A single-replica job's chance of a hidden spot check, in thousandths. */
  spot?: number;
  /** Set when the spot check chose this job (its second replica opened after the draw). */
  spotChecked?: boolean;
  /** Adaptive replication: the fold may give the job to one trusted worker (../README.md 8.7). */
  adaptive?: boolean;
  /** The majority k an adaptive job falls back to. */
  base?: number;
  /** The trusted worker an adaptive job went to alone (k = 1). */
  single?: Did;
  /** A single-run commit's time: the spot draw waits for the first checkpoint covering it. */
  seedAfter?: number;
  /** The spot draw was made (from that checkpoint's id). */
  seeded?: boolean;
  /** When a spot replica opened (trusted workers only, for one lease). */
  spotSince?: number;
  /** Workers whose result on this job was revoked: they may not take it again. */
  excluded?: Did[];
  /** The fund pays this job's workers (a re-verification after a revoked verdict). */
  funded?: boolean;
  audit?: AuditState;
  /** A reveal of this job (accepted or early) has shown an output: later commits earn nothing. */
  exposed?: boolean;
  /** Every replica had a commit (or a displaced holder's proven commitment): reveals stay open until replicas are added. */
  opened?: true;
  /** Keyed by worker DID: holders displaced by a contest. */
  displaced?: Record<string, DisplacedState>;
  /** Rounds of replicas added because the reveals had no strict majority. */
  escalations?: number;
  failure?: JobFailure;
  /** Keyed by replica index (decimal string). */
  claims: Record<string, ClaimState>;
  /** Keyed by worker DID. */
  commits: Record<string, CommitState>;
  /** Keyed by worker DID: the revealed output hash (hex). */
  reveals: Record<string, string>;
  verdict?: VerdictState;
}

export interface GrantState {
  job: EntryId;
  amount: number;
  vestsAt: number;
  /** Earned by running a job alone: revoked, with a re-run at k = 3, if the worker is caught. */
  single?: boolean;
}

export interface AccountState {
  /** Credits whose vesting time the fold has passed, minus what was spent. */
  vested: number;
  /** Credits still vesting, oldest first. */
  grants: GrantState[];
  spent: number;
}

export interface ReputationState {
  /** Reputation in milli-units, decayed lazily (ledger/README.md, "Reputation"). */
  milli: number;
  /** The epoch `milli` was last brought up to date in. */
  epoch: number;
  agreed: number;
  disagreed: number;
}

export type StrikeReason = "unrevealed" | "wrong-output" | "colluded" | "repeated" | "equivocation";

export interface StrikeState {
  time: number;
  reason: StrikeReason;
  severe: boolean;
  job?: EntryId;
}

export interface UnbondingState {
  amount: number;
  releasesAt: number;
}

/** A worker's standing: the incentive state the fold derives (ledger/README.md, "Incentives"). */
export interface StandingState {
  /** C: consecutive valid replicated results (0 after any strike). */
  streak: number;
  /** The most recent strikes, oldest first (at most 16 kept). */
  strikes: StrikeState[];
  /** Set by a severe strike or by leaving; cleared by member.reinstate. */
  suspended?: { time: number; reason: StrikeReason | "left" };
  stake: number;
  unbonding: UnbondingState[];
  /** Live leases: job id -> lease end (bounded by the claim quota). */
  leases: Record<string, number>;
  /** Leases of this worker that ran out without a commit, in `expiredEpoch`. */
  expired: number;
  expiredEpoch: number;
}

/** What an admin sets with pool.params (ledger/README.md, "Parameters"). */
export interface ParamsSet {
  /** Verification-fund tax on each submission, in thousandths of the reward. */
  taxPermille: number;
  /** C a worker needs to run an adaptive job alone (0: adaptive replication off). */
  trust: number;
  /** M: the most unvested single-run results a worker may hold. */
  maxSingle: number;
  /** Lowest spot-check probability, in thousandths. */
  qMinPermille: number;
  /** The majority k adaptive jobs fall back to. */
  majority: number;
  /** D_ref and R_ref of the claim weight. */
  stakeRef: number;
  reputationRef: number;
  /** A claim this soon after another worker's first claim on a replica contests it. */
  contestMs: number;
  /** Live leases a worker may hold at once. */
  quota: number;
  /** 1: strikes suspend, forfeit and revoke; 0: plain majority voting (strikes cost reputation only), for comparison. */
  sanctions: number;
}

export interface ParamsState {
  set: ParamsSet;
  /** What applies now: the set values, tightened by self-tuning. */
  qMinPermille: number;
  trust: number;
  majority: number;
  /** The epoch these were last brought up to date in. */
  epoch: number;
  /** Epochs in a row without tightening. */
  quiet: number;
  /** The current epoch's counts: strikes, spot checks and audits, contested and replicated verdicts. */
  tally: { strikes: number; checks: number; contested: number; replicated: number };
  /** A pool.params change, applied from epoch `from`. */
  pending?: { from: number; set: ParamsSet };
}

export interface AuthorState {
  seq: number;
  time: number;
}

export interface CheckpointState {
  id: EntryId;
  through: number;
  count: number;
  root: string;
  state: string;
  /** The epoch document the pool is in (absent: 0); set by a checkpoint that starts one, kept by later ones. */
  epoch?: number;
}

/** One key epoch of a private pool (rules/privacy.ts). */
export interface KeyEpochState {
  /** The key.rotate entry that started it (the lowest id among concurrent ones). */
  rotation: EntryId;
  /** Hex of the epoch's 8-byte key id. */
  keyId: string;
  by: Did;
  time: number;
  /** Hex SHA-256 of the lockbox list in the mailbox. */
  mailbox: string;
  /** Hex of the recipients' 8-byte tags, in lockbox order. */
  recipients: string;
}

export interface InviteKeyState {
  key: Did;
  kex: string;
  by: Did;
  time: number;
  /** The link's terms (its delegation's): how many may join with it, and until when (seconds). */
  uses: number;
  joinBefore: number;
}

export interface PrivacyState {
  /** The latest key epoch. */
  epoch: number;
  /** Keyed by epoch number (decimal). */
  epochs: Record<string, KeyEpochState>;
  /** Invite keys published for rotations to include, keyed by invite (hash of its delegation). */
  invites: Record<string, InviteKeyState>;
  /** Members whose lockbox did not open, keyed by DID, until a grant or a later rotation answers. */
  complaints: Record<string, { epoch: number; time: number }>;
}

export interface LedgerState {
  pool?: PoolState;
  members: Record<string, MemberState>;
  revocations: Record<string, RevocationState>;
  jobs: Record<string, JobState>;
  accounts: Record<string, AccountState>;
  reputation: Record<string, ReputationState>;
  /** Incentive standing per worker DID. */
  standing: Record<string, StandingState>;
  /** The verification fund's balance (may go negative when payouts outrun taxes and forfeits). */
  fund: number;
  /** Incentive parameters (set at pool.create with the defaults). */
  params?: ParamsState;
  /** The highest sequence number and time seen per author (lets a node started from a checkpoint catch reuse). */
  authors: Record<string, AuthorState>;
  /** The latest time the fold has reached (the sort time of the last folded entry). */
  clock: number;
  /** Valid entries folded, checkpoints included. */
  count: number;
  checkpoint?: CheckpointState;
  /** Present in private pools only (from their key.rotate to epoch 0). */
  privacy?: PrivacyState;
}

/**
 * An empty map keyed by outside data (DIDs, entry ids). Null prototype: a key such as `__proto__`
 * or `constructor` is just a key, and V8 keeps such objects in dictionary mode instead of minting
 * a hidden class for every new set of keys (per-job commit and reveal maps keyed by DIDs made the
 * fold of 10^5 jobs spend most of its time creating hidden classes).
 */
export const dictionary = <V>(): Record<string, V> => Object.create(null) as Record<string, V>;

export const emptyState = (): LedgerState => ({
  members: dictionary(),
  revocations: dictionary(),
  jobs: dictionary(),
  accounts: dictionary(),
  reputation: dictionary(),
  standing: dictionary(),
  fund: 0,
  authors: dictionary(),
  clock: 0,
  count: 0,
});

export const encodeState = (state: LedgerState): Uint8Array => canonicalEncode(state);

/** The commitment a checkpoint carries: sha2-256 of the state's canonical encoding, hex. */
export const stateHash = (state: LedgerState): string => bytesToHex(sha256(encodeState(state)));

const toDictionary = <V>(map: Record<string, V>): Record<string, V> => Object.assign(dictionary<V>(), map);

/** A deep copy (state holds plain data only) whose maps are dictionaries again. */
export function cloneState(state: LedgerState): LedgerState {
  const copy = structuredClone(state);
  copy.members = toDictionary(copy.members);
  copy.revocations = toDictionary(copy.revocations);
  copy.jobs = toDictionary(copy.jobs);
  copy.accounts = toDictionary(copy.accounts);
  copy.reputation = toDictionary(copy.reputation);
  copy.authors = toDictionary(copy.authors);
  copy.standing = toDictionary(copy.standing ?? {});
  for (const standing of Object.values(copy.standing)) standing.leases = toDictionary(standing.leases);
  for (const job of Object.values(copy.jobs)) {
    job.claims = toDictionary(job.claims);
    job.commits = toDictionary(job.commits);
    job.reveals = toDictionary(job.reveals);
  }
  return copy;
}
