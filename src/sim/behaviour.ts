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
}

/** How a dishonest worker decides what to reveal (honest workers always reveal the truth). */
export interface Strategy {
  readonly summary: string;
  answer(context: AnswerContext): Answer;
}

const lies = (c: AnswerContext): boolean => c.rng.chance(c.config.adversaries.lieRate);

export const STRATEGIES: Readonly<Record<string, Strategy>> = {
  naive: {
    summary: "lie on every job (at --lie-rate); colluders and Sybils share one wrong output per job",
    answer: (c) => {
      if (c.role === "honest" || !lies(c)) return "correct";
      return c.role === "liar" || (c.role === "colluder" && !c.config.adversaries.collude) ? "own" : "group";
    },
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

export const AVAILABILITY: Readonly<Record<string, Availability>> = {
  churn: {
    summary: "every node alternates sessions (mean 1/--churn hours) and gaps sized to give --availability",
    startsOnline: (_role, rng, c) => c.churn.rate === 0 || rng.chance(c.churn.availability),
    sessionMs: (_role, rng, c) => (c.churn.rate === 0 ? Infinity : sample(rng, withMean(c.churn.sessions, 3_600_000 / c.churn.rate))),
    gapMs: (_role, rng, c) => {
      const session = 3_600_000 / c.churn.rate;
      return sample(rng, withMean(c.churn.sessions, (session * (1 - c.churn.availability)) / c.churn.availability));
    },
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
