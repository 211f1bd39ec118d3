/**
 * How simulated members behave, as data: roles (what a node is), strategies (how a dishonest
 * node picks its answer) and availability models (when a node is online). Each is a table keyed
 * by name, so a new strategy or availability model (issue 11's strategic, intermittent and sleeper
 * liars; honest members online less than the adversary) is one row.
 */
import type { SimConfig } from "./config.ts";
import { sample, withMean, type Rng } from "./random.ts";

export type Role = "honest" | "liar" | "colluder" | "claimer" | "free-rider" | "sybil";

export interface RoleRule {
  /** Claims replicas at all (free-riders only submit). */
  readonly works: boolean;
  /** Commits a result (claimers hold their lease and vanish). */
  readonly finishes: boolean;
  /** Spends real compute on a replica (a Sybil operator only fakes answers). */
  readonly computes: boolean;
  /** Counted with the honest members in credit totals. */
  readonly honest: boolean;
  /** Its identities try to fill every replica of the same job (one operator behind them). */
  readonly coordinated: boolean;
}

export const ROLES: Readonly<Record<Role, RoleRule>> = {
  honest: { works: true, finishes: true, computes: true, honest: true, coordinated: false },
  liar: { works: true, finishes: true, computes: true, honest: false, coordinated: false },
  colluder: { works: true, finishes: true, computes: true, honest: false, coordinated: false },
  claimer: { works: true, finishes: false, computes: false, honest: false, coordinated: false },
  "free-rider": { works: false, finishes: false, computes: false, honest: false, coordinated: false },
  sybil: { works: true, finishes: true, computes: false, honest: false, coordinated: true },
};

/** The answer a worker reveals: the true output, one only it gives, or its group's shared one. */
export type Answer = "correct" | "own" | "group";

export interface AnswerContext {
  readonly role: Role;
  readonly rng: Rng;
  readonly config: SimConfig;
  /** How many other members of the worker's group hold a replica of this job. */
  readonly groupHolders: number;
  readonly replicas: number;
  /** The fold gave the job to this worker alone (adaptive replication, k = 1). */
  readonly alone: boolean;
  /** The worker has reached the pool's trust threshold. */
  readonly trusted: boolean;
}

/** How a dishonest worker decides what to reveal (honest workers always reveal the truth). */
export interface Strategy {
  readonly summary: string;
  answer(context: AnswerContext): Answer;
}

const lies = (c: AnswerContext): boolean => c.rng.chance(c.config.adversaries.lieRate);
/** The wrong answer a dishonest worker gives: its own, or its group's shared one. */
const wrong = (c: AnswerContext): Answer => (c.role === "liar" || (c.role === "colluder" && !c.config.adversaries.collude) ? "own" : "group");
/** Lying cannot be outvoted: the worker runs alone, or its group holds a strict majority of the replicas. */
const uncontested = (c: AnswerContext): boolean => c.alone || (c.groupHolders + 1) * 2 > c.replicas;
/** The intermittent liar's share of jobs it lies on. */
const INTERMITTENT_RATE = 0.1;

export const STRATEGIES: Readonly<Record<string, Strategy>> = {
  naive: {
    summary: "lie on every job (at --lie-rate); colluders and Sybils share one wrong output per job",
    answer: (c) => (c.role === "honest" || !lies(c) ? "correct" : wrong(c)),
  },
  strategic: {
    summary: "lie only when it cannot be outvoted: running a job alone, or the group holding a majority of its replicas",
    answer: (c) => (c.role !== "honest" && uncontested(c) && lies(c) ? wrong(c) : "correct"),
  },
  intermittent: {
    summary: "lie on a tenth of its jobs, honest otherwise",
    answer: (c) => (c.role !== "honest" && c.rng.chance(INTERMITTENT_RATE) ? wrong(c) : "correct"),
  },
  sleeper: {
    summary: "honest until trusted, then lie whenever it cannot be outvoted",
    answer: (c) => (c.role !== "honest" && c.trusted && uncontested(c) && lies(c) ? wrong(c) : "correct"),
  },
};

/** When a node is online: alternating sessions and gaps, the first state drawn from the availability. */
export interface Availability {
  readonly summary: string;
  startsOnline(role: Role, rng: Rng, config: SimConfig): boolean;
  /** Length of the next online session, or Infinity for a node that stays. */
  sessionMs(role: Role, rng: Rng, config: SimConfig): number;
  gapMs(role: Role, rng: Rng, config: SimConfig): number;
}

const churn: Availability = {
  summary: "every node alternates sessions (mean 1/--churn hours) and gaps sized to give --availability",
  startsOnline: (_role, rng, c) => c.churn.rate === 0 || rng.chance(c.churn.availability),
  sessionMs: (_role, rng, c) => (c.churn.rate === 0 ? Infinity : sample(rng, withMean(c.churn.sessions, 3_600_000 / c.churn.rate))),
  gapMs: (_role, rng, c) => {
    const session = 3_600_000 / c.churn.rate;
    return sample(rng, withMean(c.churn.sessions, (session * (1 - c.churn.availability)) / c.churn.availability));
  },
};

export const AVAILABILITY: Readonly<Record<string, Availability>> = {
  churn,
  "adversary-online": {
    summary: "honest nodes churn as under churn; dishonest nodes never leave (they choose to be there)",
    startsOnline: (role, rng, c) => !ROLES[role].honest || churn.startsOnline(role, rng, c),
    sessionMs: (role, rng, c) => (ROLES[role].honest ? churn.sessionMs(role, rng, c) : Infinity),
    gapMs: (role, rng, c) => churn.gapMs(role, rng, c),
  },
};

/** Assigns roles to node indices: shares of the population, shuffled by the seed. */
export function assignRoles(config: SimConfig, rng: Rng): Role[] {
  const n = config.nodes;
  const a = config.adversaries;
  const counts: Array<[Role, number]> = [
    ["liar", Math.round(n * a.malicious)],
    ["claimer", Math.round(n * a.claimers)],
    ["free-rider", Math.round(n * a.freeRiders)],
    ["sybil", Math.round(n * a.sybil)],
  ];
  const roles: Role[] = [];
  for (const [role, count] of counts) for (let i = 0; i < count && roles.length < n; i++) roles.push(role === "liar" && a.collude ? "colluder" : role);
  while (roles.length < n) roles.push("honest");
  for (let i = roles.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [roles[i], roles[j]] = [roles[j]!, roles[i]!];
  }
  return roles;
}
