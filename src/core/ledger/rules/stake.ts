/**
 * Fold rules of stake, leaving and parameters (ledger/README.md 8.8): `stake.deposit`,
 * `stake.withdraw` (unbonding for the vesting period, slashable meanwhile), `stake.grant` (admin),
 * `member.leave` (forfeits unvested credits), `member.reinstate` (admin, after a severe strike)
 * and `pool.params` (admin, from the next epoch).
 */
import type { Did } from "../../identity/did-key.ts";
import { epochOf, freshParams, paramsOf } from "../params.ts";
import type { BodySchema } from "../schema.ts";
import { forfeitUnvested, releaseOpenWork, standingOf } from "../standing.ts";
import type { LedgerState, ParamsSet } from "../state.ts";
import type { Rejection, SignedEntry } from "../types.ts";
import { accountOf, balanceAt } from "../verdict.ts";
import { vestingTerms } from "../open-standing.ts";
import { rejection } from "./rejection.ts";

const amount = { type: "int", min: 1, max: 1_000_000_000 } as const;

export const stakeSchema: BodySchema = { amount };
export const stakeGrantSchema: BodySchema = { member: { type: "did" }, amount };
export const memberLeaveSchema: BodySchema = {};
export const memberReinstateSchema: BodySchema = { member: { type: "did" } };

export const paramsSchema: BodySchema = {
  params: {
    type: "map",
    fields: {
      taxPermille: { type: "int", min: 0, max: 1000 },
      trust: { type: "int", min: 0, max: 1000 },
      maxSingle: { type: "int", min: 0, max: 10_000 },
      qMinPermille: { type: "int", min: 1, max: 500 },
      majority: { type: "int", min: 3, max: 15 },
      stakeRef: { type: "int", min: 1, max: 1_000_000_000 },
      reputationRef: { type: "int", min: 1, max: 1_000_000 },
      contestMs: { type: "int", min: 0, max: 3_600_000 },
      quota: { type: "int", min: 1, max: 1000 },
      sanctions: { type: "int", min: 0, max: 1 },
    },
  },
};

const needsMember = (state: LedgerState, did: Did): Rejection | undefined =>
  state.members[did] && state.members[did].revoked === undefined ? undefined : rejection("unknown-reference", `${did} is not a current member`);

/** Stake comes out of the author's spendable credits at the fold's clock. */
export function applyStakeDeposit(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const wanted = entry.body.amount as number;
  const standing = standingOf(state, entry.author);
  const account = accountOf(state, entry.author);
  const { spendable } = balanceAt(account, state.clock, vestingTerms(state, entry.author));
  if (spendable < wanted) return rejection("conflict", `stake ${wanted} exceeds the spendable balance ${spendable}`);
  account.spent += wanted;
  standing.stake += wanted;
  return undefined;
}

/** Withdrawn stake unbonds for the vesting period; a severe strike meanwhile still takes it. */
export function applyStakeWithdraw(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const wanted = entry.body.amount as number;
  const standing = standingOf(state, entry.author);
  if (standing.stake < wanted) return rejection("conflict", `withdrawal ${wanted} exceeds the stake ${standing.stake}`);
  standing.stake -= wanted;
  standing.unbonding.push({ amount: wanted, releasesAt: entry.time + state.pool!.settings.vestingSeconds * 1000 });
  return undefined;
}

export function applyStakeGrant(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const member = entry.body.member as Did;
  const missing = needsMember(state, member);
  if (missing) return missing;
  standingOf(state, member).stake += entry.body.amount as number;
  return undefined;
}

/** Leaving forfeits unvested credits to the fund, starts unbonding the stake and releases work in progress. */
export function applyMemberLeave(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const standing = standingOf(state, entry.author);
  if (standing.suspended?.reason === "left") return rejection("conflict", "this member already left");
  forfeitUnvested(state, entry.author);
  if (standing.stake > 0) standing.unbonding.push({ amount: standing.stake, releasesAt: entry.time + state.pool!.settings.vestingSeconds * 1000 });
  standing.stake = 0;
  standing.suspended = { time: entry.time, reason: "left" };
  releaseOpenWork(state, entry.author, entry.time);
  return undefined;
}

export function applyMemberReinstate(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const member = entry.body.member as Did;
  const missing = needsMember(state, member);
  if (missing) return missing;
  const standing = state.standing[member];
  if (!standing?.suspended) return rejection("conflict", `${member} is not suspended`);
  delete standing.suspended;
  return undefined;
}

/**
 * New parameters apply from the next epoch, so nobody can change the rules of a running epoch;
 * before the pool's first job they apply at once (a pool set up with its own rules).
 */
export function applyPoolParams(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  if (!state.pool) return rejection("unknown-reference", "pool.params before the pool exists");
  const set = { ...(entry.body.params as ParamsSet) };
  const params = paramsOf(state);
  if (Object.keys(state.jobs).length === 0 && !state.checkpoint) Object.assign(params, freshParams(set, params.epoch));
  else params.pending = { from: epochOf(entry.time) + 1, set };
  return undefined;
}
