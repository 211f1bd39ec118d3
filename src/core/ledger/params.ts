/**
 * The pool's incentive parameters and their self-tuning (ledger/README.md, "Parameters"). They are
 * part of the state: an admin sets them with pool.params (from the next epoch), and at every
 * epoch boundary the fold tightens them when strikes or contested verdicts run high and relaxes
 * them after quiet epochs. Integers only: ratios are compared by cross-multiplying.
 */
import { refreshMerit } from "./open-standing.ts";
import type { LedgerState, ParamsSet, ParamsState } from "./state.ts";

/** One epoch is one UTC day: reputation decays, quotas reset and parameters tune per epoch. */
export const EPOCH_MS = 86_400_000;
export const epochOf = (time: number): number => Math.floor(time / EPOCH_MS);

export const DEFAULT_PARAMS: ParamsSet = {
  taxPermille: 100,
  trust: 10,
  maxSingle: 50,
  qMinPermille: 50,
  majority: 3,
  stakeRef: 1_000,
  reputationRef: 10_000,
  contestMs: 10_000,
  quota: 8,
  sanctions: 1,
};

/** Tightening doubles q_min up to this, and raises the trust threshold by TRUST_STEP up to TRUST_MAX. */
const Q_MAX_PERMILLE = 500;
const TRUST_STEP = 10;
const TRUST_MAX = 100;
const QUIET_EPOCHS = 3;

export const freshParams = (set: ParamsSet, epoch: number): ParamsState => ({
  set,
  qMinPermille: set.qMinPermille,
  trust: set.trust,
  majority: set.majority,
  epoch,
  quiet: 0,
  tally: { strikes: 0, checks: 0, contested: 0, replicated: 0 },
});

/** The parameters in force (the defaults before a pool exists, e.g. in a bare fold of jobs). */
export const paramsOf = (state: LedgerState): ParamsState => (state.params ??= freshParams(DEFAULT_PARAMS, epochOf(state.clock)));

/**
 * Brings the parameters to the epoch of `time`: tunes once per epoch boundary crossed (an epoch
 * with no entries is quiet), then applies a pending pool.params whose epoch has come; an open
 * pool's reward factors are recomputed for the new epoch (open-standing.ts). The fold
 * calls it before every entry except checkpoints, whose commitment was computed without it.
 */
export function advanceEpoch(state: LedgerState, time: number): void {
  if (!state.pool) return;
  const params = paramsOf(state);
  const epoch = epochOf(time);
  while (params.epoch < epoch) {
    tune(params);
    params.epoch += 1;
    if (params.pending && params.pending.from <= params.epoch) {
      const set = params.pending.set;
      delete params.pending;
      Object.assign(params, freshParams(set, params.epoch));
    }
    // Past a few quiet epochs nothing changes any more: jump to the present.
    if (params.quiet > QUIET_EPOCHS && !params.pending && atBase(params)) params.epoch = epoch;
  }
  refreshMerit(state, epoch);
}

const atBase = (p: ParamsState): boolean => p.qMinPermille === p.set.qMinPermille && p.trust === p.set.trust && p.majority === p.set.majority;

/**
 * rho = strikes / (spot checks + audits), kappa = contested / replicated verdicts. Tighten when
 * rho > 2% or kappa > 5% (k = 5 when kappa > 15%); after 3 quiet epochs, relax one step.
 */
function tune(p: ParamsState): void {
  const { strikes, checks, contested, replicated } = p.tally;
  const rhoHigh = strikes * 50 > checks && strikes > 0;
  const kappaHigh = contested * 20 > replicated && contested > 0;
  if (rhoHigh || kappaHigh) {
    p.qMinPermille = Math.min(Q_MAX_PERMILLE, p.qMinPermille * 2);
    p.trust = Math.min(TRUST_MAX, Math.max(p.trust, p.set.trust) + TRUST_STEP);
    if (contested * 100 > replicated * 15) p.majority = Math.max(p.majority, 5);
    p.quiet = 0;
  } else if (++p.quiet >= QUIET_EPOCHS && !atBase(p)) {
    p.qMinPermille = Math.max(p.set.qMinPermille, Math.floor(p.qMinPermille / 2));
    p.trust = Math.max(p.set.trust, p.trust - TRUST_STEP);
    p.majority = p.set.majority;
    p.quiet = 0;
  }
  p.tally = { strikes: 0, checks: 0, contested: 0, replicated: 0 };
}
