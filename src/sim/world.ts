/**
 * The simulated world: members (a did:key each, a role, a device), jobs as the simulator tracks
 * them beside the ledger, and the pool's genesis. Identities are did:key strings of seeded random
 * bytes: signatures are a cost model here, so no key is ever used to sign or verify.
 */
import { didFromPublicKey, type Did } from "../core/identity/did-key.ts";
import { DEFAULT_PARAMS } from "../core/ledger/params.ts";
import type { EntryId } from "../core/ledger/types.ts";
import { bytesToHex, hexToBytes } from "../core/crypto/index.ts";
import { assignRoles, type Role } from "./behaviour.ts";
import type { SimConfig } from "./config.ts";
import { SimLedger } from "./ledger.ts";
import type { Rng } from "./random.ts";

export interface Attempt {
  readonly token: number;
  readonly job: number;
  readonly replica: number;
  /** When the worker wrote its claim (the fold's view passes it before the worker can tell whether it held). */
  readonly claimedAt: number;
  /** Compute left, ms (on this device). */
  remaining: number;
  /** When the current stretch of computing began; undefined while paused. */
  runningSince: number | undefined;
  /** When the finish event for the current stretch fires. */
  finishAt: number;
  /** The lease as this worker wrote it (its own knowledge, not the fold's). */
  leaseUntil: number;
}

export interface SimNode {
  readonly index: number;
  /** Replaced when a suspended dishonest member re-enters under a new identity. */
  did: Did;
  readonly role: Role;
  /** Joined an open pool with a stamp (probation, reward factor) rather than by invitation. */
  stranger: boolean;
  /** Colluding group (0: the colluders, 1..: Sybil operators), or -1. */
  readonly group: number;
  /** Run time is the job's work divided by this. */
  readonly speed: number;
  /** Daily compute window start (ms into the day) for devices on battery, or undefined. */
  readonly window: number | undefined;
  online: boolean;
  paused: boolean;
  /** Able to compute and without a task: waiting for a replica. */
  idle: boolean;
  /** The earliest look-again already scheduled for this node, if any. */
  wakeAt: number | undefined;
  attempt: Attempt | undefined;
  /** Jobs this node committed to and has not revealed yet. */
  readonly awaiting: Set<number>;
}

export interface Commitment {
  readonly replica: number;
  readonly salt: Uint8Array;
  readonly output: Uint8Array;
  /** When the commit was written. */
  readonly at: number;
  /** When the reveal was written (a worker re-sends one the pool did not get). */
  revealedAt: number | undefined;
  /** Until when the reveal yields to earning workers' (yieldsReveal), once it has had to. */
  yieldUntil?: number;
}

export interface SimJob {
  readonly index: number;
  readonly id: EntryId;
  readonly submitter: number;
  readonly submitted: number;
  /** The fold's deadline (a revoked single run is reopened with a later one). */
  deadline: number;
  /** Work of one run on a speed-1 device, ms. */
  readonly work: number;
  /**
   * sha2-256 of the true output (random bytes standing for it), as hex only: the bytes are decoded
   * when a worker or the auditor writes them (`correctOutput`), not kept beside a million jobs.
   */
  readonly correctHex: string;
  /** Replica -> node that holds it as far as the simulator knows (running or commit in flight). */
  holders: Map<number, number>;
  committed: Map<number, Commitment>;
  /**
   * Every worker that claimed a replica of the job: it holds it, committed, or let its lease run
   * out, and in each case competes for no replica of the job again (replicas.ts busyWorkers).
   */
  claimants: Set<Did>;
  /** Replica indices open for claiming. */
  free: number[];
  /** Since when the open replicas have been free (their rendezvous waves count from here). */
  freeSince: number;
  /** The next rendezvous wave already scheduled, if any. */
  waveAt: number | undefined;
  /** The last fold tick whose batch had an entry of this job (0: none yet). */
  touchedIn: number;
  /** The outcome as the fold has it now (after audits and revocations). */
  outcome: "open" | "right" | "wrong" | "failed" | "expired" | "refused";
  /** The outcome at the job's first verdict (before any audit or revocation). */
  firstOutcome?: "right" | "wrong";
  verdictAt?: number;
  /** The auditor wrote its result. */
  audited?: boolean;
}

/** The true output's bytes (a fresh copy: a liar's answer is made by changing some). */
export const correctOutput = (job: SimJob): Uint8Array => hexToBytes(job.correctHex);

/** A settled job's records that nothing may write again: a write is a simulator bug, not a silent change. */
class ClosedMap<K, V> extends Map<K, V> {
  override set(): never {
    throw new Error("simulator bug: a settled job's holders or commitments were written");
  }
}

class ClosedSet<T> extends Set<T> {
  override add(): never {
    throw new Error("simulator bug: a settled job's claimants were written");
  }
}

const NO_HOLDERS: Map<number, number> = new ClosedMap();
const NO_COMMITMENTS: Map<number, Commitment> = new ClosedMap();
const NO_CLAIMANTS: Set<Did> = new ClosedSet();

/**
 * A settled job's holders and commitments become one shared empty set of each (collections per
 * job, a few hundred bytes, a million times in a run); a revoked single run that goes back to
 * work gets new ones (`reopenReplicas`).
 */
export function closeReplicas(job: SimJob): void {
  job.holders = NO_HOLDERS;
  job.committed = NO_COMMITMENTS;
}

export function reopenReplicas(job: SimJob): void {
  job.holders = new Map();
  job.committed = new Map();
}

/** Also drops the claimants, for a job nothing can reopen: a revoked single run keeps them (they may not claim it again). */
export function closeRecords(job: SimJob): void {
  closeReplicas(job);
  job.claimants = NO_CLAIMANTS;
}

export type SimEvent =
  | { type: "submit" }
  | { type: "fold" }
  | { type: "online"; node: number }
  | { type: "offline"; node: number }
  | { type: "window"; node: number; open: boolean }
  | { type: "finish"; node: number; token: number }
  | { type: "renew"; node: number; token: number }
  | { type: "abandon"; node: number; token: number }
  | { type: "recheck"; job: number }
  | { type: "lastLease"; job: number }
  | { type: "wake"; node: number }
  | { type: "wave"; job: number };

/**
 * A member's DID from its (random) key, as the string the fold's dictionaries key it by: one
 * interned string object, so the many lookups per job (claimants, competitors, reputation,
 * standing) match by identity instead of comparing 56 characters of a concatenated string.
 */
export function simulatedDid(key: Uint8Array): Did {
  return Object.keys({ [didFromPublicKey(key)]: 0 })[0] as Did;
}

/** 1 January 2025, 00:00 UTC: the pool and its members start here (entry times are ms since the Unix epoch). */
export const START_TIME = 1_735_689_600_000;
/** Jobs start one second later, so every member.join sorts before the first submission. */
export const FIRST_JOB_TIME = START_TIME + 1_000;
export const DAY_MS = 86_400_000;

export interface World {
  readonly ledger: SimLedger;
  readonly nodes: SimNode[];
  readonly auditor?: Did;
  /** A Sybil farm's stranger identities and its operator (an honest newcomer node), in open pools. */
  readonly farm?: { readonly operator: number; readonly identities: readonly Did[] };
}

/** Stamp difficulty of simulated open pools: the stamp is a cost model, its hash is still checked. */
const SIM_STAMP_BITS = 4;
/** Strangers joining per epoch before the run: at most the fold's smallest join cap. */
const JOINS_PER_DAY = 5;

/**
 * Members, their roles and devices, and a ledger holding the pool's genesis and every member's join.
 * An open pool starts earlier: the root invites the honest members but the newcomers at genesis,
 * and the strangers (newcomers, every dishonest member, a farm's identities) join with stamps over
 * the days before the run, within the join cap.
 */
export function createWorld(config: SimConfig, rng: Rng): World {
  const roles = assignRoles(config, rng.fork());
  const root = simulatedDid(rng.bytes(32));
  const nonce = rng.bytes(16);
  const idPrefix = bytesToHex(rng.bytes(8));
  const ledger = new SimLedger(root, nonce, config.network, rng.fork(), idPrefix);
  const p = config.pool;
  const device = rng.fork();
  const nodes: SimNode[] = [];
  let sybils = 0;
  for (let index = 0; index < config.nodes; index++) {
    const role = roles[index]!;
    const did = simulatedDid(rng.bytes(32));
    const group = role === "colluder" ? 0 : role === "sybil" ? 1 + Math.floor(sybils++ / config.adversaries.sybilSize) : -1;
    const [slow, fast] = config.devices.speed;
    const speed = slow + (fast - slow) * (device.uint32() / 4294967296);
    const window = device.chance(config.devices.battery) ? device.below(DAY_MS) : undefined;
    const stranger = p.open && (role !== "honest" || device.chance(p.newcomers));
    nodes.push({ index, did, role, stranger, group, speed, window, online: false, paused: false, idle: false, wakeAt: undefined, attempt: undefined, awaiting: new Set() });
  }
  const farmIdentities = Array.from({ length: config.adversaries.farm }, () => simulatedDid(rng.bytes(32)));
  const strangers = [...nodes.filter((n) => n.stranger).map((n) => n.did), ...farmIdentities];
  const created = p.open ? START_TIME - (Math.ceil(strangers.length / JOINS_PER_DAY) + 1) * DAY_MS : START_TIME;
  ledger.create(nonce, { name: "sim", replication: p.replicas, rewardPerJob: p.reward, vestingSeconds: p.vestingSeconds, leaseSeconds: p.leaseSeconds }, created, p.open ? SIM_STAMP_BITS : undefined);
  for (const node of nodes) if (!node.stranger) ledger.join(node.did, created);
  strangers.forEach((did, i) => ledger.joinStranger(did, created + (1 + Math.floor(i / JOINS_PER_DAY)) * DAY_MS + i));
  // Without incentives the pool runs plain majority voting: no single runs, no sanctions.
  ledger.write(root, "pool.params", { params: p.incentives ? DEFAULT_PARAMS : { ...DEFAULT_PARAMS, trust: 0, sanctions: 0 } }, START_TIME, { reliable: true });
  const operator = nodes.find((n) => n.role === "honest" && n.stranger);
  const farm = operator && farmIdentities.length > 0 ? { operator: operator.index, identities: farmIdentities } : undefined;
  if (!p.incentives) return { ledger, nodes, ...(farm ? { farm } : {}) };
  const auditor = simulatedDid(rng.bytes(32));
  ledger.join(auditor, START_TIME, ["job/audit"]);
  return { ledger, nodes, auditor, ...(farm ? { farm } : {}) };
}
