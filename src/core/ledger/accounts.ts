/**
 * Accounts and reputation: the integer bookkeeping every incentive rule builds on (ledger/README.md
 * 8.3). Vesting grants, balances at a reader's clock, and reputation decayed lazily per epoch.
 * Integers only (BigInt where a product can pass 2^53).
 */
import type { Did } from "../identity/did-key.ts";
import { epochOf } from "./params.ts";
import { FULL_FACTOR, FULL_VESTING, vestingTerms, type VestingTerms } from "./open-standing.ts";
import type { AccountState, GrantState, LedgerState, ReputationState } from "./state.ts";

export const REPUTATION_AGREE = 1_000;
/** Passing a hidden spot check is worth twice an ordinary agreement. */
export const REPUTATION_SPOT_PASSED = 2_000;
export const REPUTATION_CAP = 1_000_000;
/** 0.97^d: about 23 epochs half-life. */
const DECAY_NUM = 97n;
const DECAY_DEN = 100n;
/** Past this many epochs any reputation under the cap has decayed to 0 (0.97^700 * 10^6 < 1). */
const MAX_DECAY_EPOCHS = 700;

/** R * 97^d / 100^d, floored. */
export function decayReputation(milli: number, epochs: number): number {
  if (epochs <= 0 || milli === 0) return milli;
  if (epochs >= MAX_DECAY_EPOCHS) return 0;
  const d = BigInt(epochs);
  return Number((BigInt(milli) * DECAY_NUM ** d) / DECAY_DEN ** d);
}

export function reputationAt(state: LedgerState, did: Did, time: number): ReputationState {
  const epoch = epochOf(time);
  const current = state.reputation[did] ?? { milli: 0, epoch, agreed: 0, disagreed: 0 };
  // Entries fold in time order, so epochs only move forward; max() guards equal-time ties.
  const next = Math.max(epoch, current.epoch);
  const updated = { ...current, milli: decayReputation(current.milli, next - current.epoch), epoch: next };
  state.reputation[did] = updated;
  return updated;
}

export function rewardAgreement(state: LedgerState, did: Did, time: number, gain = REPUTATION_AGREE): void {
  const r = reputationAt(state, did, time);
  r.milli = Math.min(REPUTATION_CAP, r.milli + gain);
  r.agreed += 1;
}

export function accountOf(state: LedgerState, did: Did): AccountState {
  const account = (state.accounts[did] ??= { vested: 0, grants: [], spent: 0 });
  settleVesting(state, account, vestingTerms(state, did));
  return account;
}

/**
 * Moves grants whose vesting time the fold has reached into `vested` (keeps the state small), on
 * the member's terms: nothing while held, else scaled, the rest to the fund (open-standing.ts).
 */
function settleVesting(state: LedgerState, account: AccountState, terms: VestingTerms): void {
  if (terms.held) return;
  while (account.grants.length > 0 && account.grants[0]!.vestsAt <= state.clock) {
    const { amount } = account.grants.shift()!;
    const kept = scaled(amount, terms.permille);
    account.vested += kept;
    state.fund += amount - kept;
  }
}

const scaled = (amount: number, permille: number): number => (permille === FULL_FACTOR ? amount : Math.floor((amount * permille) / FULL_FACTOR));

/**
 * Keeps grants sorted by vesting time (then job id) so settlement order is canonical. Inserted from
 * the end: the fold runs in time order, so a new grant almost always vests last.
 */
export function addGrant(account: AccountState, grant: GrantState): void {
  const { grants } = account;
  let at = grants.length;
  while (at > 0 && (grants[at - 1]!.vestsAt > grant.vestsAt || (grants[at - 1]!.vestsAt === grant.vestsAt && grants[at - 1]!.job > grant.job))) at--;
  grants.splice(at, 0, grant);
}

export interface Balance {
  spendable: number;
  vesting: number;
  nextVest?: number;
}

/**
 * What a member can spend at `now` (a view: the clock is the reader's, not the fold's). Grants
 * held back by `terms` count as vesting; due ones count as scaled.
 */
export function balanceAt(account: AccountState, now: number, terms: VestingTerms = FULL_VESTING): Balance {
  let spendable = account.vested - account.spent;
  let vesting = 0;
  let nextVest: number | undefined;
  for (const grant of account.grants) {
    if (grant.vestsAt <= now && !terms.held) spendable += scaled(grant.amount, terms.permille);
    else {
      vesting += grant.amount;
      nextVest ??= grant.vestsAt;
    }
  }
  return nextVest === undefined ? { spendable, vesting } : { spendable, vesting, nextVest };
}

