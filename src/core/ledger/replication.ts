/**
 * How many workers a job gets and who may claim first (ledger/README.md, "Replication"):
 * escalation to more replicas when the reveals have no majority, and the claim delay that repeated
 * disagreement earns. Adaptive replication and spot checks are in ./trust.ts.
 */
import type { JobState, ReputationState } from "./state.ts";

/** The most replicas a job can have (a claim's replica index is 0..14). */
export const MAX_REPLICAS = 15;
/** Replicas added each time all reveals are in without a strict majority (keeps k odd from odd). */
export const ESCALATION_STEP = 2;
/** Rounds of escalation before a job fails with `no-majority`. */
export const MAX_ESCALATIONS = 2;
/** Agreements that cancel one disagreement when computing the claim delay. */
export const AGREEMENTS_PER_STRIKE = 20;
/** The delay grows by a tenth of a lease per strike, up to one full lease. */
export const MAX_STRIKES = 10;

export type Escalation = { kind: "escalated"; replicas: number } | { kind: "failed" };

/** What happens to a job whose every replica revealed without a strict majority. */
export function escalation(job: Pick<JobState, "replicas" | "escalations">): Escalation {
  const rounds = job.escalations ?? 0;
  const replicas = job.replicas + ESCALATION_STEP;
  if (rounds >= MAX_ESCALATIONS || replicas > MAX_REPLICAS) return { kind: "failed" };
  return { kind: "escalated", replicas };
}

/** Disagreements not yet outweighed by agreements, capped. */
export function strikes(reputation: ReputationState | undefined): number {
  if (!reputation) return 0;
  const net = reputation.disagreed - Math.floor(reputation.agreed / AGREEMENTS_PER_STRIKE);
  return Math.min(MAX_STRIKES, Math.max(0, net));
}

/**
 * How long after a job's submission a worker may first claim one of its replicas: zero for a
 * worker in good standing, a tenth of a lease per strike. Honest workers therefore take the work
 * first; a worker that keeps disagreeing only gets what nobody else wanted in time.
 */
export function claimDelayMs(reputation: ReputationState | undefined, leaseMs: number): number {
  return Math.floor((strikes(reputation) * leaseMs) / MAX_STRIKES);
}
