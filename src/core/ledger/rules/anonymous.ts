/**
 * `pool.anonymous` (issue 12; ledger/README.md 6.3, "Anonymous submission"): an admin of an open
 * pool lets fresh ephemeral keys submit jobs that spend an issuer's token instead of naming a
 * member, and caps what one such job may offer, since the pool's fund pays it.
 */
import type { BodySchema } from "../schema.ts";
import type { LedgerState } from "../state.ts";
import type { Rejection, SignedEntry } from "../types.ts";
import { rejection } from "./rejection.ts";

/** The most an anonymous job may offer; the same bound as any job's reward. */
export const MAX_ANONYMOUS_REWARD = 1_000_000_000;

export const poolAnonymousSchema: BodySchema = {
  /** 1: anonymous submissions are accepted from now on; 0: no longer. */
  enabled: { type: "int", min: 0, max: 1 },
  /** The largest reward one anonymous job may offer (the fund pays it). */
  maxReward: { type: "int", min: 0, max: MAX_ANONYMOUS_REWARD },
};

export function applyPoolAnonymous(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const open = state.pool?.open;
  if (!open) return rejection("conflict", "only an open pool takes anonymous submissions");
  if (entry.body.enabled === 1) open.anonymous = { maxReward: entry.body.maxReward as number };
  else delete open.anonymous;
  return undefined;
}
