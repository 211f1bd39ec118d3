/**
 * What `edgepool ledger show` and the app's Ledger screen display: the fold state read at the
 * reader's clock (job status, vesting, decayed reputation), plus what the node refused and why.
 */
import type { Equivocation } from "./fold.ts";
import type { InvalidEntry, LedgerView } from "./ledger.ts";
import type { CheckpointState, ParamsState, PoolState, StrikeState } from "./state.ts";
import { inProbation, vestingTerms } from "./open-standing.ts";
import { trusted } from "./trust.ts";
import type { Did } from "../identity/did-key.ts";
import type { EntryId } from "./types.ts";
import { balanceAt, decayReputation, epochOf, jobView, vestingMsOf, type Balance, type JobView } from "./verdict.ts";

export interface LedgerSummary {
  readonly pool?: PoolState;
  readonly members: Array<{ did: string; abilities: string[]; by: string; since: number; revoked?: number }>;
  readonly jobs: JobView[];
  readonly balances: Array<{ did: string } & Balance>;
  readonly reputation: Array<{ did: string; milli: number; agreed: number; disagreed: number }>;
  /** Each worker's incentive standing (ledger/README.md 8.7): tier, C, stake, strikes with their reason. */
  readonly workers: WorkerStanding[];
  /** The verification fund's balance. */
  readonly fund: number;
  readonly params?: ParamsState;
  readonly invalid: { count: number; byReason: Record<string, number>; entries: readonly InvalidEntry[] };
  readonly evidence: readonly Equivocation[];
  readonly deferred: number;
  readonly entries: number;
  readonly checkpoint?: CheckpointState;
}

/**
 * suspended: a severe strike or leaving; probation: an open pool's stranger before its first ten
 * verified results; trusted: may run adaptive jobs alone; building: C below the threshold.
 */
export type Tier = "suspended" | "probation" | "trusted" | "building";

export interface WorkerStanding {
  readonly did: string;
  readonly tier: Tier;
  readonly streak: number;
  readonly stake: number;
  readonly unbonding: number;
  readonly strikes: readonly StrikeState[];
  readonly suspended?: { time: number; reason: string };
  /** An open pool's stranger: the MeritRank factor (thousandths) its credits vest at, once scored. */
  readonly rewardFactor?: number;
}

const sorted = <T>(record: Record<string, T>): Array<[string, T]> => Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function summarise(view: LedgerView, now: number): LedgerSummary {
  const { state } = view;
  const byReason: Record<string, number> = {};
  for (const entry of view.invalid) byReason[entry.reason] = (byReason[entry.reason] ?? 0) + 1;
  return {
    ...(state.pool ? { pool: state.pool } : {}),
    members: sorted(state.members).map(([did, m]) => ({ did, ...m })),
    jobs: sorted(state.jobs).map(([id, job]) => jobView(id as EntryId, job, now, vestingMsOf(state))),
    balances: sorted(state.accounts).map(([did, account]) => ({ did, ...balanceAt(account, now, vestingTerms(state, did as Did)) })),
    reputation: sorted(state.reputation).map(([did, r]) => ({
      did,
      milli: decayReputation(r.milli, Math.max(0, epochOf(now) - r.epoch)),
      agreed: r.agreed,
      disagreed: r.disagreed,
    })),
    workers: sorted(state.standing).map(([did, w]) => ({
      did,
      tier: w.suspended ? "suspended" : inProbation(state, did as Did) ? "probation" : trusted(state, did as Did) ? "trusted" : "building",
      streak: w.streak,
      stake: w.stake,
      unbonding: w.unbonding.reduce((sum, u) => sum + u.amount, 0),
      strikes: w.strikes,
      ...(w.suspended ? { suspended: w.suspended } : {}),
      ...rewardFactorOf(state, did as Did),
    })),
    fund: state.fund,
    ...(state.params ? { params: state.params } : {}),
    invalid: { count: view.invalid.length, byReason, entries: view.invalid },
    evidence: view.evidence,
    deferred: view.deferred,
    entries: state.count,
    ...(state.checkpoint ? { checkpoint: state.checkpoint } : {}),
  };
}

function rewardFactorOf(state: LedgerView["state"], did: Did): { rewardFactor?: number } {
  const factor = state.pool?.open?.merit?.factors[did];
  return factor === undefined ? {} : { rewardFactor: factor };
}

/** How a strike reads to people: its weight and its reason, as `ledger show` and the app print it. */
export const strikeLabel = (strike: StrikeState): string => `${strike.severe ? "severe" : "minor"}: ${STRIKE_REASONS[strike.reason]}`;

const STRIKE_REASONS: Readonly<Record<StrikeState["reason"], string>> = {
  unrevealed: "committed a result and never revealed it",
  "wrong-output": "a result the verdict rejected",
  colluded: "the same rejected result as another member",
  repeated: "two minor strikes within 7 days",
  equivocation: "signed two entries with one sequence number",
};

/** The pool's parameters in force, as label and value (ledger/README.md 8.8), for `ledger show` and the app. */
export function paramsRows(p: ParamsState): Array<{ label: string; value: string }> {
  return [
    { label: "Epoch", value: String(p.epoch) },
    { label: "Verification tax", value: `${p.set.taxPermille / 10}%` },
    { label: "Trusted from", value: `${p.trust} valid results in a row` },
    { label: "Unvested single runs at most", value: String(p.set.maxSingle) },
    { label: "Spot-check chance at least", value: `${p.qMinPermille / 10}%` },
    { label: "Majority k", value: String(p.majority) },
    { label: "Claim quota", value: `${p.set.quota} live leases` },
    { label: "Sanctions", value: p.set.sanctions ? "on" : "off" },
    ...(p.pending ? [{ label: "New parameters", value: `from epoch ${p.pending.from}` }] : []),
  ];
}

